package diagnose

import (
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/fleet"
	"github.com/calltop/calltop/feed/sim"
)

// simFleet steps a simulated fleet straight into a Monitor for d of feed
// time and returns the fleet view of the last snapshot.
func simFleet(t *testing.T, scenarios []string, calls int, seed int64, d time.Duration) *fleet.View {
	t.Helper()
	s, err := sim.New(sim.Config{Calls: calls, Scenarios: scenarios, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	m := NewMonitor(Options{})
	for range int(d / s.Interval()) {
		s.StepEach(m.Apply)
		m.Snapshot("") // the TUI takes one a frame: the table follows the calls that changed
	}
	return m.Snapshot("").Fleet
}

// TestFleetImpairedGroupNamedFirst: a fleet scenario's group is the first
// thing that stands out, for its rule, over several seeds.
func TestFleetImpairedGroupNamedFirst(t *testing.T) {
	for _, c := range []struct{ scenario, dim, value, rule string }{
		{"fleet-chrome142", "version", "Chrome 142", RuleLossInbound},
		{"fleet-eu-west", "region", "eu-west", RuleRTTHigh},
	} {
		for seed := int64(1); seed <= 3; seed++ {
			v := simFleet(t, []string{"good", c.scenario}, 60, seed, 45*time.Second)
			if len(v.StandOut) == 0 {
				t.Errorf("%s seed %d: nothing stands out among %d people", c.scenario, seed, v.People)
				continue
			}
			first := v.StandOut[0]
			if first.Dim != c.dim || first.Value != c.value {
				t.Errorf("%s seed %d: first claim %q, want the group %s=%s", c.scenario, seed, first, c.dim, c.value)
			}
			named := false
			for _, cl := range v.StandOut {
				named = named || (cl.Dim == c.dim && cl.Value == c.value && cl.Rule == c.rule)
			}
			if !named {
				t.Errorf("%s seed %d: %s of %s not claimed; claims %v", c.scenario, seed, c.rule, c.value, v.StandOut)
			}
		}
	}
}

// TestFleetHealthyNamesNothing: good calls, and the default mix (problems
// that follow no group), make no claim over several seeds; in the mix the
// only groups allowed to stand out are the calls' own scenario tag, which
// is what the simulator's problems follow.
func TestFleetHealthyNamesNothing(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		for _, sc := range [][]string{{"good"}, nil} {
			v := simFleet(t, sc, 80, seed, 45*time.Second)
			for _, cl := range v.StandOut {
				if cl.Dim != fleet.TagPrefix+"scenario" {
					t.Errorf("scenarios %v seed %d: claimed %q on a fleet where no group is impaired", sc, seed, cl)
				}
			}
			if v.People < 150 {
				t.Errorf("seed %d: only %d people counted", seed, v.People)
			}
		}
	}
}

// TestFleetRowsAgreeWithCalls: the fleet's people and calls are those of
// the snapshot's ongoing calls, and the ICE path of turn-tcp's relay shows.
func TestFleetRowsAgreeWithCalls(t *testing.T) {
	s, err := sim.New(sim.Config{Calls: 30, Scenarios: []string{"good", "turn-tcp", "ice-disconnect", "fleet-chrome142"}, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	m := NewMonitor(Options{})
	for range 200 {
		s.StepEach(m.Apply)
		m.Snapshot("")
	}
	snap := m.Snapshot("")
	people, calls := 0, 0
	for _, c := range snap.Calls {
		if !c.Ended && len(c.FleetGroups) > 0 {
			people += len(c.FleetGroups)
			calls++
		}
	}
	if v := snap.Fleet; v.People != people || v.Calls != calls {
		t.Errorf("fleet counts %d people in %d calls; the snapshot's ongoing calls hold %d in %d", v.People, v.Calls, people, calls)
	}
	for _, c := range m.calls.byID {
		if c.end != 0 {
			continue
		}
		i := 0
		people := m.views.fleet.people(c, false)
		for _, p := range c.parts {
			if p.left {
				continue
			}
			mask, _ := p.everRules(&call{findings: openOnly(c.findings)})
			if got := people[i].Rules; got != mask {
				t.Errorf("%s/%s: fleet rules %b, open findings %b", c.id, p.id, got, mask)
			}
			i++
		}
	}
	for _, d := range snap.Fleet.Dims {
		if d.Key != "path" {
			continue
		}
		var values []string
		for _, r := range d.Rows {
			values = append(values, r.Value)
		}
		if !strings.Contains(strings.Join(values, ","), "relay tcp") {
			t.Errorf("ICE path groups %v lack relay tcp", values)
		}
	}
}

// TestOS reads the operating system from real user agents.
func TestOS(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36":                         "Windows",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36":                   "Android",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1": "iOS",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Safari/605.1.15":                   "macOS",
		"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:144.0) Gecko/20100101 Firefox/144.0":                                                          "Linux",
		"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36":                          "ChromeOS",
		"curl/8.0": "",
	} {
		if got := OS(ua); got != want {
			t.Errorf("OS(%q) = %q, want %q", ua, got, want)
		}
	}
}

func openOnly(fs []*Finding) []*Finding {
	var out []*Finding
	for _, f := range fs {
		if f.Open() {
			out = append(out, f)
		}
	}
	return out
}

// TestFleetQueueCatchesUp: with more changed calls than a snapshot counts
// (fleetPerFrame), the fleet view lags, then agrees with the calls once
// enough snapshots have been taken.
func TestFleetQueueCatchesUp(t *testing.T) {
	s, err := sim.New(sim.Config{Calls: 3 * fleetPerFrame, Scenarios: []string{"good"}, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	m := NewMonitor(Options{})
	for range 10 {
		s.StepEach(m.Apply)
	}
	snap := m.Snapshot("")
	want := 0
	for _, c := range snap.Calls {
		if !c.Ended {
			want += len(c.FleetGroups)
		}
	}
	if got := snap.Fleet.People; got >= want {
		t.Fatalf("one snapshot counted %d of %d people: it should count at most %d calls", got, want, fleetPerFrame)
	}
	for range 3 {
		m.Snapshot("")
	}
	if got := m.Snapshot("").Fleet.People; got != want {
		t.Errorf("after 5 snapshots the fleet counts %d people, the calls hold %d", got, want)
	}
}
