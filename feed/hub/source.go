package hub

import (
	"context"
	"errors"
	"fmt"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/recording"
	"math"
	"time"
)

// Publisher is where a source puts its messages; *Hub is one.
type Publisher interface {
	// Publish sends a message, encoded once.
	Publish(m *feed.Message) error
	// PublishFrame sends a raw frame as it is.
	PublishFrame(frame []byte) error
	// EndAll ends every ongoing call with a call.end carrying reason.
	EndAll(reason string) error
}

// Source produces calltop.v1 messages into a Publisher until ctx ends
// (it then returns nil) or it has nothing more to send. The simulator,
// replay and browser ingest are sources; the hub knows none of them.
type Source func(ctx context.Context, p Publisher) error

// stepSlots is how many slices a step's messages are spread over, so a
// big step does not arrive as one burst that fills subscriber queues: at
// 10,000 simulated calls (38,000 messages a one-second step) a slice is
// 380 messages, one every 10 ms.
const stepSlots = 100

// stepMaxRate caps the pace at which StepSource publishes (messages per
// second of wall time): a huge step (the simulator's first, which starts
// every call) is spread over longer than one interval.
const stepMaxRate = 60000

// StepSource drives step (for example the simulator's StepEach) once per
// interval of feed time, running feed time speed times faster than the
// wall clock. step hands each message of one step to emit as it makes it;
// the message is published at once and need not outlive the call, so a
// step's messages are never all held in memory together.
//
// A step's messages are paced evenly over the rest of the interval (at
// least half of it), in stepSlots slices, never faster than 60,000 a
// second. The pace is set from the previous step's count, which a step
// cannot know before it is made: messages beyond that count go out at the
// rate cap, so a step a little bigger than the last ends a little late,
// not a whole interval late (the first step goes at the cap). When stepping
// or publishing falls behind, steps are not skipped and not rushed: feed
// time slows down.
func StepSource(step func(emit func(m *feed.Message)), interval time.Duration, speed float64) Source {
	return func(ctx context.Context, p Publisher) error {
		if interval <= 0 || !(speed > 0) || math.IsInf(speed, 1) {
			return fmt.Errorf("step source: interval %v and speed %v must be positive and finite", interval, speed)
		}
		wall := time.Duration(float64(interval) / speed)
		var (
			next     = time.Now()
			expected int // messages in the previous step
			err      error
			stopped  bool // ctx ended or Publish failed: emit does nothing
		)
		for {
			start := later(next, time.Now())
			target := later(next.Add(wall), start.Add(wall/2))
			capGap := time.Second / stepMaxRate
			gap := capGap
			if expected > 0 {
				gap = max(gap, target.Sub(start)/time.Duration(expected))
			}
			// due is when message i of the step goes out: the first
			// expected evenly to target, the rest at the rate cap.
			due := func(i int) time.Time {
				k := min(i, expected)
				return start.Add(time.Duration(k)*gap + time.Duration(i-k)*capGap)
			}
			slot := max(1, (expected+stepSlots-1)/stepSlots)
			n := 0
			step(func(m *feed.Message) {
				if stopped {
					return
				}
				if n > 0 && n%slot == 0 && !sleepUntil(ctx, due(n)) {
					stopped = true
					return
				}
				n++
				if e := p.Publish(m); e != nil {
					err, stopped = publishErr(e), true
				}
			})
			if stopped {
				return err
			}
			next = later(target, due(n))
			expected = n
			if !sleepUntil(ctx, next) {
				return nil
			}
		}
	}
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// ReplaySource publishes recorded frames as they were received, keeping
// their original spacing divided by speed. Recorded hello frames are left
// out (the hub sends its own). With loop it starts over after the last
// record, first ending every call still going (call.end with reason
// "replay-restart") so that no ghost calls remain; without loop it returns
// after the last record. A pass takes at least minLoopPass, so a recording
// of an instant does not loop as fast as the CPU can.
func ReplaySource(recs []recording.Record, speed float64, loop bool) Source {
	return func(ctx context.Context, p Publisher) error {
		if speed <= 0 {
			return fmt.Errorf("replay: speed %v must be positive", speed)
		}
		if len(recs) == 0 {
			return errors.New("replay: the recording holds no frames")
		}
		for round := 0; ; round++ {
			if round > 0 {
				if err := p.EndAll(feed.ReasonReplayRestart); err != nil {
					return publishErr(err)
				}
			}
			start, first := time.Now(), recs[0].Recv
			for i := range recs {
				due := start.Add(time.Duration(float64(recs[i].Recv.Sub(first)) / speed))
				if !sleepUntil(ctx, due) {
					return nil
				}
				if typ, _ := frameType(recs[i].Msg); typ == feed.TypeHello {
					continue
				}
				if err := p.PublishFrame(recs[i].Msg); err != nil {
					var de *feed.DecodeError
					if errors.As(err, &de) {
						continue // a line that is not a frame: skip it
					}
					return publishErr(err)
				}
			}
			if !loop {
				return nil
			}
			next := later(time.Now().Add(time.Duration(float64(time.Second)/speed)), start.Add(minLoopPass))
			if !sleepUntil(ctx, next) {
				return nil
			}
		}
	}
}

// minLoopPass is the least wall time one pass of a looping replay takes.
const minLoopPass = time.Second

// publishErr turns the hub closing under a source into a clean stop.
func publishErr(err error) error {
	if errors.Is(err, ErrHubClosed) {
		return nil
	}
	return err
}

// sleepUntil waits until t; it returns false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d < time.Millisecond { // not worth a timer
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
