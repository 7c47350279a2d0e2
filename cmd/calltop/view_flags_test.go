package main

import (
	"strings"
	"testing"

	"github.com/calltop/calltop/feed/client"
)

func TestViewNeedsALiveFeed(t *testing.T) {
	t.Parallel()
	_, err := runCLI(t, "--view")
	if err == nil || !strings.Contains(err.Error(), "--view needs a live feed") || !strings.Contains(err.Error(), "--index") {
		t.Fatalf("calltop --view without a feed: err %v, want one saying it needs --feed of a hub with --index", err)
	}
}

func TestViewConfigAsksEveryFeedForViewMode(t *testing.T) {
	t.Parallel()
	cfg, err := viewConfig(client.Config{URLs: []string{"ws://a:7070/feed", "wss://b/feed?x=1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ws://a:7070/feed?view=1", "wss://b/feed?view=1&x=1"}
	for i, u := range cfg.URLs {
		if u != want[i] {
			t.Errorf("feed %d: %s, want %s", i, u, want[i])
		}
	}
	if !cfg.KeepUnknown {
		t.Error("a view client must keep unknown frames: view.window is not a feed message")
	}
	if _, err := viewConfig(client.Config{URLs: []string{"ws://a b\x7f/feed"}}); err == nil || !strings.Contains(err.Error(), "--view: feed URL") {
		t.Errorf("a bad URL: err %v, want one naming --view and the URL", err)
	}
}
