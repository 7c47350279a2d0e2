package diagnose

import (
	"testing"
	"time"

	"github.com/calltop/calltop/feed/sim"
)

// runScenario steps a simulator of one scenario straight into a Monitor
// for d of feed time and returns every finding raised (open or cleared).
func runScenario(t *testing.T, name string, calls int, d time.Duration) (*Monitor, []Finding) {
	t.Helper()
	s, err := sim.New(sim.Config{Calls: calls, Scenarios: []string{name}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	m := NewMonitor(Options{KeepEnded: true})
	steps := int(d / s.Interval())
	for i := 0; i < steps; i++ {
		for _, msg := range s.Step() {
			m.Apply(&msg)
		}
	}
	var all []Finding
	for _, c := range m.views.allCalls() {
		for _, f := range c.findings {
			all = append(all, *f)
		}
	}
	return m, all
}

// scenarioRule is DESIGN.md's list: each simulator scenario and the
// findings (any one of them) it must produce within 30 s of feed time.
var scenarioRule = map[string][]string{
	"good":              nil,
	"wifi-loss":         {RuleLossInbound},
	"uplink-congestion": {RuleLossOutbound, RuleBandwidthLimited},
	"high-rtt":          {RuleRTTHigh},
	"jitter":            {RuleJitterHigh},
	"cpu-limited":       {RuleCPULimited},
	"turn-tcp":          {RuleRelayTCP},
	"one-way-audio":     {RuleNoMediaInbound},
	"mic-silent":        {RuleMicSilent},
	"ice-disconnect":    {RuleICEDisconnected},
	"ice-failed":        {RuleICEFailed},
	"freezes":           {RuleVideoFreeze},
}

// checkScenario asserts a scenario's findings: the named rule within 30 s
// of the feed's start, and nothing above info for good.
func checkScenario(t *testing.T, name string, start time.Time, fs []Finding) {
	t.Helper()
	want, ok := scenarioRule[name]
	if !ok {
		t.Fatalf("scenario %q is not in DESIGN.md's list", name)
	}
	if len(want) == 0 {
		for _, f := range fs {
			if f.Severity > Info {
				t.Errorf("good scenario raised %s (%s): %s", f.Rule, f.Severity, f.Message)
			}
		}
		return
	}
	for _, f := range fs {
		for _, r := range want {
			if f.Rule == r && f.Start.Sub(start) <= 30*time.Second {
				return
			}
		}
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+"@"+f.Start.Sub(start).String())
	}
	t.Errorf("scenario %s: no %v within 30 s of feed time; got %v", name, want, got)
}

func TestScenariosDirect(t *testing.T) {
	for _, name := range sim.ScenarioNames() {
		t.Run(name, func(t *testing.T) {
			_, fs := runScenario(t, name, 3, 40*time.Second)
			checkScenario(t, name, sim.DefaultStart, fs)
		})
	}
}
