package main

import (
	"slices"
	"testing"
)

func TestFeedURLsFromFlagsOrEnvironment(t *testing.T) {
	t.Setenv("CALLTOP_FEED", " ws://127.0.0.1:1/feed , ,ws://127.0.0.1:2/feed,")
	if got, want := feedURLs(nil), []string{"ws://127.0.0.1:1/feed", "ws://127.0.0.1:2/feed"}; !slices.Equal(got, want) {
		t.Errorf("from $CALLTOP_FEED: %q, want %q", got, want)
	}
	if got, want := feedURLs([]string{"ws://127.0.0.1:3/feed"}), []string{"ws://127.0.0.1:3/feed"}; !slices.Equal(got, want) {
		t.Errorf("--feed given: %q, want %q (the flag wins)", got, want)
	}
	t.Setenv("CALLTOP_FEED", "")
	if got := feedURLs(nil); len(got) != 0 {
		t.Errorf("no flag, empty $CALLTOP_FEED: %q, want none", got)
	}
}
