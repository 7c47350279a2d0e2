package main

import (
	"slices"
	"testing"

	"github.com/spf13/cobra"
)

func TestFeedURLsFromFlagsOrEnvironment(t *testing.T) {
	e := testEnv(map[string]string{"CALLTOP_FEED": " ws://127.0.0.1:1/feed , ,ws://127.0.0.1:2/feed,"})
	if got, want := e.feedURLs(nil), []string{"ws://127.0.0.1:1/feed", "ws://127.0.0.1:2/feed"}; !slices.Equal(got, want) {
		t.Errorf("from $CALLTOP_FEED: %q, want %q", got, want)
	}
	if got, want := e.feedURLs([]string{"ws://127.0.0.1:3/feed"}), []string{"ws://127.0.0.1:3/feed"}; !slices.Equal(got, want) {
		t.Errorf("--feed given: %q, want %q (the flag wins)", got, want)
	}
	if got := testEnv(map[string]string{"CALLTOP_FEED": ""}).feedURLs(nil); len(got) != 0 {
		t.Errorf("no flag, empty $CALLTOP_FEED: %q, want none", got)
	}
}

// TestTokenFromFlagOrEnv: every command takes the token from --token when
// given (even empty, to send none) and from $CALLTOP_TOKEN otherwise.
func TestTokenFromFlagOrEnv(t *testing.T) {
	e := testEnv(map[string]string{"CALLTOP_TOKEN": "from-env"})
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "from-env"},
		{[]string{"--token", "from-flag"}, "from-flag"},
		{[]string{"--token", ""}, ""},
	} {
		cmd := &cobra.Command{}
		var v string
		cmd.Flags().StringVar(&v, "token", "", "")
		if err := cmd.Flags().Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if got := e.flagOrEnv(cmd, "token", v, "CALLTOP_TOKEN"); got != c.want {
			t.Errorf("%v: token %q, want %q", c.args, got, c.want)
		}
	}
}
