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
	_, view, _ := startHubCLI(t, "--nats", s.ClientURL(), "--hub-id", "view", "--nats-lost-for", "1s")

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
		// west stops (Ctrl-C): its calls are marked source lost at the view
		// hub, then end (--nats-lost-for 1s) as source lost.
		if err := stopWest(); err != nil {
			t.Fatal(err)
		}
		lost := map[string]bool{}
		feedtest.WaitEvent(t, c, 10*time.Second, "west's calls to be marked lost, then end", func(ev feed.Event) bool {
			if ev.Kind != feed.EventMessage || !strings.HasPrefix(ev.Msg.CallID+idOf(ev.Msg.Call), "west/") {
				return false
			}
			switch ev.Msg.Type {
			case feed.TypeCallUpdate:
				lost[ev.Msg.Call.ID] = ev.Msg.Call.Source == feed.SourceLost
			case feed.TypeCallEnd:
				if !lost[ev.Msg.CallID] {
					t.Errorf("%s ended without being marked lost first", ev.Msg.CallID)
				}
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
		{"hub", "--simulate", "1", "--nats-lost-for", "10s"},
		{"hub", "--simulate", "1", "--nats", "nats://127.0.0.1:1", "--nats-lost-for", "0s"},
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

// idOf is a call's id, or "" for none.
func idOf(c *feed.Call) string {
	if c == nil {
		return ""
	}
	return c.ID
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
