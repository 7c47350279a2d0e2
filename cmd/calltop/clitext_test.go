package main

import (
	"bytes"
	"testing"

	"github.com/spf13/cobra"
)

// Flag-group mistakes read like calltop's other errors, naming the flags
// with their dashes, not in cobra's words.
func TestFlagGroupErrorsReadPlainly(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"hub", "--simulate", "5", "--replay", "x.jsonl"}, "give only one of --simulate, --replay"},
		{[]string{"hub", "--simulate", "5", "--tls-cert", "c.pem"}, "--tls-cert, --tls-key go together: give --tls-key too"},
		{[]string{"alerts", "silence", "--for", "1h", "--feed", "ws://127.0.0.1:1/feed"}, "give one of --call, --rule, --person, --all"},
		{[]string{"alerts", "silence", "--all", "--for", "1h", "--until-resolved", "--feed", "ws://127.0.0.1:1/feed"}, "give only one of --for, --until-resolved"},
	} {
		cmd := newRootCmd(testEnv(nil))
		cmd.SetArgs(c.args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		err := plainFlagError(cmd.Execute())
		if err == nil || err.Error() != c.want {
			t.Errorf("calltop %v: got %v, want %q", c.args, err, c.want)
		}
	}
}

// Every command a user runs shows examples in its --help (README says so).
func TestEveryCommandHasExamples(t *testing.T) {
	t.Parallel()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		switch c.Name() {
		case "help", "completion", "version", "bash", "zsh", "fish", "powershell":
			return
		}
		if c.Runnable() && c.Example == "" {
			t.Errorf("%q has no examples in its --help", c.CommandPath())
		}
	}
	walk(newRootCmd(testEnv(nil)))
}
