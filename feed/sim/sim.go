package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/calltop/calltop/feed"
)

// Config says what to simulate.
type Config struct {
	Calls     int           // concurrent calls to keep going (calls end and new ones start)
	Scenarios []string      // scenario names to use; empty means the default mix
	Seed      int64         // same seed, same feed
	Start     time.Time     // feed time of the first step (zero: 2026-01-01T00:00:00Z)
	Interval  time.Duration // stats interval (zero: 1 s)

	// ElideStatTimestamps leaves each stats object's timestamp out (zero)
	// since it equals its message's ts, as calltop.v1 allows: about 200
	// bytes less per report on the wire. Only for producers that marshal
	// the messages: feed.Decode restores the timestamps, in-process
	// consumers would see zeros.
	ElideStatTimestamps bool
}

// DefaultStart is the feed time of the first step when Config.Start is zero.
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// MaxCalls is the largest Config.Calls New accepts.
const MaxCalls = 1_000_000

// goodShare is the share of good calls in the default mix.
const goodShare = 0.70

// Sim is a running simulated fleet. It is not safe for concurrent use.
type Sim struct {
	cfg       Config
	scenarios []scenario       // chosen from, in order; nil means the default mix
	fleet     []*fleetScenario // impair one group across calls (at most 8)
	rng       *rand.Rand
	stepMS    int64 // interval in ms
	nowMS     int64 // feed time of the latest step
	steps     int
	calls     []*call
	nextCall  int
	nextPart  int

	// Output of the step being built.
	out        []feed.Message
	arena      statArena
	scratch    []feed.Stat
	msg        feed.Message // the message being handed to sink
	cond       conditions   // the participant being reported on
	collecting bool         // Step: stats go to the arena, messages to out
	sink       func(m *feed.Message)
}

// ScenarioNames returns the names of every scenario, good first.
func ScenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, sc := range scenarios {
		names[i] = sc.name
	}
	return names
}

// New checks cfg and returns a simulator whose first Step is at cfg.Start.
// An unknown scenario name is an error that lists the valid ones.
func New(cfg Config) (*Sim, error) {
	if cfg.Calls < 1 || cfg.Calls > MaxCalls {
		return nil, fmt.Errorf("sim: calls must be between 1 and %d, got %d", MaxCalls, cfg.Calls)
	}
	if cfg.Interval == 0 {
		cfg.Interval = time.Second
	}
	if cfg.Interval < 100*time.Millisecond || cfg.Interval > time.Minute {
		return nil, fmt.Errorf("sim: interval must be between 100ms and 1m, got %v", cfg.Interval)
	}
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	s := &Sim{
		cfg:    cfg,
		rng:    rand.New(rand.NewPCG(uint64(cfg.Seed), 0x63616c6c746f70)),
		stepMS: cfg.Interval.Milliseconds(),
		nowMS:  cfg.Start.UnixMilli(),
	}
	for _, name := range cfg.Scenarios {
		name = strings.TrimSpace(name)
		if f := fleetScenarioNamed(name); f != nil {
			if !slices.Contains(s.fleet, f) {
				s.fleet = append(s.fleet, f)
			}
			continue
		}
		i := slices.IndexFunc(scenarios, func(sc scenario) bool { return sc.name == name })
		if i < 0 {
			return nil, fmt.Errorf("sim: unknown scenario %q; valid scenarios: %s; fleet scenarios: %s",
				name, strings.Join(ScenarioNames(), ", "), strings.Join(FleetScenarioNames(), ", "))
		}
		s.scenarios = append(s.scenarios, scenarios[i])
	}
	return s, nil
}

// Now returns the feed time of the latest Step (the TS of its messages);
// before the first Step it is Config.Start, the time the first Step has.
func (s *Sim) Now() time.Time { return time.UnixMilli(s.nowMS).UTC() }

// Interval returns the feed time between two steps.
func (s *Sim) Interval() time.Duration { return s.cfg.Interval }

// Step advances feed time by Interval (the first Step is at Config.Start)
// and returns that step's messages in order. The returned slice, and the
// Stats and maps inside its messages, are reused by the next Step: copy
// what you keep (feed.Message values are safe to marshal until then).
func (s *Sim) Step() []feed.Message {
	clear(s.out) // drop the last step's references, so trimmed arena chunks can go
	if n := len(s.out); cap(s.out) > 2*n+1024 {
		s.out = make([]feed.Message, 0, n+n/4) // the first step is the largest
	}
	s.out = s.out[:0]
	s.arena.reset()
	s.collecting = true
	s.sink = s.collect
	s.step()
	s.collecting, s.sink = false, nil
	return s.out
}

// StepEach advances feed time like Step but hands each message to emit as
// it is made instead of collecting them, so memory stays small however many
// calls there are. *m and its Stats are only valid during the emit call.
func (s *Sim) StepEach(emit func(m *feed.Message)) {
	s.sink = emit
	s.step()
	s.sink = nil
}

// ActiveCalls returns the number of calls in progress after the latest Step.
func (s *Sim) ActiveCalls() int { return len(s.calls) }

func (s *Sim) collect(m *feed.Message) { s.out = append(s.out, *m) }

// emit hands a message (stamped with the step's feed time) to the sink.
func (s *Sim) emit(m feed.Message) {
	m.TS = float64(s.nowMS)
	s.msg = m
	s.sink(&s.msg)
}

// statBuf returns an empty slice with room for one report: in the arena
// when collecting, else the scratch buffer.
func (s *Sim) statBuf() []feed.Stat {
	if s.collecting {
		return s.arena.tail(maxStats)
	}
	if s.scratch == nil {
		s.scratch = make([]feed.Stat, 0, maxStats)
	}
	return s.scratch[:0]
}

// emitStats emits a stats message carrying st, a slice from statBuf.
func (s *Sim) emitStats(m feed.Message, st []feed.Stat) {
	if s.collecting {
		s.arena.commit(len(st))
	}
	m.Stats = st[:len(st):len(st)]
	s.emit(m)
}

// step runs one interval: the calls in progress, then new calls to keep
// the fleet at cfg.Calls.
func (s *Sim) step() {
	if s.steps > 0 {
		s.nowMS += s.stepMS
	}
	first := s.steps == 0
	s.steps++
	kept := s.calls[:0]
	for _, c := range s.calls {
		if s.runCall(c) {
			kept = append(kept, c)
		}
	}
	clear(s.calls[len(kept):])
	s.calls = kept
	for len(s.calls) < s.cfg.Calls {
		c := s.newCall(first)
		s.calls = append(s.calls, c)
		s.runCall(c)
	}
}

// pickScenario draws a call's scenario: from cfg.Scenarios evenly, or the
// default mix (mostly good, the rest spread over the problems).
func (s *Sim) pickScenario() *scenario {
	if len(s.scenarios) > 0 {
		return &s.scenarios[s.rng.IntN(len(s.scenarios))]
	}
	if s.rng.Float64() < goodShare {
		return &scenarios[0]
	}
	return &scenarios[1+s.rng.IntN(len(scenarios)-1)]
}

// statArena holds the Stats of one step's messages in fixed chunks, reused
// from step to step, so a step allocates nothing once the fleet is warm.
type statArena struct {
	chunks [][]feed.Stat
	cur    int
}

const arenaChunk = 4096

// reset empties the arena for a new step, letting go of chunks the last
// step did not need (the first step, where every report carries its
// path objects, is the largest).
func (a *statArena) reset() {
	if keep := a.cur + 2; keep < len(a.chunks) {
		clear(a.chunks[keep:])
		a.chunks = a.chunks[:keep]
	}
	for i := range a.chunks {
		a.chunks[i] = a.chunks[i][:0]
	}
	a.cur = 0
}

// tail returns an empty slice at the end of the current chunk with room
// for n objects; commit then keeps what was written there.
func (a *statArena) tail(n int) []feed.Stat {
	for {
		if a.cur == len(a.chunks) {
			a.chunks = append(a.chunks, make([]feed.Stat, 0, arenaChunk))
		}
		c := a.chunks[a.cur]
		if cap(c)-len(c) >= n {
			return c[len(c):]
		}
		a.cur++
	}
}

func (a *statArena) commit(n int) {
	c := a.chunks[a.cur]
	a.chunks[a.cur] = c[:len(c)+n]
}
