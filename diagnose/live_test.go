package diagnose

import (
	"testing"

	"github.com/calltop/calltop/feed/sim"
)

// The live list must hold exactly the live calls, each with its latest
// summary, while calls start, end and retire and snapshots are taken at
// uneven intervals.
func TestSnapshotListsExactlyTheLiveCalls(t *testing.T) {
	s, err := sim.New(sim.Config{Calls: 60, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	m := NewMonitor(Options{})
	retiredSeen := false
	for step := 0; step < 400; step++ {
		before := len(m.calls.byID)
		for _, msg := range s.Step() {
			m.Apply(&msg)
		}
		if len(m.calls.byID) < before {
			retiredSeen = true
		}
		if step%7 != 3 {
			continue
		}
		snap := m.Snapshot("")
		if len(snap.Calls) != len(m.calls.byID) {
			t.Fatalf("step %d: snapshot has %d calls, the Monitor %d", step, len(snap.Calls), len(m.calls.byID))
		}
		for _, cs := range snap.Calls {
			c := m.calls.byID[cs.ID]
			if c == nil {
				t.Fatalf("step %d: snapshot lists %s, which is not live", step, cs.ID)
			}
			if c.summary != cs || c.dirty {
				t.Fatalf("step %d: call %s: snapshot summary v%d, current v%d (dirty %v)", step, cs.ID, cs.Version, c.summary.Version, c.dirty)
			}
		}
	}
	if !retiredSeen {
		t.Fatal("no call retired in 400 s of simulation: the test did not cover removal")
	}
}
