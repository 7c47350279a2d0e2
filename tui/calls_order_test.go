package tui

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// TestMergedOrderMatchesFullSort runs a churning fleet through the calls
// table, frame after frame (a tenth of the calls changed, calls starting
// and leaving, the engine's slots reshuffled now and then, the feed time
// moving on, standing still, seeking back and jumping far ahead, the table
// off screen for a few frames), under every sort and with and without a
// filter, and checks after each frame that the rows merged in are exactly
// what filtering and sorting every call gives, that the selected call is
// still selected, and that the ended count and the calls by id are right.
func TestMergedOrderMatchesFullSort(t *testing.T) {
	for by := range sortKeys {
		for _, filter := range []string{"", "al"} {
			t.Run(fmt.Sprintf("%s/%q", by, filter), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(by), uint64(len(filter))))
				fl := &fleet{rng: rng, now: t0.Add(10 * time.Minute)}
				for range 300 {
					fl.calls = append(fl.calls, fl.newCall())
				}
				styles, keys := DefaultStyles(), DefaultKeyMap()
				tbl := newCallsTable(common{styles: &styles, keys: &keys})
				tbl.SetSize(200, 48)
				tbl.sortBy = by
				tbl.setFilter(filter)
				for frame := range 400 {
					fl.step(frame)
					checkFrame(t, tbl, fl, filter, frame, rng)
				}
				if tbl.order.Merges() < 250 {
					t.Fatalf("only %d of 400 frames (about 320 on screen) were merged in; the test did not exercise the merge", tbl.order.Merges())
				}
			})
		}
	}
}

// checkFrame hands the table the fleet's snapshot and, when it is on
// screen, compares its rows with a full filter and sort.
func checkFrame(t *testing.T, tbl *callsTable, fl *fleet, filter string, frame int, rng *rand.Rand) {
	t.Helper()
	selected := ""
	if tbl.list.Pinned() {
		selected = tbl.list.selected
	}
	visible := rng.IntN(5) > 0
	tbl.SetSnapshot(fl.calls, fl.now, visible)
	if got, want := tbl.ended, len(slices.DeleteFunc(slices.Clone(fl.calls), func(c *diagnose.CallSummary) bool { return !c.Ended })); got != want {
		t.Fatalf("frame %d: %d ended calls counted, want %d", frame, got, want)
	}
	for _, c := range fl.calls {
		if tbl.Call(c.ID) != c {
			t.Fatalf("frame %d: call %s is not found by id", frame, c.ID)
		}
	}
	if len(tbl.byID) != len(fl.calls) {
		t.Fatalf("frame %d: %d calls indexed by id, %d in the snapshot", frame, len(tbl.byID), len(fl.calls))
	}
	if !visible {
		return
	}
	want := filterSorted(fl.calls, filter, tbl.sortBy, fl.now)
	if !slices.Equal(tbl.rows, want) {
		i := 0
		for i < min(len(want), len(tbl.rows)) && tbl.rows[i] == want[i] {
			i++
		}
		t.Fatalf("frame %d: %d rows differ from a full sort (%d rows) from row %d: %s", frame, len(tbl.rows), len(want), i, rowIDs(tbl.rows[i:min(i+3, len(tbl.rows))]))
	}
	if filter != "" && tbl.order.TextsCached() != len(fl.calls) {
		t.Fatalf("frame %d: %d call texts cached for %d calls", frame, tbl.order.TextsCached(), len(fl.calls))
	}
	if slices.ContainsFunc(want, func(c *diagnose.CallSummary) bool { return c.ID == selected }) && tbl.Selected().ID != selected {
		t.Fatalf("frame %d: the cursor left %s for %s", frame, selected, tbl.Selected().ID)
	}
	if len(tbl.rows) > 0 && rng.IntN(10) == 0 {
		tbl.moveTo(rng.IntN(len(tbl.rows)))
	}
}

func rowIDs(rows []*diagnose.CallSummary) []string {
	ids := make([]string, len(rows))
	for i, c := range rows {
		ids[i] = c.ID
	}
	return ids
}

// fleet is a snapshot the way the engine keeps it: each live call in one
// slot, a changed call's slot holding its new summary, a retired call's
// slot taken by the last call, new calls appended.
type fleet struct {
	rng   *rand.Rand
	calls []*diagnose.CallSummary
	now   time.Time
	next  int
}

// step makes the next snapshot (a new slice; the old one is never changed).
func (f *fleet) step(frame int) {
	switch r := f.rng.IntN(40); {
	case frame == 200:
		f.now = f.now.AddDate(150, 0, 0) // beyond what the duration keys are trusted for
	case r == 0:
		f.now = f.now.Add(-30 * time.Second) // a replay seeking back
	case r < 8:
		// the feed time stands still
	default:
		f.now = f.now.Add(time.Duration(f.rng.IntN(2000)) * time.Millisecond)
	}
	calls := slices.Clone(f.calls)
	for i := range calls {
		if f.rng.IntN(10) == 0 {
			calls[i] = f.change(calls[i])
		}
	}
	for range f.rng.IntN(6) {
		if len(calls) > 0 {
			i := f.rng.IntN(len(calls))
			calls[i] = calls[len(calls)-1]
			calls = calls[:len(calls)-1]
		}
	}
	for range f.rng.IntN(6) {
		calls = append(calls, f.newCall())
	}
	if f.rng.IntN(25) == 0 {
		f.rng.Shuffle(len(calls), func(i, j int) { calls[i], calls[j] = calls[j], calls[i] })
	}
	f.calls = calls
}

func (f *fleet) pickFloat(vals ...float64) float64 { return vals[f.rng.IntN(len(vals))] }

func (f *fleet) newCall() *diagnose.CallSummary {
	f.next++
	c := &diagnose.CallSummary{ID: fmt.Sprintf("c-%05d", f.next), Room: pick2(f.rng, "", "Standup", "standup", "Sales", "ops"),
		People: []diagnose.Person{{ID: "p1", Name: pick2(f.rng, "alice", "bob", "carol", "dmitri")}}, Version: 1}
	c.Key = c.ID
	if f.rng.IntN(4) == 0 {
		c.Tags = map[string]string{"team": pick2(f.rng, "blue", "red")}
	}
	switch f.rng.IntN(12) {
	case 0: // no start known
	case 1:
		c.Start = f.now // started in the newest sample
	case 2:
		c.Start = f.now.Add(time.Duration(1+f.rng.IntN(3000)) * time.Millisecond) // ahead of the feed time
	case 3:
		c.Start = time.Date(1800, 1, 1, 0, 0, f.rng.IntN(3), 0, time.UTC) // a nonsense start, centuries ago
	default:
		c.Start = f.now.Add(-time.Duration(f.rng.IntN(600)) * time.Second)
	}
	f.metrics(c)
	return c
}

// change returns a new summary of the same call, as the engine does.
func (f *fleet) change(old *diagnose.CallSummary) *diagnose.CallSummary {
	c := *old
	c.Version++
	f.metrics(&c)
	if !c.Ended && f.rng.IntN(8) == 0 {
		c.Ended = true
		if f.rng.IntN(3) > 0 {
			c.End = f.now
		}
	}
	return &c
}

func (f *fleet) metrics(c *diagnose.CallSummary) {
	c.Severity = diagnose.Severity(f.rng.IntN(4))
	c.WorstMOS = f.pickFloat(math.NaN(), 1.5, 3.2, 4.4)
	c.WorstLoss = f.pickFloat(math.NaN(), 0, 2.5, 12)
	c.WorstRTTMs = f.pickFloat(math.NaN(), 40, 300)
}
