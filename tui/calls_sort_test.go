package tui

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/view"
)

// TestSortMatchesReference checks the keyed sort against a plain
// comparator over random calls with unknown values, ties and ended calls.
func TestSortMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(vals ...float64) float64 { return vals[rng.IntN(len(vals))] }
	calls := make([]*diagnose.CallSummary, 500)
	for i := range calls {
		calls[i] = &diagnose.CallSummary{ID: string(rune('a'+i%26)) + strings.Repeat("x", i%7) + string(rune('A'+i/26)),
			Room: pick2(rng, "", "Standup", "standup", "Sales"), Ended: rng.IntN(5) == 0,
			Start: t0.Add(time.Duration(rng.IntN(600)) * time.Second), Severity: diagnose.Severity(rng.IntN(4)),
			WorstMOS: pick(math.NaN(), 1.5, 3.2, 3.2, 4.4), WorstLoss: pick(math.NaN(), 0, 2.5, 12),
			WorstRTTMs: pick(math.NaN(), 40, 300, 300)}
		calls[i].Key = calls[i].ID
	}
	for k := range sortKeys {
		got := slices.Clone(calls)
		sortCalls(got, k, feedTime())
		want := slices.Clone(calls)
		slices.SortStableFunc(want, referenceCompare(k, feedTime()))
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("sort %s differs at %d: %s, want %s", k, i, got[i].ID, want[i].ID)
			}
		}
	}
}

// sortCalls sorts rows in place for k with a fresh sorter: the full sort
// the calls table did every frame before it merged changes in.
func sortCalls(rows []*diagnose.CallSummary, k sortKey, feedTime time.Time) {
	keys := make([]sortRow, len(rows))
	for i, c := range rows {
		keys[i] = keyRow(c, k, feedTime)
	}
	var s view.Sorter
	for i, r := range s.Sort(keys, nil) {
		rows[i] = r.Call()
	}
}

// filterSorted is the calls that match filter, best match first, then in
// sort k's order, by a full filter and sort.
func filterSorted(calls []*diagnose.CallSummary, filter string, k sortKey, feedTime time.Time) []*diagnose.CallSummary {
	return view.Sorted(calls, filter, k, feedTime)
}

func pick2(rng *rand.Rand, s ...string) string { return s[rng.IntN(len(s))] }

// referenceCompare is the sort order spelled out directly: ongoing before
// ended, then worst first with unknown values last, then by id.
func referenceCompare(k sortKey, feedTime time.Time) func(a, b *diagnose.CallSummary) int {
	return func(a, b *diagnose.CallSummary) int {
		if a.Ended != b.Ended {
			if a.Ended {
				return 1
			}
			return -1
		}
		if c := referenceBy(k, a, b, feedTime); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	}
}

func referenceBy(k sortKey, a, b *diagnose.CallSummary, feedTime time.Time) int {
	switch k {
	case sortMOS:
		return lowFirst(a.WorstMOS, b.WorstMOS)
	case sortLoss:
		return highFirst(a.WorstLoss, b.WorstLoss)
	case sortRTT:
		return highFirst(a.WorstRTTMs, b.WorstRTTMs)
	case sortDuration:
		return cmp.Compare(callDuration(b, feedTime), callDuration(a, feedTime))
	case sortRoom:
		return cmp.Compare(strings.ToLower(roomOf(a)), strings.ToLower(roomOf(b)))
	}
	if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
		return c
	}
	if c := lowFirst(a.WorstMOS, b.WorstMOS); c != 0 {
		return c
	}
	return highFirst(a.WorstLoss, b.WorstLoss)
}

// lowFirst orders ascending with unknown (NaN) values last.
func lowFirst(a, b float64) int {
	switch an, bn := math.IsNaN(a), math.IsNaN(b); {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(a, b)
}

// highFirst orders descending with unknown (NaN) values last.
func highFirst(a, b float64) int {
	switch an, bn := math.IsNaN(a), math.IsNaN(b); {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(b, a)
}

// TestSnapshotKeepsRowsWhenNoCallChanged checks that a frame sharing every
// summary with the last one does not re-sort, and that one new summary,
// or the feed time moving under the duration sort, does.
func TestSnapshotKeepsRowsWhenNoCallChanged(t *testing.T) {
	m, _ := newTestModel(200, 50, frame(1, 50, ""))
	tbl := m.calls
	calls := slices.Clone(tbl.calls)
	tbl.SetSnapshot(calls, tbl.feedTime, false)
	if tbl.stale {
		t.Fatal("a frame with the same summaries marked the rows for re-sorting")
	}
	worse := *calls[len(calls)-1]
	worse.Severity, worse.ID, worse.WorstMOS, worse.Ended = diagnose.Critical, "a-new-worst", 0.1, false
	calls = append(slices.Clone(calls[:len(calls)-1]), &worse)
	tbl.SetSnapshot(calls, tbl.feedTime, true)
	if got := tbl.Selected(); got != &worse {
		t.Fatalf("top row is %s after a call turned critical, want a-new-worst", got.ID)
	}
	for tbl.sortBy != sortDuration {
		m.Update(press("s"))
	}
	tbl.SetSnapshot(calls, tbl.feedTime.Add(time.Second), false)
	if !tbl.stale {
		t.Fatal("the feed time moved under the duration sort, but the rows were kept")
	}
}

func TestSortChangeShowsTheTopAndShiftSReverses(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 100, ""))
	keys(m, "G")
	hit(m, "s")
	if m.calls.list.Cursor() != 0 || m.calls.sortBy != sortMOS {
		t.Fatalf("after s the cursor is on row %d (sort %s), want the top of the MOS order", m.calls.list.Cursor(), m.calls.sortBy)
	}
	mustShow(t, m, "sorted by MOS, worst first", "MOS↓")
	worst := m.calls.rows[0]
	keys(m, "j", "j", "S")
	if m.calls.list.Cursor() != 0 || !m.calls.sortBy.Reversed() {
		t.Fatalf("after S the cursor is on row %d, want the top of the reversed order", m.calls.list.Cursor())
	}
	mustShow(t, m, "sorted by MOS, best first", "MOS↑")
	ongoing := 0
	for _, c := range m.calls.rows {
		if !c.Ended {
			ongoing++
		}
	}
	if got := m.calls.rows[ongoing-1]; got != worst {
		t.Fatalf("reversed, the worst MOS %s should be the last ongoing call, got %s", worst.ID, got.ID)
	}
	for i := 1; i < ongoing; i++ {
		a, b := m.calls.rows[i-1].WorstMOS, m.calls.rows[i].WorstMOS
		if a < b {
			t.Fatalf("row %d MOS %.1f before %.1f: not best first", i, a, b)
		}
	}
}
