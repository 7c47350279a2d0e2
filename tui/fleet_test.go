package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed/sim"
)

// simFrame runs a simulated fleet (Chrome 142 impaired) through a real
// Monitor for d of feed time and returns the frame the engine would send.
func simFrame(t *testing.T, calls int, d time.Duration) engine.Frame {
	t.Helper()
	s, err := sim.New(sim.Config{Calls: calls, Scenarios: []string{"good", "fleet-chrome142"}, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	mon := diagnose.NewMonitor(diagnose.Options{})
	for range int(d / s.Interval()) {
		s.StepEach(mon.Apply)
	}
	return engine.Frame{Seq: 1, Calls: mon.Snapshot(""), Feed: engine.FeedStatus{Source: "demo", State: "live"}}
}

// TestFleetScreen: F opens the fleet screen with what stands out and one
// row per browser version, d moves to the next dimension, enter narrows
// the calls screen to the selected group's calls, esc undoes it.
func TestFleetScreen(t *testing.T) {
	f := simFrame(t, 40, 40*time.Second)
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		m, _ := newTestModel(size[0], size[1], f)
		hit(m, "F")
		mustShow(t, m, "Fleet by Browser version", "Stands out: loss-inbound", "of Chrome 142 participants vs", "GROUP", "Chrome 142")
		rows := strings.Split(screenText(m), "\n")
		head := 0
		for i, r := range rows {
			if strings.HasPrefix(r, "GROUP") && head == 0 {
				head = i
			}
		}
		if first := rows[head+1]; !strings.Contains(first, "Chrome 142") {
			t.Errorf("%dx%d: first group row %q, want Chrome 142 (the worst)", size[0], size[1], first)
		}
		for i, r := range rows {
			if w := cellWidth(r); w > size[0] {
				t.Errorf("%dx%d: line %d is %d cells wide", size[0], size[1], i, w)
			}
		}
		hit(m, "d")
		mustShow(t, m, "Fleet by Browser")
		mustNotShow(t, m, "Fleet by Browser version")

		hit(m, "D") // back to versions; the worst group is selected
		hit(m, "enter")
		if m.screen != screenCalls {
			t.Fatalf("enter on a group: screen %d, want the calls screen", m.screen)
		}
		mustShow(t, m, "Chrome 142")
		want := 0
		for _, c := range f.Calls.Calls {
			for _, g := range c.FleetGroups {
				if g.Version == "Chrome 142" {
					want++
					break
				}
			}
		}
		if got := len(m.calls.rows); got != want || want == 0 || want == len(f.Calls.Calls) {
			t.Errorf("calls with Chrome 142: table shows %d, the frame holds %d of %d", got, want, len(f.Calls.Calls))
		}
		for _, c := range m.calls.rows {
			if !(&groupFilter{dim: "version", value: "Chrome 142"}).keeps(c) {
				t.Errorf("call %s has nobody on Chrome 142", c.ID)
			}
		}
		hit(m, "esc")
		if got := len(m.calls.rows); got != len(f.Calls.Calls) {
			t.Errorf("after esc the table shows %d calls, want all %d", got, len(f.Calls.Calls))
		}
		hit(m, "F")
		hit(m, "esc")
		if m.screen != screenCalls {
			t.Errorf("esc on the fleet screen: screen %d, want the calls", m.screen)
		}
	}
}

// TestFleetScreenHealthy says so when nothing stands out.
func TestFleetScreenHealthy(t *testing.T) {
	s, err := sim.New(sim.Config{Calls: 20, Scenarios: []string{"good"}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	mon := diagnose.NewMonitor(diagnose.Options{})
	for range 30 {
		s.StepEach(mon.Apply)
	}
	m, _ := newTestModel(80, 24, engine.Frame{Seq: 1, Calls: mon.Snapshot(""), Feed: engine.FeedStatus{Source: "demo", State: "live"}})
	hit(m, "F")
	mustShow(t, m, "Nothing stands out")
}
