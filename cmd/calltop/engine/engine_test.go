package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// t0 is the data time the test feeds start at.
var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func ms(t time.Time) float64 { return float64(t.UnixMilli()) }

// callStart is a call.start message for call i at data time t0+i seconds.
func callStart(i int) *feed.Message {
	at := t0.Add(time.Duration(i) * time.Second)
	return &feed.Message{Type: feed.TypeCallStart, TS: ms(at),
		Call: &feed.Call{ID: fmt.Sprintf("call-%d", i), Start: ms(at)}}
}

// startEngine runs e until the test ends and checks Run returned.
func startEngine(t *testing.T, e *Engine) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("engine did not stop within 5 s of cancel")
		}
	})
}

// nextFrame waits up to d for a frame.
func nextFrame(t *testing.T, e *Engine, d time.Duration) (Frame, bool) {
	t.Helper()
	select {
	case f, ok := <-e.Frames():
		return f, ok
	case <-time.After(d):
		return Frame{}, false
	}
}

// waitFrame waits for a frame that satisfies ok, failing after d.
func waitFrame(t *testing.T, e *Engine, d time.Duration, what string, ok func(Frame) bool) Frame {
	t.Helper()
	deadline := time.Now().Add(d)
	var last Frame
	for time.Now().Before(deadline) {
		f, got := nextFrame(t, e, time.Until(deadline))
		if !got {
			break
		}
		last = f
		if ok(f) {
			return f
		}
	}
	t.Fatalf("no frame with %s within %v (last frame: seq %d, %d calls, replay %+v)",
		what, d, last.Seq, len(last.Calls.Calls), last.Replay)
	return Frame{}
}

func newLiveEngine(t *testing.T, events chan feed.Event, interval time.Duration) *Engine {
	t.Helper()
	return startLive(t, Options{NewMonitor: newTestMonitor, Source: "test", Events: events, FrameInterval: interval})
}

func startLive(t *testing.T, opts Options) *Engine {
	t.Helper()
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	startEngine(t, e)
	return e
}

func TestManyMessagesBecomeFewFrames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events := make(chan feed.Event, 64)
		e := newLiveEngine(t, events, 50*time.Millisecond)
		const n = 20000
		began := time.Now()
		for i := 0; i < n; i++ {
			events <- feed.Event{Msg: callStart(i)}
		}
		var frames, pending int
		f := waitFrame(t, e, 5*time.Second, "every call", func(f Frame) bool {
			frames++
			pending += f.Pending
			return len(f.Calls.Calls) == n
		})
		elapsed := time.Since(began)
		// One frame per 50 ms at most, plus the first one, which is immediate.
		if limit := int(elapsed/(50*time.Millisecond)) + 2; frames > limit {
			t.Errorf("%d messages gave %d frames in %v; want at most %d", n, frames, elapsed, limit)
		}
		if pending != n {
			t.Errorf("frames' Pending add up to %d, want %d messages", pending, n)
		}
		if want := t0.Add((n - 1) * time.Second); !f.Calls.FeedTime.Equal(want) {
			t.Errorf("last frame's feed time %v, want %v", f.Calls.FeedTime, want)
		}
		if f.Feed.Source != "test" {
			t.Errorf("frame's feed source %q, want %q", f.Feed.Source, "test")
		}
	})
}

func TestNoFramesWhenIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events := make(chan feed.Event, 8)
		e := newLiveEngine(t, events, 20*time.Millisecond)
		events <- feed.Event{Msg: callStart(1)}
		waitFrame(t, e, 2*time.Second, "the call", func(f Frame) bool { return len(f.Calls.Calls) == 1 })
		if f, got := nextFrame(t, e, 300*time.Millisecond); got {
			t.Fatalf("frame %d sent while nothing changed", f.Seq)
		}
		events <- feed.Event{Msg: callStart(2)}
		waitFrame(t, e, 2*time.Second, "the second call", func(f Frame) bool { return len(f.Calls.Calls) == 2 })
	})
}

func TestUnreadFrameIsReplacedByNewest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events := make(chan feed.Event, 8)
		e := newLiveEngine(t, events, 10*time.Millisecond)
		for i := 0; i < 5; i++ {
			events <- feed.Event{Msg: callStart(i)}
			time.Sleep(30 * time.Millisecond) // several frame intervals: each batch gets a frame
		}
		f, got := nextFrame(t, e, time.Second)
		if !got {
			t.Fatal("no frame")
		}
		if len(f.Calls.Calls) != 5 || f.Pending != 5 {
			t.Fatalf("the one waiting frame has %d calls and %d pending; want the newest (5 and 5)", len(f.Calls.Calls), f.Pending)
		}
		if f.Seq < 2 {
			t.Errorf("frame seq %d: earlier frames were not replaced", f.Seq)
		}
	})
}

func TestFocusReachesSnapshot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events := make(chan feed.Event, 8)
		e := newLiveEngine(t, events, 10*time.Millisecond)
		events <- feed.Event{Msg: callStart(1)}
		events <- feed.Event{Msg: callStart(2)}
		e.Focus("call-2")
		waitFrame(t, e, 2*time.Second, "focus on call-2", func(f Frame) bool {
			return f.Calls.Focus != nil && f.Calls.Focus.Summary.ID == "call-2"
		})
	})
}

func TestFeedStateReachesFrameAndBook(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events := make(chan feed.Event, 8)
		e := startLive(t, Options{NewMonitor: newTestMonitor, Source: "test", Events: events,
			FrameInterval: 10 * time.Millisecond, NewBook: func() *alert.Book { return alert.NewBook(alert.Options{}) }})
		events <- feed.Event{Msg: callStart(1)}
		events <- feed.Event{Kind: feed.EventState, Status: live()}
		events <- feed.Event{Kind: feed.EventState, Status: reconnecting("connection refused")}
		f := waitFrame(t, e, 2*time.Second, "state reconnecting", func(f Frame) bool { return f.Feed.State == "reconnecting" })
		if f.Feed.Reason != "connection refused" || f.Feed.Source != "test" {
			t.Errorf("feed status %+v lost its reason or source", f.Feed)
		}
		if !f.Alerts.FeedDown || !strings.Contains(alertMessages(f), "connection refused") {
			t.Errorf("the book did not raise feed-down with the reason: %q", alertMessages(f))
		}
		events <- feed.Event{Kind: feed.EventState, Status: live()}
		f = waitFrame(t, e, 2*time.Second, "state live", func(f Frame) bool { return f.Feed.State == "live" })
		if f.Alerts.FeedDown {
			t.Errorf("feed-down still active once live again: %q", alertMessages(f))
		}
	})
}

func alertMessages(f Frame) string {
	var out []string
	for _, a := range f.Alerts.Active {
		out = append(out, string(a.State)+": "+a.Message)
	}
	return strings.Join(out, "; ")
}

func TestClosedEventsEndRunWithLastFrame(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events := make(chan feed.Event, 8)
		e, err := New(Options{NewMonitor: newTestMonitor, Events: events, FrameInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		events <- feed.Event{Msg: callStart(1)}
		close(events)
		if err := e.Run(context.Background()); err != nil {
			t.Fatalf("Run after the feed closed: %v", err)
		}
		f, got := nextFrame(t, e, time.Second)
		if !got || len(f.Calls.Calls) != 1 {
			t.Fatalf("no final frame with the call (got %v, %d calls)", got, len(f.Calls.Calls))
		}
	})
}

func TestNewRefusesBadOptions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if _, err := New(Options{Events: make(chan feed.Event)}); err == nil {
			t.Error("New without NewMonitor succeeded")
		}
		if _, err := New(Options{NewMonitor: newTestMonitor}); err == nil {
			t.Error("New without Events or Replay succeeded")
		}
	})
}

func live() feed.Status { return feed.Status{State: feed.StateLive, URL: "ws://127.0.0.1:1/feed"} }

func reconnecting(reason string) feed.Status {
	return feed.Status{State: feed.StateReconnecting, Reason: reason, NextAttempt: time.Now().Add(time.Second)}
}

func TestBadFramesAreCountedWithTheReason(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events := make(chan feed.Event, 8)
		e := newLiveEngine(t, events, 10*time.Millisecond)
		events <- feed.Event{Kind: feed.EventBadFrame, Reason: "not a calltop.v1 JSON object"}
		events <- feed.Event{Kind: feed.EventBadFrame, Reason: "stats message without callId"}
		events <- feed.Event{Msg: callStart(1)}
		f := waitFrame(t, e, 2*time.Second, "the call", func(f Frame) bool { return len(f.Calls.Calls) == 1 })
		if f.Feed.BadFrames != 2 || f.Feed.LastBad != "stats message without callId" {
			t.Errorf("feed status counts %d bad frames, last %q; want 2 and the last reason", f.Feed.BadFrames, f.Feed.LastBad)
		}
		events <- feed.Event{Kind: feed.EventState, Status: live()}
		f = waitFrame(t, e, 2*time.Second, "live", func(f Frame) bool { return f.Feed.State == "live" })
		if f.Feed.BadFrames != 2 {
			t.Errorf("a state change lost the bad-frame count: %d", f.Feed.BadFrames)
		}
	})
}

func TestFirstFrameAndFeedNamedByURL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events := make(chan feed.Event, 8)
		e := startLive(t, Options{NewMonitor: newTestMonitor, Events: events, FrameInterval: 10 * time.Millisecond})
		f, got := nextFrame(t, e, time.Second)
		if !got || f.Feed.State != "connecting" {
			t.Fatalf("no first frame saying connecting before any event (got %v, state %q)", got, f.Feed.State)
		}
		events <- feed.Event{Kind: feed.EventState, Status: live()}
		f = waitFrame(t, e, 2*time.Second, "live", func(f Frame) bool { return f.Feed.State == "live" })
		if f.Feed.Source != live().URL {
			t.Errorf("feed named %q, want the URL in use %q", f.Feed.Source, live().URL)
		}
	})
}
