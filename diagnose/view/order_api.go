package view

import (
	"time"

	"github.com/calltop/calltop/diagnose"
)

// Update brings the rows up to date with calls (a snapshot: each call in
// one slot until it is retired) at feedTime, sorted by by and filtered
// with filter (already cleaned, see Clean). followAt is the row of a
// call to follow (-1 for none) and followID its key; Update returns the
// row that call is on now, or -1.
func (o *Order) Update(calls []*diagnose.CallSummary, feedTime time.Time, by SortKey, filter string, followAt int, followID string) int {
	return o.update(calls, feedTime, by, filter, followAt, followID)
}

// Rows are the calls in order, filtered; valid until the next Update.
func (o *Order) Rows() []*diagnose.CallSummary { return o.rows }

// MatchOf is how c, one of the rows, matches the filter: its rank and the
// participant who matched (-1: the call itself, or no filter).
func (o *Order) MatchOf(c *diagnose.CallSummary) PersonMatch { return o.matchOf(c) }

// BestMatches is how many rows match the filter as well as the top row
// does, and are as ongoing or ended as it (0 with no rows).
func (o *Order) BestMatches() int {
	keys := o.keys
	n := 0
	for n < len(keys) && keys[n].rank == keys[0].rank && keys[n].ended == keys[0].ended {
		n++
	}
	return n
}

// Diff is what changed from the snapshot old to cur, valid until the
// next call (it is remembered: Update of the same pair does not redo it).
func (o *Order) Diff(old, cur []*diagnose.CallSummary) *SnapshotDiff {
	return o.diff.between(old, cur)
}

// Hold notes that the rows hold calls too (a snapshot that changed no
// call): the next Diff starts from it.
func (o *Order) Hold(calls []*diagnose.CallSummary) { o.from = calls }

// SetKeep narrows the rows to the calls keep accepts (nil: every call);
// the next Update chooses and sorts every row again.
func (o *Order) SetKeep(keep func(*diagnose.CallSummary) bool) {
	o.keep, o.built = keep, false
}

// Merges counts the snapshots merged in rather than sorted whole.
func (o *Order) Merges() int { return o.merges }

// TextsCached is how many calls' filter texts are cached.
func (o *Order) TextsCached() int { return len(o.text) }

// Call is the row's call.
func (r *Row) Call() *diagnose.CallSummary { return r.c }

// Sorted is the calls that match filter (cleaned), best match first,
// then in by's order, by a full filter and sort: what an Order keeps up
// to date by merging changes in (tests compare the two).
func Sorted(calls []*diagnose.CallSummary, filter string, by SortKey, feedTime time.Time) []*diagnose.CallSummary {
	q := ParseQuery(filter)
	var keys []Row
	for _, c := range calls {
		if m := q.Match(NewCallText(c)); m.Rank != NoMatch {
			r := KeyRow(c, by, feedTime)
			r.rank = m.Rank
			keys = append(keys, r)
		}
	}
	var s Sorter
	out := make([]*diagnose.CallSummary, 0, len(keys))
	for _, r := range s.Sort(keys, nil) {
		out = append(out, r.c)
	}
	return out
}
