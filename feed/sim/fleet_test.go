package sim

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestFleetScenarios runs each fleet scenario over good calls and checks
// that everyone in its group, and nobody else, shows its problem within
// 30 s of their first report (the checks of counters_test.go).
func TestFleetScenarios(t *testing.T) {
	want := map[string][]string{"fleet-chrome142": {"loss-in"}, "fleet-eu-west": {"rtt"}}
	for i, name := range FleetScenarioNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := fleetScenarioNamed(name)
			s, err := New(Config{Calls: 12, Scenarios: []string{"good", name}, Seed: int64(40 + i)})
			if err != nil {
				t.Fatal(err)
			}
			c := newChecker(t)
			for range 120 {
				c.feed(s.Step())
			}
			inGroup, checked := 0, 0
			for _, call := range c.order {
				for _, p := range call.parts {
					if c.nowTS-p.firstReport < 40_000 || p.firstReport == 0 {
						continue
					}
					checked++
					got := slices.Sorted(maps.Keys(p.raised))
					if !f.in(&participant{ua: p.ua, region: p.region}) {
						if len(got) > 0 {
							t.Errorf("%s is not in %s, yet raised %v", p, f.group, got)
						}
						continue
					}
					inGroup++
					if !slices.Equal(got, want[name]) {
						t.Errorf("%s (%s) raised %v, want %v", p, f.group, got, want[name])
					}
					for _, at := range p.raised {
						if at-p.firstReport > 30_000 {
							t.Errorf("%s raised its problem %.0f s after its first report", p, (at-p.firstReport)/1000)
						}
					}
				}
			}
			if inGroup < 5 || checked-inGroup < 5 {
				t.Errorf("%d of %d participants checked were in %s: too few on one side", inGroup, checked, f.group)
			}
		})
	}
}

// TestFleetScenarioKeepsTheMix: naming only a fleet scenario keeps the
// default mix of call scenarios, and an unknown name lists both kinds.
func TestFleetScenarioKeepsTheMix(t *testing.T) {
	s, err := New(Config{Calls: 200, Scenarios: []string{"fleet-chrome142"}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.scenarios) != 0 || len(s.fleet) != 1 {
		t.Fatalf("call scenarios %d, fleet scenarios %d: want the default mix and one fleet scenario", len(s.scenarios), len(s.fleet))
	}
	_, err = New(Config{Calls: 1, Scenarios: []string{"fleet-nowhere"}})
	if err == nil || !strings.Contains(err.Error(), "fleet-chrome142") || !strings.Contains(err.Error(), "wifi-loss") {
		t.Fatalf("unknown fleet scenario: err = %v, want both lists", err)
	}
}
