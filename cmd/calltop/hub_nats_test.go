package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/bus"
	"github.com/calltop/calltop/feed/bus/bustest"
	"github.com/calltop/calltop/feed/feedtest"
)

// busCalls is what a subscriber of one hub sees of the hubs on the bus:
// the ongoing calls by hub id, and the calls it got stats for.
type busCalls struct {
	calls feedtest.CallSet
	stats map[string]bool
	ends  map[string]string // call -> reason
}

func (bc *busCalls) count(prefix string, set map[string]bool) int {
	n := 0
	for id, on := range set {
		if on && strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n
}

func TestHubsOnNATSServeEachOthersSimulatedCalls(t *testing.T) {
	s := bustest.StartServer(t, nil)
	_, east, _ := startHubCLI(t, "--simulate", "3", "--seed", "1", "--speed", "4", "--nats", s.ClientURL(), "--hub-id", "east")
	_, _, stopWest := startHubCLI(t, "--simulate", "2", "--seed", "1", "--speed", "4", "--nats", s.ClientURL(), "--hub-id", "west")
	// A hub with no source of its own serves the calls of the others.
	_, view, _ := startHubCLI(t, "--nats", s.ClientURL(), "--hub-id", "view")

	for _, addr := range []string{east, view} {
		c, _ := feedtest.RunClient(t, feedtest.FastClient("ws://"+addr+"/feed"))
		bc := &busCalls{calls: feedtest.CallSet{}, stats: map[string]bool{}, ends: map[string]string{}}
		feedtest.WaitEvent(t, c, 15*time.Second, "3 east and 2 west calls with stats at "+addr, func(ev feed.Event) bool {
			if ev.Kind != feed.EventMessage {
				return false
			}
			bc.calls.Apply(ev.Msg)
			if ev.Msg.Type == feed.TypeStats {
				bc.stats[ev.Msg.CallID] = true
			}
			return bc.count("east/", bc.calls) == 3 && bc.count("west/", bc.calls) == 2 &&
				bc.count("east/", bc.stats) > 0 && bc.count("west/", bc.stats) > 0
		})
		if addr != view {
			continue
		}
		health := healthOf(t, view)
		if !strings.Contains(health, `"bus":{"hubId":"view","connected":true,"peers":2`) {
			t.Fatalf("/healthz of the view hub: %s", health)
		}
		// west stops (Ctrl-C): its calls end at the view hub as source lost.
		if err := stopWest(); err != nil {
			t.Fatal(err)
		}
		feedtest.WaitEvent(t, c, 10*time.Second, "west's calls to end", func(ev feed.Event) bool {
			if ev.Kind == feed.EventMessage && ev.Msg.Type == feed.TypeCallEnd && strings.HasPrefix(ev.Msg.CallID, "west/") {
				bc.ends[ev.Msg.CallID] = ev.Msg.Reason
				bc.calls.Apply(ev.Msg)
			}
			return bc.count("west/", bc.calls) == 0
		})
		for id, reason := range bc.ends {
			if reason != bus.ReasonSourceLost {
				t.Errorf("%s ended with reason %q, want %q", id, reason, bus.ReasonSourceLost)
			}
		}
	}
}

func TestHubNATSFlagsNeedNATSAndASubjectSafeID(t *testing.T) {
	for _, args := range [][]string{
		{"hub", "--simulate", "1", "--hub-id", "east"},
		{"hub", "--simulate", "1", "--nats-creds", "x.creds"},
		{"hub", "--simulate", "1", "--nats", "nats://127.0.0.1:1", "--hub-id", "east.1"},
	} {
		cmd := newRootCmd(testEnv(nil))
		var out lockedBuffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append(args, "--listen", "127.0.0.1:0"))
		err := cmd.Execute()
		if err == nil || !(strings.Contains(err.Error(), "--nats") || strings.Contains(err.Error(), "hub id")) {
			t.Errorf("%v: error %v", args, err)
		}
	}
}

// healthOf returns a hub's /healthz answer.
func healthOf(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
