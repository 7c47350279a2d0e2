package engine

import (
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/recording"
)

// records makes n records, one call.start each, spaced by gap.
func records(t *testing.T, n int, gap time.Duration) []recording.Record {
	t.Helper()
	recs := make([]recording.Record, n)
	for i := range recs {
		m := callStart(i)
		m.TS = ms(t0.Add(time.Duration(i) * gap))
		raw, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		recs[i] = recording.Record{Recv: t0.Add(time.Duration(i) * gap), Msg: raw}
	}
	return recs
}

func newReplayEngine(t *testing.T, r *Replay, monitors *atomic.Int32) *Engine {
	t.Helper()
	e, err := New(Options{
		NewMonitor: func() Monitor {
			if monitors != nil {
				monitors.Add(1)
			}
			return newTestMonitor()
		},
		Source: "test.jsonl", Replay: r, FrameInterval: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	startEngine(t, e)
	return e
}

// appliedBy is how many calls of a one-per-second recording are applied
// at position pos.
func appliedBy(pos time.Time) int { return int(pos.Sub(t0)/time.Second) + 1 }

func TestReplayPauseSeekAndSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var monitors atomic.Int32
		e := newReplayEngine(t, &Replay{Records: records(t, 60, time.Second), Speed: 8}, &monitors)
		e.ReplayPause(true)
		f := waitFrame(t, e, 2*time.Second, "paused", func(f Frame) bool { return f.Replay != nil && f.Replay.Paused })
		pos := f.Replay.Position
		if !f.Replay.Start.Equal(t0) || !f.Replay.End.Equal(t0.Add(59*time.Second)) {
			t.Errorf("replay bounds %v..%v, want %v..%v", f.Replay.Start, f.Replay.End, t0, t0.Add(59*time.Second))
		}
		if f.Feed.State != "replay" || f.Feed.Source != "test.jsonl" {
			t.Errorf("feed status %+v, want state replay from test.jsonl", f.Feed)
		}

		e.ReplaySeek(30 * time.Second)
		pos = pos.Add(30 * time.Second)
		f = waitFrame(t, e, 2*time.Second, "position +30 s", func(f Frame) bool { return f.Replay.Position.Equal(pos) })
		if got, want := len(f.Calls.Calls), appliedBy(pos); got != want {
			t.Errorf("after seeking forward to %v: %d calls applied, want %d", pos.Sub(t0), got, want)
		}
		if !f.Replay.Paused {
			t.Error("seeking resumed a paused replay")
		}

		e.ReplaySeek(-10 * time.Second)
		pos = pos.Add(-10 * time.Second)
		f = waitFrame(t, e, 2*time.Second, "position -10 s", func(f Frame) bool { return f.Replay.Position.Equal(pos) })
		if got, want := len(f.Calls.Calls), appliedBy(pos); got != want {
			t.Errorf("after seeking back to %v: %d calls, want %d (a fresh Monitor re-applied from the start)", pos.Sub(t0), got, want)
		}
		if monitors.Load() != 2 {
			t.Errorf("%d Monitors made; seeking back should make exactly one more", monitors.Load())
		}

		e.ReplaySeek(-time.Hour)
		f = waitFrame(t, e, 2*time.Second, "position at the start", func(f Frame) bool { return f.Replay.Position.Equal(t0) })
		if len(f.Calls.Calls) != 1 {
			t.Errorf("at the start %d calls applied, want 1", len(f.Calls.Calls))
		}

		e.ReplaySpeedStep(+1)
		waitFrame(t, e, 2*time.Second, "speed 16", func(f Frame) bool { return f.Replay.Speed == 16 })
		e.ReplaySpeedStep(+1)
		e.ReplaySpeed(2)
		waitFrame(t, e, 2*time.Second, "speed 2", func(f Frame) bool { return f.Replay.Speed == 2 })
		e.ReplaySpeedStep(-1)
		waitFrame(t, e, 2*time.Second, "speed 1", func(f Frame) bool { return f.Replay.Speed == 1 })

		e.ReplayPause(false)
		f = waitFrame(t, e, 3*time.Second, "the replay moving again", func(f Frame) bool {
			return !f.Replay.Paused && len(f.Calls.Calls) >= 2
		})
		if f.Replay.Position.Before(t0.Add(time.Second)) {
			t.Errorf("resumed replay at %v has 2 calls but position %v", f.Replay.Position, f.Replay.Position.Sub(t0))
		}
	})
}

func TestReplayKeepsRecordedPace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newReplayEngine(t, &Replay{Records: records(t, 60, time.Second), Speed: 8}, nil)
		began := time.Now()
		f := waitFrame(t, e, 2*time.Second, "a frame", func(Frame) bool { return true })
		if n := len(f.Calls.Calls); n > 3 {
			t.Errorf("first frame already has %d calls: the replay did not wait for the recorded spacing", n)
		}
		f = waitFrame(t, e, 3*time.Second, "10 calls", func(f Frame) bool { return len(f.Calls.Calls) >= 10 })
		// 9 s of recording at 8x is 1.125 s of wall time.
		if el := time.Since(began); el < time.Second {
			t.Errorf("9 s of recording at 8x played in %v; want about 1.1 s", el)
		}
		if f.Replay.Ended {
			t.Error("replay ended early")
		}
	})
}

func TestReplayEndsAndKeepsTheView(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := records(t, 20, 50*time.Millisecond)
		recs[5].Msg = []byte(`{"type":"stats"}`)
		e := newReplayEngine(t, &Replay{Records: recs, Speed: 16, Problems: 2, LastProblem: "x:3: not JSON"}, nil)
		f := waitFrame(t, e, 3*time.Second, "the end", func(f Frame) bool { return f.Replay != nil && f.Replay.Ended })
		if f.Feed.State != "ended" {
			t.Errorf("feed state %q at the end, want ended", f.Feed.State)
		}
		if len(f.Calls.Calls) != 19 {
			t.Errorf("%d calls at the end, want 19 (one record is malformed)", len(f.Calls.Calls))
		}
		if f.Feed.BadFrames != 3 || f.Feed.LastBad == "" {
			t.Errorf("bad frames %d (%q), want the file's 2 problems plus 1 malformed record", f.Feed.BadFrames, f.Feed.LastBad)
		}
		if !f.Replay.Position.Equal(f.Replay.End) {
			t.Errorf("position %v at the end, want %v", f.Replay.Position, f.Replay.End)
		}
		e.ReplaySeek(-time.Hour)
		f = waitFrame(t, e, 3*time.Second, "the end again", func(f Frame) bool { return f.Replay.Ended && f.Seq > 1 && len(f.Calls.Calls) == 19 })
		if f.Feed.BadFrames != 3 {
			t.Errorf("replaying again counted the malformed record twice: %d bad frames", f.Feed.BadFrames)
		}
	})
}

func TestReplayJoinsASplitSnapshot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		part := func(n int, ids ...string) recording.Record {
			m := feed.Message{Type: feed.TypeSnapshot, TS: ms(t0), Part: n, Parts: 2}
			for _, id := range ids {
				m.Calls = append(m.Calls, feed.Call{ID: id})
			}
			raw, err := json.Marshal(&m)
			if err != nil {
				t.Fatal(err)
			}
			return recording.Record{Recv: t0, Msg: raw}
		}
		recs := []recording.Record{part(1, "a", "b"), part(2, "c")}
		e, err := New(Options{Source: "split.jsonl", Replay: &Replay{Records: recs}, FrameInterval: time.Millisecond,
			NewMonitor: func() Monitor { return &snapshotMonitor{testMonitor: &testMonitor{}} }})
		if err != nil {
			t.Fatal(err)
		}
		startEngine(t, e)
		f := waitFrame(t, e, 2*time.Second, "the end", func(f Frame) bool { return f.Replay != nil && f.Replay.Ended })
		if got := strings.Join(callIDs(f), ","); got != "a,b,c" {
			t.Errorf("after a snapshot split in two parts the calls are %q, want a,b,c", got)
		}
		if f.Feed.BadFrames != 0 {
			t.Errorf("a well-formed split snapshot counted %d bad frames (%s)", f.Feed.BadFrames, f.Feed.LastBad)
		}
	})
}

// snapshotMonitor replaces its calls with each snapshot, as the real
// Monitor does (a snapshot is authoritative).
type snapshotMonitor struct{ *testMonitor }

func (m *snapshotMonitor) Apply(msg *feed.Message) {
	if msg.Type == feed.TypeSnapshot {
		m.calls = nil
		for _, c := range msg.Calls {
			m.calls = append(m.calls, &diagnose.CallSummary{ID: c.ID})
		}
		return
	}
	m.testMonitor.Apply(msg)
}

func callIDs(f Frame) []string {
	var ids []string
	for _, c := range f.Calls.Calls {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestQueuedSeeksAddUpToOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var monitors atomic.Int32
		e, err := New(Options{Source: "test.jsonl", FrameInterval: 10 * time.Millisecond,
			Replay:     &Replay{Records: records(t, 60, time.Second)},
			NewMonitor: func() Monitor { monitors.Add(1); return newTestMonitor() }})
		if err != nil {
			t.Fatal(err)
		}
		// Queued before Run starts: pause, forward 40 s, then back 3 x 10 s.
		e.ReplayPause(true)
		e.ReplaySeek(40 * time.Second)
		e.ReplaySeek(-10 * time.Second)
		e.ReplaySeek(-10 * time.Second)
		e.ReplaySeek(-10 * time.Second)
		startEngine(t, e)
		f := waitFrame(t, e, 2*time.Second, "position 10 s", func(f Frame) bool {
			if f.Replay == nil {
				return false
			}
			// Paused a moment after the start: 10 s and that moment.
			at := f.Replay.Position.Sub(t0)
			return at >= 10*time.Second && at < 10*time.Second+500*time.Millisecond
		})
		if got, want := len(f.Calls.Calls), appliedBy(f.Replay.Position); got != want {
			t.Errorf("%d calls at 10 s, want %d", got, want)
		}
		if n := monitors.Load(); n != 1 {
			t.Errorf("%d Monitors made: the seeks did not add up into one forward seek", n)
		}
	})
}

func TestLongSeekShowsNoHalfAppliedFrame(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const gap = 10 * time.Millisecond
		e := newReplayEngine(t, &Replay{Records: records(t, 20000, gap)}, nil) // 200 s, 5 catch-up batches
		e.ReplayPause(true)
		e.ReplaySeek(150 * time.Second)
		e.ReplayPause(false) // reaches the engine during the catch-up
		// The seek may finish before the loop reads the unpause (a loaded
		// machine): what matters is that no frame is half-applied and that the
		// unpause is not lost.
		waitFrame(t, e, 10*time.Second, "the replay past 150 s and playing (not left paused)", func(f Frame) bool {
			if f.Replay == nil {
				return false
			}
			if want := int(f.Replay.Position.Sub(t0)/gap) + 1; len(f.Calls.Calls) > want || (f.Replay.Paused && len(f.Calls.Calls) != want) {
				t.Fatalf("frame at %v has %d calls applied, want %d: a half-applied seek", f.Replay.Position.Sub(t0), len(f.Calls.Calls), want)
			}
			return f.Replay.Position.Sub(t0) >= 150*time.Second && !f.Replay.Paused
		})
	})
}

// TestReplayLoopsAndPlaysAgainAfterTheEnd: with Loop the replay starts
// over at the end (a fresh Monitor each pass); without it, space at the
// end plays it again from the start.
func TestReplayLoopsAndPlaysAgainAfterTheEnd(t *testing.T) {
	var monitors atomic.Int32
	e := newReplayEngine(t, &Replay{Records: records(t, 5, 100*time.Millisecond), Speed: 16, Loop: true}, &monitors)
	passes := 0
	wasEnded := false
	waitFrame(t, e, 10*time.Second, "three passes", func(f Frame) bool {
		if f.Replay == nil {
			return false
		}
		if wasEnded && !f.Replay.Ended {
			passes++
		}
		wasEnded = f.Replay.Ended
		return passes >= 2 && f.Replay.Ended
	})
	if n := monitors.Load(); n < 3 {
		t.Errorf("%d Monitors over three passes, want a fresh one each pass", n)
	}

	e2 := newReplayEngine(t, &Replay{Records: records(t, 5, 100*time.Millisecond), Speed: 16}, nil)
	waitFrame(t, e2, 5*time.Second, "the end", func(f Frame) bool { return f.Replay != nil && f.Replay.Ended })
	e2.ReplayPause(true) // the TUI's space on a replay that is not paused
	waitFrame(t, e2, 5*time.Second, "playing again", func(f Frame) bool {
		return !f.Replay.Ended && !f.Replay.Paused && f.Replay.Position.Before(f.Replay.End)
	})
	waitFrame(t, e2, 5*time.Second, "the end again", func(f Frame) bool { return f.Replay.Ended && len(f.Calls.Calls) == 5 })
}

// TestReplayStartsAtFrom: Replay.From jumps into the recording first.
func TestReplayStartsAtFrom(t *testing.T) {
	e := newReplayEngine(t, &Replay{Records: records(t, 60, time.Second), Speed: 1, From: 30 * time.Second}, nil)
	e.ReplayPause(true)
	f := waitFrame(t, e, 3*time.Second, "paused 30 s in", func(f Frame) bool {
		return f.Replay != nil && f.Replay.Paused && !f.Replay.Position.Before(t0.Add(30*time.Second))
	})
	if got, want := len(f.Calls.Calls), appliedBy(f.Replay.Position); got != want {
		t.Errorf("%d calls at %v, want %d", got, f.Replay.Position.Sub(t0), want)
	}
}
