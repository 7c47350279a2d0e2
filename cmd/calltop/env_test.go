package main

import (
	"slices"
	"testing"

	"github.com/spf13/cobra"
)

func TestFeedURLsFromFlagsOrEnvironment(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

func TestLocaleDecidesASCII(t *testing.T) {
	for _, c := range []struct {
		vars  map[string]string
		ascii bool
	}{
		{map[string]string{}, false},
		{map[string]string{"LANG": "en_US.UTF-8"}, false},
		{map[string]string{"LANG": "C"}, true},
		{map[string]string{"LC_ALL": "C", "LANG": "en_US.UTF-8"}, true},
		{map[string]string{"LC_CTYPE": "de_DE.utf8", "LANG": "C"}, false},
		{map[string]string{"LANG": "POSIX"}, true},
	} {
		e := env{getenv: func(k string) string { return c.vars[k] }}
		if got := (viewFlags{}).options(e).ASCII; got != c.ascii {
			t.Errorf("%v: ascii %v, want %v", c.vars, got, c.ascii)
		}
	}
	if !(viewFlags{ascii: true}).options(env{getenv: func(string) string { return "" }}).ASCII {
		t.Error("--ascii did not ask for ASCII")
	}
}
