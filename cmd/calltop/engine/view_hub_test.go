package engine_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/cmd/calltop/viewserve"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/sim"
)

// indexHub is a real hub with its call index (as `calltop hub --simulate
// N --index` runs it: viewserve's engine diagnosing what the hub serves)
// on loopback.
type indexHub struct {
	*feedtest.TestHub
	stop func() // stops the hub, its index and its source
}

func startIndexHub(t *testing.T, calls int) *indexHub {
	return startIndexHubOn(t, "127.0.0.1:0", calls, 4)
}

// startIndexHubOn is startIndexHub on addr (a stopped hub's, to restart
// it), simulating with seed.
func startIndexHubOn(t *testing.T, addr string, calls int, seed int64) *indexHub {
	t.Helper()
	s := viewserve.New(viewserve.Config{})
	th := feedtest.StartHub(t, addr, s.HubConfig(hub.Config{}))
	src, err := sim.New(sim.Config{Calls: calls, Seed: seed, ElideStatTimestamps: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	newMonitor := func() engine.Monitor { return diagnose.NewMonitor(diagnose.Options{}) }
	wg.Go(func() { s.RunEngine(ctx, th.Hub, "", newMonitor) })
	wg.Go(func() { s.Run(ctx, th.Hub) })
	wg.Go(func() { hub.StepSource(src.StepEach, time.Second, 4)(ctx, th.Hub) })
	stop := func() { cancel(); wg.Wait(); th.Stop() }
	t.Cleanup(stop)
	return &indexHub{th, sync.OnceFunc(stop)}
}

// startClient runs a view-mode feed client and engine on h.
func (h *indexHub) startClient(t *testing.T) *engine.Engine {
	t.Helper()
	cfg := feedtest.FastClient(h.URL() + "?view=1")
	cfg.KeepUnknown = true
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Options{NewMonitor: func() engine.Monitor { return diagnose.NewMonitor(diagnose.Options{}) },
		Events: c.Events(), View: &engine.ViewOptions{Send: c.Send}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.Run(ctx) })
	wg.Go(func() { e.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return e
}

// until reads frames until ok holds of one, failing after d.
func until(t *testing.T, e *engine.Engine, d time.Duration, what string, ok func(engine.Frame) bool) engine.Frame {
	t.Helper()
	deadline := time.After(d)
	var last engine.Frame
	for {
		select {
		case f, open := <-e.Frames():
			if !open {
				t.Fatalf("frames closed waiting for %s", what)
			}
			if last = f; ok(f) {
				return f
			}
		case <-deadline:
			v := last.View
			if v == nil {
				v = &engine.ViewFrame{}
			}
			t.Fatalf("no frame with %s within %v (last: feed %s, window seq %d, %d of %d matched, %d rows, %d calls in the Monitor)",
				what, d, last.Feed.State, v.Seq, v.Matched, v.Total, len(v.Rows), len(last.Calls.Calls))
		}
	}
}

// TestViewModeOnARealIndexHub runs the engine in view mode against a real
// hub with its call index: the window is the hub's diagnosed calls worst
// first, the filter narrows them to a person, opening a call streams it
// through the engine's Monitor (the call screen's detail) and only it.
func TestViewModeOnARealIndexHub(t *testing.T) {
	h := startIndexHub(t, 80)
	e := h.startClient(t)
	f := until(t, e, 20*time.Second, "a window of the 80 diagnosed calls", func(f engine.Frame) bool {
		return f.View != nil && f.View.Total >= 80 && len(f.View.Rows) >= 40 && f.View.Rows[0].Participants > 0
	})
	w := f.View
	for i := 1; i < len(w.Rows); i++ {
		if !w.Rows[i-1].Ended && w.Rows[i].Severity > w.Rows[i-1].Severity {
			t.Fatalf("not worst first: row %d is %v after %v", i, w.Rows[i].Severity, w.Rows[i-1].Severity)
		}
	}
	if len(f.Calls.Calls) != 0 {
		t.Errorf("with no call open the Monitor holds %d calls: the hub sent the call stream", len(f.Calls.Calls))
	}

	var person diagnose.Person
	for _, c := range w.Rows {
		if !c.Ended && len(c.People) > 0 && c.People[0].UserID != "" {
			person = c.People[0]
			break
		}
	}
	e.SetView(feed.ViewQuery{Filter: person.UserID, Sort: feed.SortWorst, Limit: 40, Ended: true})
	f = until(t, e, 10*time.Second, "the window filtered to "+person.UserID, func(f engine.Frame) bool {
		return f.View != nil && f.View.Matched == 1 && len(f.View.Rows) == 1
	})
	call := f.View.Rows[0]
	if !slices.ContainsFunc(call.People, func(p diagnose.Person) bool { return p.UserID == person.UserID }) {
		t.Fatalf("filter %s matched call %s of %+v", person.UserID, call.Key, call.People)
	}

	e.Focus(call.Key)
	f = until(t, e, 15*time.Second, "the open call's detail with stats", func(f engine.Frame) bool {
		fd := f.Calls.Focus
		if fd == nil || fd.Summary == nil || fd.Summary.Key != call.Key {
			return false
		}
		for _, p := range fd.Participants {
			if len(p.BitrateOut.Values) > 1 { // stats moved: two samples at least
				return true
			}
		}
		return false
	})
	if len(f.Calls.Calls) != 1 {
		t.Errorf("with one call open the Monitor holds %d calls, want that call only", len(f.Calls.Calls))
	}

	e.Focus("")
	until(t, e, 10*time.Second, "the Monitor empty once the call is closed", func(f engine.Frame) bool {
		return len(f.Calls.Calls) == 0 && f.View != nil && f.View.Seq > 0
	})
}

// TestViewModeAsksARestartedHubAgain: when its hub restarts, the engine
// sends its request in force on the new connection, so the list comes
// back filtered as it was without the user doing anything.
func TestViewModeAsksARestartedHubAgain(t *testing.T) {
	h := startIndexHub(t, 40)
	e := h.startClient(t)
	f := until(t, e, 20*time.Second, "a window of the 40 calls", func(f engine.Frame) bool {
		return f.View != nil && f.View.Total >= 40 && len(f.View.Rows) > 0
	})
	room := f.View.Rows[0].Room
	e.SetView(feed.ViewQuery{Filter: room, Sort: feed.SortRoom, Limit: 40, Ended: true})
	old := until(t, e, 10*time.Second, "the window filtered to room "+room, func(f engine.Frame) bool {
		return f.View != nil && f.View.Matched < f.View.Total && f.View.Matched > 0 && f.View.Query.Filter == room
	}).View
	h.stop()
	// Other calls (another seed) on the same address: a new hub, knowing
	// nothing of the client, whose window cannot be mistaken for the old.
	startIndexHubOn(t, h.Addr, 40, 9)
	f = until(t, e, 20*time.Second, "a filtered window from the restarted hub", func(f engine.Frame) bool {
		return f.Feed.Connects >= 2 && f.View != nil && f.View.Total >= 40 && f.View.Matched < f.View.Total &&
			rowsOf(f.View) != rowsOf(old)
	})
	for _, c := range f.View.Rows {
		if !strings.Contains(strings.ToLower(c.Room+" "+c.ID), strings.ToLower(room)) && !slices.ContainsFunc(c.People, func(p diagnose.Person) bool {
			return strings.Contains(strings.ToLower(p.Name+" "+p.UserID), strings.ToLower(room))
		}) {
			t.Errorf("the restarted hub's window holds %s (room %s), which does not match %q", c.Key, c.Room, room)
		}
	}
}

// rowsOf names a window's rows, to tell two windows apart.
func rowsOf(v *engine.ViewFrame) string {
	var b strings.Builder
	for _, c := range v.Rows {
		b.WriteString(c.Key + "/" + c.Room + " ")
	}
	return b.String()
}
