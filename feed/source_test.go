package feed

import (
	"context"
	"sync"
	"testing"
	"time"
)

// timedPublisher notes when each message was published.
type timedPublisher struct {
	mu    sync.Mutex
	times []time.Time
}

func (p *timedPublisher) Publish(*Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.times = append(p.times, time.Now())
	return nil
}
func (p *timedPublisher) PublishFrame([]byte) error { return p.Publish(nil) }
func (p *timedPublisher) EndAll(string) error       { return nil }

func TestStepSourceSpreadsStepsAndKeepsPace(t *testing.T) {
	steps := 0
	step := func() []Message {
		steps++
		return make([]Message, 100)
	}
	p := &timedPublisher{}
	ctx, cancel := context.WithTimeout(context.Background(), 550*time.Millisecond)
	defer cancel()
	// 1 s of feed time per step at 10x: a step every 100 ms.
	start := time.Now()
	if err := StepSource(step, time.Second, 10)(ctx, p); err != nil {
		t.Fatal(err)
	}
	if steps < 5 || steps > 7 {
		t.Fatalf("%d steps in 550 ms at one per 100 ms", steps)
	}
	// Within the first step, the last message goes out about 90 ms after
	// the first: spread, not a burst.
	first, last := p.times[0], p.times[99]
	if d := last.Sub(first); d < 70*time.Millisecond || d > 150*time.Millisecond {
		t.Fatalf("first step published over %v, want about 90 ms", d)
	}
	if p.times[0].Sub(start) > 20*time.Millisecond {
		t.Fatal("first message late")
	}
}

func TestStepSourceCapsTheRateOfAHugeStep(t *testing.T) {
	big := true
	step := func() []Message {
		if big {
			big = false
			return make([]Message, 12000) // 200 ms at 60,000 a second
		}
		return nil
	}
	p := &timedPublisher{}
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	StepSource(step, 10*time.Millisecond, 1)(ctx, p)
	if d := p.times[len(p.times)-1].Sub(p.times[0]); d < 150*time.Millisecond {
		t.Fatalf("12,000 messages went out in %v: faster than 60,000 a second", d)
	}
}
