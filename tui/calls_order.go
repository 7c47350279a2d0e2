package tui

import (
	"slices"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// callOrder is the calls table's rows, filtered and sorted, with the keys
// each row was placed by and the snapshot they come from. The engine
// shares a call's summary between snapshots until the call changes, so a
// new snapshot is merged in: rows of calls that left or changed are taken
// out, the new summaries are filtered, sorted and merged into the rows
// kept: O(k log n) comparisons for k changed calls and one copy of the
// rows, instead of a sort of all n.
// A new sort or filter sorts everything again.
type callOrder struct {
	rows []*diagnose.CallSummary // on screen, in order
	keys []sortRow               // keys[i] placed rows[i]

	built  bool
	from   []*diagnose.CallSummary // the snapshot the rows hold
	at     time.Time               // the feed time the keys were worked out at
	base   time.Time               // the feed time of the last full sort
	by     sortKey
	filter string
	hay    map[*diagnose.CallSummary]string // haystacks of the snapshot's calls while a filter is on
	merges int                              // snapshots merged in rather than sorted whole (for tests)

	diff   callDiff
	sorter sorter
	// buffers reused from frame to frame
	spareRows []*diagnose.CallSummary
	spareKeys []sortRow
	place     []*diagnose.CallSummary // calls to key, sort and put in
	ins       []sortRow               // their keys, sorted
	dels      []int                   // rows to take out, ascending
}

// update brings the rows up to date with calls at feedTime, sorted by and
// filtered with filter. followAt is the selected call's row (-1 for none)
// and followID its id; update returns the row that call is on now, or -1.
func (o *callOrder) update(calls []*diagnose.CallSummary, feedTime time.Time, by sortKey, filter string, followAt int, followID string) int {
	if o.built && by == o.by && filter == o.filter {
		if at, ok := o.merge(calls, feedTime, followAt, followID); ok {
			return at
		}
	}
	return o.rebuild(calls, feedTime, by, filter, followID)
}

// rebuild filters and sorts every call.
func (o *callOrder) rebuild(calls []*diagnose.CallSummary, feedTime time.Time, by sortKey, filter string, followID string) int {
	o.rows, o.hay = filterCalls(calls, filter, o.hay)
	o.keys = o.sorter.sort(o.rows, by, feedTime, o.keys[:0])
	o.built, o.from, o.at, o.base, o.by, o.filter = true, calls, feedTime, feedTime, by, filter
	if followID != "" {
		for i, c := range o.rows {
			if c.ID == followID {
				return i
			}
		}
	}
	return -1
}

// merge updates the rows in place of a full sort. It declines (false)
// when most calls changed or the duration sort's keys cannot be trusted
// to hold (the feed time went back, or moved on too far since the last
// full sort).
func (o *callOrder) merge(calls []*diagnose.CallSummary, feedTime time.Time, followAt int, followID string) (int, bool) {
	added, removed := o.diff.between(o.from, calls)
	moved := o.by == sortDuration && !feedTime.Equal(o.at)
	if 2*len(added) > len(calls) || moved && (feedTime.Before(o.at) || feedTime.Sub(o.base) >= maxDuration/2) {
		return -1, false
	}
	o.dels, o.place = o.dels[:0], o.place[:0]
	for _, c := range removed {
		if i := o.find(c); i >= 0 {
			o.dels = append(o.dels, i)
		}
		delete(o.hay, c)
	}
	slices.Sort(o.dels)
	if moved {
		o.takeMoving()
	}
	words := strings.Fields(strings.ToLower(o.filter))
	for _, c := range added {
		if len(words) > 0 {
			h := haystack(c)
			o.hay[c] = h
			if !matchesAll(h, words) {
				continue
			}
		}
		o.place = append(o.place, c)
	}
	o.ins = o.sorter.sort(o.place, o.by, feedTime, o.ins[:0])
	clear(o.place)
	at := o.splice(followAt, followID)
	clear(o.ins)
	o.from, o.at = calls, feedTime
	o.merges++
	return at, true
}

// find is the row of summary c (its keys as of o.at), or -1 when the
// filter hid it.
func (o *callOrder) find(c *diagnose.CallSummary) int {
	k := keyRow(c, o.by, o.at)
	for i := lowerBound(o.keys, &k); i < len(o.keys) && compareRows(&o.keys[i], &k) == 0; i++ {
		if o.keys[i].c == c {
			return i
		}
	}
	return -1
}

// takeMoving takes out the rows whose duration keys change as the feed
// time moves (see durationKeys) and queues their calls to be placed again.
func (o *callOrder) takeMoving() {
	n := len(o.dels)
	for i := range o.keys {
		if o.keys[i].moves {
			if _, gone := slices.BinarySearch(o.dels[:n], i); !gone {
				o.dels = append(o.dels, i)
				o.place = append(o.place, o.keys[i].c)
			}
		}
	}
	slices.Sort(o.dels)
}

// seek is the first of keys[from:] not ordered before k (keys is sorted):
// a galloping search, cheap when the answer is near from.
func seek(keys []sortRow, from int, k *sortRow) int {
	lo, hi := from, from
	for step := 1; hi < len(keys) && compareRows(&keys[hi], k) < 0; step *= 2 {
		lo, hi = hi+1, hi+step
	}
	return lo + lowerBound(keys[lo:min(hi, len(keys))], k)
}

// lowerBound is the first of keys (sorted) not ordered before k.
func lowerBound(keys []sortRow, k *sortRow) int {
	lo, hi := 0, len(keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if compareRows(&keys[m], k) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// splice builds the new rows: the old ones but o.dels, copied in runs,
// with o.ins (sorted) put in where they belong. It returns the new row of
// the followed call (old row followAt, or a new summary with followID),
// or -1.
func (o *callOrder) splice(followAt int, followID string) int {
	rows, keys := o.spareRows[:0], o.spareKeys[:0]
	at, next, d := -1, 0, 0
	keep := func(to int) { // old rows next..to-1, but for the deleted ones
		for next < to {
			end := to
			if d < len(o.dels) && o.dels[d] < to {
				end = o.dels[d]
			}
			if next <= followAt && followAt < end {
				at = len(keys) + followAt - next
			}
			rows, keys = append(rows, o.rows[next:end]...), append(keys, o.keys[next:end]...)
			next = end
			if end < to {
				next++
				d++
			}
		}
	}
	place := 0
	for j := range o.ins {
		r := &o.ins[j]
		place = seek(o.keys, place, r)
		keep(place)
		if at < 0 && followID != "" && r.c.ID == followID {
			at = len(keys)
		}
		rows, keys = append(rows, r.c), append(keys, *r)
	}
	keep(len(o.keys))
	clear(rows[len(rows):cap(rows)]) // what is left of older frames must not keep summaries alive
	clear(keys[len(keys):cap(keys)])
	o.spareRows, o.spareKeys = o.rows, o.keys
	o.rows, o.keys = rows, keys
	return at
}

// callDiff finds which summaries one snapshot added and removed compared
// with an earlier one. Snapshots keep each live call in one slot until it
// is retired (the last call moves into its slot), so the calls are
// compared slot by slot and only the slots that differ are looked up: a
// map of k entries, not n. It remembers its last answer, as the table asks
// twice per frame (ended count, rows).
type callDiff struct {
	valid          bool
	old, cur       []*diagnose.CallSummary
	added, removed []*diagnose.CallSummary
	came, gone     []*diagnose.CallSummary
	seen           map[*diagnose.CallSummary]bool
}

// between returns the summaries in cur and not in old, and those in old
// and not in cur. Both are valid until the next call.
func (d *callDiff) between(old, cur []*diagnose.CallSummary) (added, removed []*diagnose.CallSummary) {
	if d.valid && sameSlice(old, d.old) && sameSlice(cur, d.cur) {
		return d.added, d.removed
	}
	d.valid, d.old, d.cur = true, old, cur
	clear(d.came)
	clear(d.gone)
	d.came, d.gone = d.came[:0], d.gone[:0]
	n := min(len(old), len(cur))
	for i := range n {
		if old[i] != cur[i] {
			d.gone, d.came = append(d.gone, old[i]), append(d.came, cur[i])
		}
	}
	d.gone, d.came = append(d.gone, old[n:]...), append(d.came, cur[n:]...)
	clear(d.added)
	clear(d.removed)
	d.added, d.removed = d.added[:0], d.removed[:0]
	if len(d.gone) == 0 || len(d.came) == 0 {
		d.added, d.removed = append(d.added, d.came...), append(d.removed, d.gone...)
		return d.added, d.removed
	}
	if d.seen == nil {
		d.seen = make(map[*diagnose.CallSummary]bool, len(d.gone))
	}
	for _, c := range d.gone {
		d.seen[c] = true
	}
	for _, c := range d.came {
		if d.seen[c] {
			d.seen[c] = false // moved to another slot
		} else {
			d.added = append(d.added, c)
		}
	}
	for _, c := range d.gone {
		if d.seen[c] {
			d.removed = append(d.removed, c)
		}
	}
	clear(d.seen)
	return d.added, d.removed
}

// sameSlice reports whether a and b are the same slice (same array, same
// length); snapshots are never changed once handed out.
func sameSlice(a, b []*diagnose.CallSummary) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
