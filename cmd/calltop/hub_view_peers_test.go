package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/bus"
	"github.com/calltop/calltop/feed/bus/bustest"
	"github.com/calltop/calltop/feed/feedtest"
)

// busOf returns the bus section of a hub's /healthz.
func busOf(t *testing.T, addr string) bus.Stats {
	t.Helper()
	var h struct {
		Bus bus.Stats `json:"bus"`
	}
	if err := json.Unmarshal([]byte(healthOf(t, addr)), &h); err != nil {
		t.Fatalf("/healthz of %s: %v", addr, err)
	}
	return h.Bus
}

// waitBusStats waits until a hub's /healthz says it takes the other
// hubs' stats for want ("every call", "N open calls").
func waitBusStats(t *testing.T, addr, want string) {
	t.Helper()
	waitUntil(t, 10*time.Second, "the hub to take the stats of "+want, func() bool { return busOf(t, addr).StatsFor == want })
}

// busIntake measures the frames a hub takes from the bus a second, over
// two seconds.
func busIntake(t *testing.T, addr string) float64 {
	t.Helper()
	before := busOf(t, addr).Received
	time.Sleep(2 * time.Second)
	return float64(busOf(t, addr).Received-before) / 2
}

// rowsOf counts a window's rows by hub (the key's prefix) and how many of
// each hub's are marked source lost.
func rowsOf(w feed.ViewPage) (byHub, lost map[string]int) {
	byHub, lost = map[string]int{}, map[string]int{}
	for _, r := range w.Rows {
		hub, _, _ := strings.Cut(r.Key, "/")
		byHub[hub]++
		if r.Source == feed.SourceLost {
			lost[hub]++
		}
	}
	return byHub, lost
}

// TestTeamHubsIndexEveryHubsCalls: three team hubs on a 3-node NATS
// cluster, each diagnosing only its own 6 simulated calls (6 ongoing at a
// time: the windows list the ongoing ones). A raw view client
// of one hub gets windows of every hub's calls, worst first across hubs; a
// filter finds a person on another hub's call; opening that remote call
// streams its stats; a hub that stops has its rows shown source lost, and
// back when it runs again.
func TestTeamHubsIndexEveryHubsCalls(t *testing.T) {
	if testing.Short() {
		t.Skip("three team hubs on a NATS cluster: skipped with -short")
	}
	nodes := bustest.StartJetCluster(t, 3).Nodes // team hubs on NATS keep their state in JetStream
	hubArgs := func(id string, i int) []string {
		return []string{"--team", "--state-dir", t.TempDir(), "--simulate", "6", "--seed", fmt.Sprint(i + 1),
			"--speed", "4", "--nats", nodes[i].ClientURL(), "--hub-id", id}
	}
	_, east, _ := startHubCLI(t, hubArgs("east", 0)...)
	startHubCLI(t, hubArgs("west", 1)...)
	_, _, stopNorth := startHubCLI(t, hubArgs("north", 2)...)

	v := dialView(t, east)
	v.ask(feed.ViewQuery{Limit: 40})
	all := v.until(30*time.Second, "a window of the 3 hubs' 18 calls at east", nil, func(f *viewFrame) bool {
		if f.Type != feed.TypeViewWindow {
			return false
		}
		by, _ := rowsOf(f.Window)
		return f.Window.Matched == 18 && by["east"] == 6 && by["west"] == 6 && by["north"] == 6 && f.Window.Rows[0].Participants > 0
	}).Window
	for i := 1; i < len(all.Rows); i++ {
		if !all.Rows[i-1].Ended && sevRank(all.Rows[i].Severity) > sevRank(all.Rows[i-1].Severity) {
			t.Fatalf("worst first across hubs: row %d (%s) is %q after %q (%s)", i, all.Rows[i].Key, all.Rows[i].Severity, all.Rows[i-1].Severity, all.Rows[i-1].Key)
		}
	}

	// A person on a west call is found from east.
	i := slices.IndexFunc(all.Rows, func(r feed.ViewRow) bool { return strings.HasPrefix(r.Key, "west/") && len(r.People) > 0 })
	if i < 0 {
		t.Fatalf("no west row with people: %v", keysOf(all.Rows))
	}
	remote, person := all.Rows[i].Key, all.Rows[i].People[0].Name
	v.ask(feed.ViewQuery{Filter: person, Limit: 40})
	v.until(10*time.Second, "the filter "+person+" finding "+remote, nil, func(f *viewFrame) bool {
		return f.Type == feed.TypeViewWindow && f.Window.Matched < 18 && f.Window.Matched > 0 &&
			slices.ContainsFunc(f.Window.Rows, func(r feed.ViewRow) bool { return r.Key == remote })
	})

	// With only view clients, east takes none of the other hubs' stats
	// (the bulk of the bus) until one opens a call of theirs.
	waitBusStats(t, east, "0 open calls")
	idle := busIntake(t, east)

	// Opening the remote call streams it: a snapshot of it, then its stats.
	v.ask(feed.ViewQuery{Limit: 40, Open: remote})
	v.until(10*time.Second, "a snapshot of "+remote, nil, func(f *viewFrame) bool {
		return f.Type == feed.TypeSnapshot && len(f.Calls) == 1 && f.Calls[0].ID == remote && len(f.Calls[0].Participants) > 0
	})
	stats := 0
	v.until(15*time.Second, "3 stats of "+remote, func(f *viewFrame) {
		if f.CallID != "" && f.CallID != remote {
			t.Fatalf("with %s open, a %s of %s", remote, f.Type, f.CallID)
		}
	}, func(f *viewFrame) bool {
		if f.Type == feed.TypeStats {
			stats++
		}
		return stats == 3
	})
	waitBusStats(t, east, "1 open calls")

	// A subscriber of the whole feed gets every hub's stats: east takes
	// them all from the bus while it is there, and stops when it leaves.
	full, stopFull := feedtest.RunClient(t, feedtest.FastClient("ws://"+east+"/feed"))
	hubsWithStats := map[string]bool{}
	feedtest.WaitEvent(t, full, 15*time.Second, "stats of every hub's calls on east's full feed", func(ev feed.Event) bool {
		if ev.Kind == feed.EventMessage && ev.Msg.Type == feed.TypeStats {
			hub, _, _ := strings.Cut(ev.Msg.CallID, "/")
			hubsWithStats[hub] = true
		}
		return len(hubsWithStats) == 3
	})
	waitBusStats(t, east, "every call")
	withFull := busIntake(t, east)
	if withFull < 3*idle || withFull < 10 {
		t.Fatalf("east took %.1f frames/s from the bus with a full subscriber, %.1f with only a view client: the other hubs' stats are not on demand", withFull, idle)
	}
	t.Logf("east takes %.1f frames/s from the bus with a full subscriber, %.1f with only a view client", withFull, idle)
	stopFull()
	waitBusStats(t, east, "1 open calls")

	// North stops: its rows stay, marked lost; it runs again: back.
	v.ask(feed.ViewQuery{Limit: 40})
	stopNorth()
	v.until(20*time.Second, "north's 6 rows marked source lost", nil, func(f *viewFrame) bool {
		if f.Type != feed.TypeViewWindow {
			return false
		}
		by, lost := rowsOf(f.Window)
		return by["north"] == 6 && lost["north"] == 6 && lost["east"]+lost["west"] == 0
	})
	startHubCLI(t, hubArgs("north", 2)...)
	v.until(30*time.Second, "north's 6 rows back, not lost", nil, func(f *viewFrame) bool {
		if f.Type != feed.TypeViewWindow {
			return false
		}
		by, lost := rowsOf(f.Window)
		return f.Window.Matched == 18 && by["north"] == 6 && lost["north"] == 0
	})
}
