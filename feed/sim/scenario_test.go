package sim

import (
	"maps"
	"slices"
	"testing"
	"time"
)

// expected are the checks (see counters_test.go) each scenario must raise
// on exactly one participant of each of its calls.
var expected = map[string][]string{
	"good":              nil,
	"wifi-loss":         {"loss-in"},
	"uplink-congestion": {"bandwidth", "loss-out"},
	"high-rtt":          {"rtt"},
	"jitter":            {"jitter"},
	"cpu-limited":       {"cpu"},
	"turn-tcp":          {"relay-tcp"},
	"one-way-audio":     {"no-audio-in"},
	"mic-silent":        {"mic-silent"},
	"ice-disconnect":    {"ice-disconnected"},
	"ice-failed":        {"ice-failed"},
	"freezes":           {"freeze"},
}

// TestEveryScenario runs each scenario alone for three minutes of feed time
// and checks that counters stay coherent, that each call shows its problem
// on one participant within 30 s, and that nobody shows anything else.
func TestEveryScenario(t *testing.T) {
	if len(expected) != len(ScenarioNames()) {
		t.Fatalf("expected lists %d scenarios, ScenarioNames %d", len(expected), len(ScenarioNames()))
	}
	for i, name := range ScenarioNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := New(Config{Calls: 4, Scenarios: []string{name}, Seed: int64(100 + i)})
			if err != nil {
				t.Fatal(err)
			}
			c := newChecker(t)
			for range 180 {
				c.feed(s.Step())
			}
			checked := checkScenario(t, c, name)
			if checked < 3 {
				t.Errorf("only %d calls of %s lasted long enough to check", checked, name)
			}
		})
	}
}

// checkScenario checks every call of c; it returns how many it checked.
func checkScenario(t *testing.T, c *checker, name string) int {
	t.Helper()
	want := expected[name]
	checked := 0
	for _, call := range c.order {
		if call.scenario != name {
			t.Errorf("call %s has scenario %q, want %q", call.id, call.scenario, name)
		}
		var showing []*seenPart
		for _, p := range call.parts {
			if len(p.raised) > 0 {
				showing = append(showing, p)
			}
		}
		if c.nowTS-call.startTS >= 60_000 {
			checked++
		}
		if len(want) == 0 || c.nowTS-call.startTS < 60_000 {
			for _, p := range showing {
				if name == "good" || !slices.Equal(slices.Sorted(maps.Keys(p.raised)), want) {
					t.Errorf("%s raised %v", p, p.raised)
				}
			}
		} else {
			if len(showing) != 1 {
				t.Errorf("call %s: %d participants show problems, want 1", call.id, len(showing))
			}
			for _, p := range showing {
				if name == "wifi-loss" && p.maxLossIn < 0.05 {
					t.Errorf("%s: worst interval's inbound loss %.1f%%, want over 5%%", p, 100*p.maxLossIn)
				}
				got := slices.Sorted(maps.Keys(p.raised))
				if !slices.Equal(got, want) {
					t.Errorf("%s raised %v, want %v", p, p.raised, want)
				}
				for check, at := range p.raised {
					start := max(p.firstReport, call.startTS)
					if late := time.Duration(at-start) * time.Millisecond; late > 30*time.Second {
						t.Errorf("%s: %s raised %v after the first report, want within 30s", p, check, late)
					}
				}
			}
		}
		for _, p := range call.parts {
			if len(p.raised) == 0 {
				checkGood(t, p)
			}
		}
	}
	return checked
}

// checkGood holds a participant with no problem to the good scenario's
// numbers in every interval.
func checkGood(t *testing.T, p *seenPart) {
	t.Helper()
	if p.maxRTT >= 0.2 || p.maxJitt >= 0.03 {
		t.Errorf("%s is meant to be good: max RTT %.3f s, max jitter %.4f s", p, p.maxRTT, p.maxJitt)
	}
	if p.audioPackets > 0 && p.audioLost/p.audioPackets > 0.005 {
		t.Errorf("%s is meant to be good: inbound audio loss %.2f%%", p, 100*p.audioLost/p.audioPackets)
	}
}
