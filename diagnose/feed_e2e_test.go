package diagnose

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/recording"
	"github.com/calltop/calltop/feed/sim"
)

// loopbackFeed serves a hub on an in-memory network (feedtest.MemNet: the
// test runs in virtual time, in a testing/synctest bubble) and connects a
// client.Client to it; it returns the hub and the client's events.
// Everything stops with t.
func loopbackFeed(t *testing.T) (*hub.Hub, <-chan feed.Event) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	mem := feedtest.NewMemNet()
	ln, err := mem.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	feedHub := hub.New(hub.Config{Logf: func(string, ...any) {}})
	served := make(chan struct{})
	go func() { defer close(served); _ = feedHub.Serve(ctx, ln) }()
	client, err := client.New(client.Config{URLs: []string{"ws://" + ln.Addr().String() + "/feed"}, Buffer: 65536,
		NetDialContext: mem.DialContext})
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan struct{})
	go func() { defer close(ran); _ = client.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-ran; <-served })
	events := client.Events()
	deadline := time.After(10 * time.Second)
	for { // wait until live and the first (empty) snapshot is in
		select {
		case ev := <-events:
			if ev.Kind == feed.EventMessage && ev.Msg.Type == feed.TypeSnapshot {
				return feedHub, events
			}
		case <-deadline:
			t.Fatal("client never received the hub's snapshot")
		}
	}
}

// TestScenariosOverWebSocket runs each simulator scenario through hub ->
// WebSocket (in memory, in virtual time) -> client.Client -> Monitor at
// 50x, and checks the scenario's finding appears within 30 s of feed time.
func TestScenariosOverWebSocket(t *testing.T) {
	const feedSpan = 35 * time.Second
	for _, name := range sim.ScenarioNames() {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, err := sim.New(sim.Config{Calls: 3, Scenarios: []string{name}, Seed: 5})
				if err != nil {
					t.Fatal(err)
				}
				feedHub, events := loopbackFeed(t)
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() { defer close(done); _ = hub.StepSource(s.StepEach, time.Second, 50)(ctx, feedHub) }()
				defer func() { cancel(); <-done }()
				m := NewMonitor(Options{KeepEnded: true})
				wall := time.After(20 * time.Second)
				for m.Now().Sub(sim.DefaultStart) < feedSpan {
					select {
					case ev := <-events:
						if ev.Kind == feed.EventMessage {
							m.Apply(ev.Msg)
						}
					case <-wall:
						t.Fatalf("only %v of feed time arrived in 20 s", m.Now().Sub(sim.DefaultStart))
					}
				}
				var all []Finding
				for _, c := range m.views.allCalls() {
					for _, f := range c.findings {
						all = append(all, *f)
					}
				}
				checkScenario(t, name, sim.DefaultStart, all)
			})
		})
	}
}

// simRecords records secs seconds of a scenario as recording records.
func simRecords(t *testing.T, scenario string, secs int) []recording.Record {
	t.Helper()
	s, err := sim.New(sim.Config{Calls: 2, Scenarios: []string{scenario}, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	var recs []recording.Record
	for i := 0; i < secs; i++ {
		for _, m := range s.Step() {
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, recording.Record{Recv: time.UnixMilli(int64(m.TS)), Msg: b})
		}
	}
	return recs
}

// findingLines renders every finding, open or cleared, for comparison.
func findingLines(m *Monitor) []string {
	var out []string
	for _, c := range m.views.allCalls() {
		for _, f := range c.findings {
			out = append(out, fmt.Sprintf("%s %s %s %v %v %q", f.Key(), f.Severity, f.Start.Format(time.RFC3339Nano),
				f.End.Format(time.RFC3339Nano), f.Evidence, f.Message))
		}
	}
	return out
}

// replayOverFeed replays recs through a hub at speed and applies what the
// client receives.
func replayOverFeed(t *testing.T, recs []recording.Record, speed float64) *Monitor {
	t.Helper()
	feedHub, events := loopbackFeed(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = hub.ReplaySource(recs, speed, false)(ctx, feedHub) }()
	defer func() { cancel(); <-done }()
	m := NewMonitor(Options{KeepEnded: true})
	wall := time.After(time.Duration(float64(recs[len(recs)-1].Recv.Sub(recs[0].Recv))/speed) + 15*time.Second)
	for n := 0; n < len(recs); {
		select {
		case ev := <-events:
			if ev.Kind == feed.EventMessage {
				m.Apply(ev.Msg)
				n++
			}
		case <-wall:
			t.Fatalf("replay at %vx: %d of %d frames arrived", speed, n, len(recs))
		}
	}
	return m
}

// TestReplaySpeedDoesNotChangeFindings: findings depend on data time only,
// so a recording replayed at 1x and at 8x, and applied directly, gives the
// same findings.
func TestReplaySpeedDoesNotChangeFindings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := simRecords(t, "one-way-audio", 10)
		direct := NewMonitor(Options{KeepEnded: true})
		var msg feed.Message
		for _, r := range recs {
			if err := feed.Decode(r.Msg, &msg); err != nil {
				t.Fatal(err)
			}
			direct.Apply(&msg)
		}
		want := findingLines(direct)
		if len(want) == 0 {
			t.Fatal("the recording produced no finding to compare")
		}
		for _, speed := range []float64{1, 8} {
			got := findingLines(replayOverFeed(t, recs, speed))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("at %vx the findings differ:\n got %v\nwant %v", speed, got, want)
			}
		}
	})
}
