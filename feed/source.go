package feed

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Publisher is where a source puts its messages; *Hub is one.
type Publisher interface {
	// Publish sends a message, encoded once.
	Publish(m *Message) error
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
// big step does not arrive as one burst that fills subscriber queues.
const stepSlots = 10

// stepMaxRate caps the pace at which StepSource publishes (messages per
// second of wall time): a huge step (the simulator's first, which starts
// every call) is spread over longer than one interval.
const stepMaxRate = 60000

// StepSource drives step (for example the simulator's Step) once per
// interval of feed time, running feed time speed times faster than the
// wall clock. Each step's messages are spread evenly over the rest of the
// interval (at least half of it), and never published faster than 60,000
// a second. When stepping or publishing falls behind, steps are not
// skipped and not rushed: feed time slows down.
func StepSource(step func() []Message, interval time.Duration, speed float64) Source {
	return func(ctx context.Context, p Publisher) error {
		if interval <= 0 || speed <= 0 {
			return fmt.Errorf("step source: interval %v and speed %v must be positive", interval, speed)
		}
		wall := time.Duration(float64(interval) / speed)
		next := time.Now()
		for {
			msgs := step()
			// Spread over what is left of the interval once the step is
			// made, but over at least half an interval: a slow step
			// slows feed time rather than bursting.
			start := next
			if now := time.Now(); now.After(start) {
				start = now
			}
			spread := max(next.Add(wall).Sub(start), wall/2, time.Duration(len(msgs))*time.Second/stepMaxRate)
			if err := publishSpread(ctx, p, msgs, start, spread); err != nil {
				return err
			}
			next = start.Add(spread)
			if !sleepUntil(ctx, next) {
				return nil
			}
		}
	}
}

// publishSpread publishes msgs in stepSlots slices evenly over spread,
// starting at start. It returns nil when ctx ends.
func publishSpread(ctx context.Context, p Publisher, msgs []Message, start time.Time, spread time.Duration) error {
	per := (len(msgs) + stepSlots - 1) / stepSlots
	for i := 0; i < len(msgs); i += per {
		if i > 0 && !sleepUntil(ctx, start.Add(time.Duration(i/per)*spread/stepSlots)) {
			return nil
		}
		for j := i; j < min(i+per, len(msgs)); j++ {
			if err := p.Publish(&msgs[j]); err != nil {
				return publishErr(err)
			}
		}
	}
	return nil
}

// ReplaySource publishes recorded frames as they were received, keeping
// their original spacing divided by speed. Recorded hello frames are left
// out (the hub sends its own). With loop it starts over after the last
// record, first ending every call still going (call.end with reason
// "replay-restart") so that no ghost calls remain; without loop it returns
// after the last record.
func ReplaySource(recs []Record, speed float64, loop bool) Source {
	return func(ctx context.Context, p Publisher) error {
		if speed <= 0 {
			return fmt.Errorf("replay: speed %v must be positive", speed)
		}
		if len(recs) == 0 {
			return errors.New("replay: the recording holds no frames")
		}
		for round := 0; ; round++ {
			if round > 0 {
				if err := p.EndAll("replay-restart"); err != nil {
					return publishErr(err)
				}
			}
			start, first := time.Now(), recs[0].Recv
			for i := range recs {
				due := start.Add(time.Duration(float64(recs[i].Recv.Sub(first)) / speed))
				if !sleepUntil(ctx, due) {
					return nil
				}
				if typ, _ := frameType(recs[i].Msg); typ == TypeHello {
					continue
				}
				if err := p.PublishFrame(recs[i].Msg); err != nil {
					var de *DecodeError
					if errors.As(err, &de) {
						continue // a line that is not a frame: skip it
					}
					return publishErr(err)
				}
			}
			if !loop {
				return nil
			}
			if !sleepUntil(ctx, time.Now().Add(time.Duration(float64(time.Second)/speed))) {
				return nil
			}
		}
	}
}

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
