package hub_test

import (
	"context"
	"errors"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/recording"
	"math"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/feed"
)

// timedPublisher notes when each message was published.
type timedPublisher struct {
	mu    sync.Mutex
	times []time.Time
}

func (p *timedPublisher) Publish(*feed.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.times = append(p.times, time.Now())
	return nil
}
func (p *timedPublisher) PublishFrame([]byte) error { return p.Publish(nil) }
func (p *timedPublisher) EndAll(string) error       { return nil }

func TestStepSourceSpreadsStepsAndKeepsPace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		steps := 0
		step := func(emit func(*feed.Message)) {
			steps++
			for range 100 {
				emit(&feed.Message{})
			}
		}
		p := &timedPublisher{}
		ctx, cancel := context.WithTimeout(context.Background(), 550*time.Millisecond)
		defer cancel()
		// 1 s of feed time per step at 10x: a step every 100 ms.
		start := time.Now()
		if err := hub.StepSource(step, time.Second, 10)(ctx, p); err != nil {
			t.Fatal(err)
		}
		// In virtual time the pace is exact: steps at 0, 100, ..., 500 ms.
		if steps != 6 {
			t.Fatalf("%d steps in 550 ms at one per 100 ms, want 6", steps)
		}
		// The first step goes at the rate cap (its size is not known before
		// it is made); from the second, the last message of a step goes out
		// about 99 ms after the first: spread, not a burst.
		if d := p.times[99].Sub(p.times[0]); d > 50*time.Millisecond {
			t.Fatalf("first step published over %v, want a few ms at 60,000 a second", d)
		}
		first, last := p.times[100], p.times[199]
		if d := last.Sub(first); d < 90*time.Millisecond || d > 100*time.Millisecond {
			t.Fatalf("second step published over %v, want about 99 ms", d)
		}
		if p.times[0].Sub(start) > 0 {
			t.Fatal("first message late")
		}
	})
}

func TestStepSourceCapsTheRateOfAHugeStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		big := true
		step := func(emit func(*feed.Message)) {
			if big {
				big = false
				for range 12000 { // 200 ms at 60,000 a second
					emit(&feed.Message{})
				}
			}
		}
		p := &timedPublisher{}
		ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
		defer cancel()
		hub.StepSource(step, 10*time.Millisecond, 1)(ctx, p)
		if d := p.times[len(p.times)-1].Sub(p.times[0]); d < 150*time.Millisecond {
			t.Fatalf("12,000 messages went out in %v: faster than 60,000 a second", d)
		}
	})
}

// failingPublisher fails from its nth message on.
type failingPublisher struct {
	timedPublisher
	n int
}

func (p *failingPublisher) Publish(m *feed.Message) error {
	if len(p.times) >= p.n {
		return errors.New("disk full")
	}
	return p.timedPublisher.Publish(m)
}

func TestStepSourceStopsWhenPublishFailsOrCtxEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		made := 0
		step := func(emit func(*feed.Message)) {
			for range 1000 {
				made++
				emit(&feed.Message{})
			}
		}
		p := &failingPublisher{n: 10}
		err := hub.StepSource(step, time.Second, 1)(context.Background(), p)
		if err == nil || err.Error() != "disk full" {
			t.Fatalf("StepSource returned %v, want the publisher's error", err)
		}
		if len(p.times) != 10 || made != 1000 {
			t.Fatalf("published %d of %d made, want 10: nothing after the error", len(p.times), made)
		}

		// A hub closing under the source is a clean stop.
		if err := hub.StepSource(step, time.Second, 1)(context.Background(), closedPublisher{}); err != nil {
			t.Fatalf("StepSource into a closed hub returned %v", err)
		}

		// Cancelled in the middle of a paced step: it returns at once, the
		// rest of the step unpublished.
		big := 0
		slow := func(emit func(*feed.Message)) {
			big += 1000
			for range big {
				emit(&feed.Message{})
			}
		}
		tp := &timedPublisher{}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(150*time.Millisecond, cancel)
		begin := time.Now()
		if err := hub.StepSource(slow, 100*time.Millisecond, 1)(ctx, tp); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(begin); d != 150*time.Millisecond {
			t.Fatalf("returned %v after it began, want at the cancel, 150 ms", d)
		}
		// Steps of 1,000 (at the rate cap: the first step's size is not known)
		// then 2,000: the second step's first 1,000 at the pace the first set
		// (1,000 per 100 ms), so about 500 of them by the cancel.
		if n := len(tp.times); n < 1100 || n >= 3000 {
			t.Fatalf("%d messages published in 150 ms, want the first step and part of the second", n)
		}
	})
}

type closedPublisher struct{}

func (closedPublisher) Publish(*feed.Message) error { return hub.ErrHubClosed }
func (closedPublisher) PublishFrame([]byte) error   { return hub.ErrHubClosed }
func (closedPublisher) EndAll(string) error         { return hub.ErrHubClosed }

// Step sizes go up and down (calls end and start); a step bigger than the
// last must not cost a whole interval, or feed time drifts behind the wall
// clock for good.
func TestStepSourceKeepsPaceWhenStepSizesVary(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		steps := 0
		step := func(emit func(*feed.Message)) {
			steps++
			for range 10 + 10*(steps%2) { // 20, 10, 20, 10, ...
				emit(&feed.Message{})
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := hub.StepSource(step, 20*time.Millisecond, 1)(ctx, &timedPublisher{}); err != nil {
			t.Fatal(err)
		}
		// 50 steps of 20 ms in a second; at the previous step's pace a step of
		// 20 after one of 10 took two intervals (about 33 steps).
		if steps < 45 {
			t.Fatalf("%d steps in a second at one per 20 ms: feed time fell behind", steps)
		}
	})
}

func TestStepSourceRefusesASpeedThatIsNotAFiniteNumber(t *testing.T) {
	for _, speed := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if err := hub.StepSource(func(func(*feed.Message)) {}, time.Second, speed)(context.Background(), &timedPublisher{}); err == nil {
			t.Errorf("speed %v accepted", speed)
		}
	}
}

// endingPublisher notes when each frame was published and when EndAll was
// called (as a nil frame).
type endingPublisher struct {
	timedPublisher
	frames [][]byte
}

func (p *endingPublisher) PublishFrame(f []byte) error {
	p.frames = append(p.frames, f)
	return p.Publish(nil)
}

func (p *endingPublisher) EndAll(string) error {
	p.frames = append(p.frames, nil)
	return p.Publish(nil)
}

func TestReplaySourceKeepsTheRecordedSpacingOverSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		recs := []recording.Record{
			{Recv: t0, Msg: []byte(`{"type":"hello","version":1}`)},
			{Recv: t0.Add(time.Second), Msg: []byte(`{"type":"call.end","callId":"a"}`)},
			{Recv: t0.Add(3 * time.Second), Msg: []byte(`{"type":"call.end","callId":"b"}`)},
		}
		p := &endingPublisher{}
		ctx, cancel := context.WithTimeout(context.Background(), 3750*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := hub.ReplaySource(recs, 2, true)(ctx, p); err != nil {
			t.Fatal(err)
		}
		// At 2x: a at 0.5 s, b at 1.5 s, the restart's EndAll 0.5 s later,
		// then a again at 2.5 s and b at 3.5 s; the hello never.
		want := []time.Duration{500, 1500, 2000, 2500, 3500}
		if len(p.times) != len(want) {
			t.Fatalf("published %d times (%q), want %d", len(p.times), p.frames, len(want))
		}
		for i, at := range p.times {
			if got := at.Sub(start); got != want[i]*time.Millisecond {
				t.Errorf("publication %d at %v, want %v", i, got, want[i]*time.Millisecond)
			}
		}
		if p.frames[2] != nil || string(p.frames[3]) != string(recs[1].Msg) {
			t.Errorf("frames %q: want the restart's EndAll third, then the first call.end again", p.frames)
		}
	})
}

// TestReplaySourceLoopsAnInstantAtMostOnceASecond: a recording of one
// instant at a huge speed loops once a second, not as fast as it can.
func TestReplaySourceLoopsAnInstantAtMostOnceASecond(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		recs := []recording.Record{{Recv: t0, Msg: []byte(`{"type":"call.end","callId":"a"}`)}}
		p := &endingPublisher{}
		// In virtual time: passes at 0, 1, ... 10 s; the deadline falls
		// between two of them, so the count is exact.
		ctx, cancel := context.WithTimeout(context.Background(), 10500*time.Millisecond)
		defer cancel()
		if err := hub.ReplaySource(recs, 1e6, true)(ctx, p); err != nil {
			t.Fatal(err)
		}
		passes := 0
		for _, f := range p.frames {
			if f != nil {
				passes++
			}
		}
		if passes != 11 {
			t.Errorf("%d passes in 10.5 s of a looping instant, want 11 (one a second, the first at once)", passes)
		}
	})
}
