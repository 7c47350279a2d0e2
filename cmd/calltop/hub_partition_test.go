package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/bus/bustest"
	"github.com/calltop/calltop/feed/feedtest"
)

// Two team hubs on a bus, each simulating high-RTT calls: each diagnoses
// only its own calls, so each posts to its webhook the alerts of its own
// calls only (once for the fleet, not once per hub), and a subscriber of
// either gets both hubs' findings in its team.findings frames, each
// finding once.
func TestTeamHubsOnNATSDiagnoseTheirOwnCallsAndServeEveryFinding(t *testing.T) {
	s := bustest.StartServer(t, nil)
	team := func(id string, seed int) (string, *hookPosts) {
		posts := &hookPosts{}
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			posts.add(string(b))
		}))
		t.Cleanup(hook.Close)
		_, addr, _ := startHubCLI(t, "--team", "--state-dir", t.TempDir(), "--simulate", "3", "--scenario", "high-rtt",
			"--seed", fmt.Sprint(seed), "--speed", "4", "--nats", s.ClientURL(), "--hub-id", id,
			"--webhook", hook.URL, "--webhook-format", "json")
		return addr, posts
	}
	east, eastPosts := team("east", 1)
	west, westPosts := team("west", 2)
	for _, addr := range []string{east, west} {
		cfg := feedtest.FastClient("ws://" + addr + "/feed")
		cfg.KeepUnknown = true // the team frames
		c, _ := feedtest.RunClient(t, cfg)
		var last feed.TeamFindings
		feedtest.WaitEvent(t, c, 30*time.Second, "findings of east's and west's calls at "+addr, func(ev feed.Event) bool {
			if ev.Kind != feed.EventUnknown {
				return false
			}
			for _, f := range ev.Frames {
				if feed.TeamType(f) != feed.TypeTeamFindings {
					continue
				}
				last = feed.TeamFindings{}
				if err := feed.DecodeTeam(f, feed.TypeTeamFindings, &last); err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				for _, fd := range last.Findings {
					key := fd.Rule + "@" + fd.Call + "/" + fd.Participant
					if seen[key] {
						t.Fatalf("finding %s listed twice at %s: a hub diagnosed another's call", key, addr)
					}
					seen[key] = true
				}
			}
			return hasFindingOf(last, "east/") && hasFindingOf(last, "west/")
		})
	}
	waitUntil(t, 30*time.Second, "each hub to post an alert of its own calls", func() bool {
		return eastPosts.any("east/call-") && westPosts.any("west/call-")
	})
	if eastPosts.any("west/call-") || westPosts.any("east/call-") {
		t.Fatalf("a hub posted another hub's alerts:\neast posted %q\nwest posted %q", eastPosts.all(), westPosts.all())
	}
}

// hookPosts are the bodies a webhook received.
type hookPosts struct {
	mu     sync.Mutex
	bodies []string
}

func (h *hookPosts) add(b string) { h.mu.Lock(); h.bodies = append(h.bodies, b); h.mu.Unlock() }

func (h *hookPosts) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.bodies)
}

// any reports whether a body holds s.
func (h *hookPosts) any(s string) bool {
	return slices.ContainsFunc(h.all(), func(b string) bool { return strings.Contains(b, s) })
}

func hasFindingOf(w feed.TeamFindings, prefix string) bool {
	for _, f := range w.Findings {
		if strings.HasPrefix(f.Call, prefix) {
			return true
		}
	}
	return false
}
