package engine

import (
	"encoding/json"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/recording"
	"github.com/calltop/calltop/feed/sim"
)

// These tests run the engine over the real diagnose.Monitor and alert.Book
// with the simulator's messages.

func realMonitor() Monitor { return diagnose.NewMonitor(diagnose.Options{}) }

// simEvents runs the simulator for steps intervals and returns its
// messages as feed events, through JSON as a client would receive them
// (the simulator reuses its messages' memory from step to step).
func simEvents(t testing.TB, calls int, scenario string, steps int) []feed.Event {
	t.Helper()
	var sc []string
	if scenario != "" {
		sc = []string{scenario}
	}
	s, err := sim.New(sim.Config{Calls: calls, Scenarios: sc, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var out []feed.Event
	for i := 0; i < steps; i++ {
		for _, m := range s.Step() {
			raw, err := json.Marshal(&m)
			if err != nil {
				t.Fatal(err)
			}
			msg := new(feed.Message)
			if err := feed.Decode(raw, msg); err != nil {
				t.Fatal(err)
			}
			out = append(out, feed.Event{Msg: msg})
		}
	}
	return out
}

func TestRealMonitorCoalescesASimulatedFleet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		evs := simEvents(t, 40, "", 8)
		events := make(chan feed.Event, 1024)
		e := startLive(t, Options{NewMonitor: realMonitor, Source: "sim", Events: events,
			FrameInterval: 100 * time.Millisecond, NewBook: func() *alert.Book { return alert.NewBook(alert.Options{}) }})
		began := time.Now()
		go func() {
			for _, ev := range evs {
				events <- ev
			}
		}()
		var frames, pending int
		f := waitFrame(t, e, 20*time.Second, "every message applied", func(f Frame) bool {
			frames++
			pending += f.Pending
			return pending == len(evs)
		})
		if limit := int(time.Since(began)/(100*time.Millisecond)) + 2; frames > limit {
			t.Errorf("%d messages gave %d frames; want at most %d (one per 100 ms)", len(evs), frames, limit)
		}
		if n := len(f.Calls.Calls); n < 40 {
			t.Errorf("the last frame has %d calls, want the simulated 40", n)
		}
		t.Logf("%d messages, %d frames in %v", len(evs), frames, time.Since(began).Round(time.Millisecond))
	})
}

func TestRealBookAcksAWifiLossAlert(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		evs := simEvents(t, 2, "wifi-loss", 40)
		events := make(chan feed.Event, len(evs))
		for _, ev := range evs {
			events <- ev
		}
		e := startLive(t, Options{NewMonitor: realMonitor, Source: "sim", Events: events,
			FrameInterval: 10 * time.Millisecond, NewBook: func() *alert.Book { return alert.NewBook(alert.Options{User: "agent"}) }})
		var key string
		waitFrame(t, e, 10*time.Second, "a firing loss-inbound alert", func(f Frame) bool {
			for _, a := range f.Alerts.Active {
				if a.Rule == diagnose.RuleLossInbound && a.State == alert.Firing {
					key = a.Key
					return true
				}
			}
			return false
		})
		e.Ack(key, "")
		f := waitFrame(t, e, 2*time.Second, "the alert acknowledged", func(f Frame) bool {
			a := findAlert(f, key)
			return a != nil && a.State == alert.Acknowledged
		})
		if a := findAlert(f, key); a.Ack.Who != "agent" || !strings.Contains(a.Message, "%") {
			t.Errorf("acknowledged alert %+v", a)
		}
		e.Focus(findAlert(f, key).Subject.CallID)
		f = waitFrame(t, e, 2*time.Second, "the call's detail", func(f Frame) bool { return f.Calls.Focus != nil })
		if len(f.Calls.Focus.Findings) == 0 {
			t.Error("the focused call has no findings")
		}
	})
}

// BenchmarkFrame10000 measures what the engine does per frame with 10,000
// calls (the Monitor's snapshot and the Book's), after a tenth of a
// second's worth of the fleet's messages (a frame interval at 1 s stats)
// has changed some calls. Applying them is not timed.
func BenchmarkFrame10000(b *testing.B) {
	s, err := sim.New(sim.Config{Calls: 10000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(Options{NewMonitor: realMonitor, Events: make(chan feed.Event),
		NewBook: func() *alert.Book { return alert.NewBook(alert.Options{}) }})
	if err != nil {
		b.Fatal(err)
	}
	l := newLoop(e)
	defer l.stopTimers()
	var msgs []feed.Message
	next := 0
	feedTenth := func() {
		if next >= len(msgs) {
			msgs, next = s.Step(), 0
		}
		end := min(next+len(msgs)/10+1, len(msgs))
		for ; next < end; next++ {
			l.apply(&msgs[next])
		}
	}
	for i := 0; i < 30; i++ {
		feedTenth()
	}
	runtime.GC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		feedTenth()
		b.StartTimer()
		l.emit(time.Now())
	}
	f := <-l.e.frames
	b.ReportMetric(float64(len(f.Calls.Calls)), "calls")
}

// BenchmarkFeedToFrame10000 feeds a 10,000-call simulated fleet to the
// engine as fast as it takes it and reports how late frames are (from the
// first change a frame carries to the frame being read): p50 and p99 in
// ms, at the default 50 ms frame interval. Run with -benchtime=1x.
func BenchmarkFeedToFrame10000(b *testing.B) {
	s, err := sim.New(sim.Config{Calls: 10000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	steps := make([][]byte, 0, 4)
	for i := 0; i < 4; i++ { // encode a few steps up front: the feed is JSON
		msgs := s.Step()
		for j := range msgs {
			raw, _ := json.Marshal(&msgs[j])
			steps = append(steps, raw)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		events := make(chan feed.Event, 1024)
		e, err := New(Options{NewMonitor: realMonitor, Events: events,
			NewBook: func() *alert.Book { return alert.NewBook(alert.Options{}) }})
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- e.Run(b.Context()) }()
		go func() {
			for _, raw := range steps {
				m := new(feed.Message)
				if feed.Decode(raw, m) == nil {
					events <- feed.Event{Msg: m}
				}
			}
			close(events)
		}()
		var late []time.Duration
		for f := range e.Frames() {
			if !f.FirstChange.IsZero() {
				late = append(late, time.Since(f.FirstChange))
			}
		}
		<-done
		slices.Sort(late)
		b.ReportMetric(float64(len(late)), "frames")
		b.ReportMetric(float64(late[len(late)/2])/1e6, "p50-ms")
		b.ReportMetric(float64(late[len(late)*99/100])/1e6, "p99-ms")
	}
}

// BenchmarkReplaySeekBack measures a backward seek near the end of ten
// minutes of a 40-call recording: a fresh Monitor and Book, and every
// record up to the target decoded and applied again.
func BenchmarkReplaySeekBack(b *testing.B) {
	s, err := sim.New(sim.Config{Calls: 40, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	var recs []recording.Record
	for i := 0; i < 600; i++ {
		for _, m := range s.Step() {
			raw, _ := json.Marshal(&m)
			recs = append(recs, recording.Record{Recv: s.Now(), Msg: raw})
		}
	}
	e, err := New(Options{NewMonitor: realMonitor, Replay: &Replay{Records: recs},
		NewBook: func() *alert.Book { return alert.NewBook(alert.Options{}) }})
	if err != nil {
		b.Fatal(err)
	}
	l := newLoop(e)
	defer l.stopTimers()
	p := l.replay
	p.paused = true
	now := time.Now()
	seek := func(d time.Duration) {
		p.seek(l, d, now)
		for p.catching {
			p.catchUp(l, now)
		}
	}
	seek(time.Hour) // to the end
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		seek(-10 * time.Second)
		b.StopTimer()
		seek(time.Hour)
		b.StartTimer()
	}
	b.ReportMetric(float64(len(recs)), "records")
}
