package view

import (
	mathbits "math/bits"
	"slices"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// Order is the calls table's rows, filtered and sorted, with the keys
// each row was placed by, the snapshot they come from and where each of
// its calls is in the rows. The engine shares a call's summary between
// snapshots until the call changes and keeps each call in one slot, so a
// new snapshot is merged in: the rows of calls that left or changed are
// found by slot; a changed call that still sorts where it did keeps its
// row, the others are taken out, and their new summaries are filtered,
// sorted and merged into the rows kept. That is O(k log n) comparisons for
// k changed calls and one copy of the rows (none when no row moves),
// instead of a sort of all n. A new sort or filter sorts everything again.
type Order struct {
	rows []*diagnose.CallSummary // on screen, in order
	keys []Row                   // keys[i] placed rows[i]

	built  bool
	from   []*diagnose.CallSummary // the snapshot the rows hold
	rowOf  []int32                 // rowOf[slot] is the row of from[slot], -1 if filtered out
	at     time.Time               // the feed time the keys were worked out at
	base   time.Time               // the feed time of the last full sort
	by     SortKey
	filter string
	keep   func(*diagnose.CallSummary) bool    // the fleet screen's group, nil for every call
	query  Query                               // the filter, parsed
	text   map[*diagnose.CallSummary]*CallText // the snapshot's calls' text to match while a filter is on
	merges int                                 // snapshots merged in rather than sorted whole (for tests)
	// only, when set, is another order's rowOf over the same calls whose
	// filter every call this filter matches also matched: the next full
	// sort looks only at the calls it placed (rowOf >= 0). Used once.
	only []int32

	diff   callDiff
	sorter Sorter
	// buffers reused from frame to frame
	spareRows []*diagnose.CallSummary
	spareKeys []Row
	place     []Row    // keys to sort and put in
	ins       []Row    // the same, sorted
	gone      []uint64 // bit i: row i is taken out
	dels      []int    // the same rows, ascending
}

// update brings the rows up to date with calls at feedTime, sorted by and
// filtered with filter. followAt is the selected call's row (-1 for none)
// and followID its id; update returns the row that call is on now, or -1.
func (o *Order) update(calls []*diagnose.CallSummary, feedTime time.Time, by SortKey, filter string, followAt int, followID string) int {
	if o.built && by == o.by && filter == o.filter {
		if at, ok := o.merge(calls, feedTime, followAt, followID); ok {
			return at
		}
	}
	return o.rebuild(calls, feedTime, by, filter, followID)
}

// rebuild filters and sorts every call. The text cache is rebuilt so it
// never outgrows the snapshot.
func (o *Order) rebuild(calls []*diagnose.CallSummary, feedTime time.Time, by SortKey, filter string, followID string) int {
	q := ParseQuery(filter)
	var text map[*diagnose.CallSummary]*CallText
	if !q.Empty() {
		text = make(map[*diagnose.CallSummary]*CallText, len(calls))
	}
	o.place = slices.Grow(o.place[:0], len(calls))
	for slot, c := range calls {
		if o.keep != nil && !o.keep(c) || o.only != nil && o.only[slot] < 0 {
			continue
		}
		rank := MatchExact
		if text != nil {
			var prev *diagnose.CallSummary
			if slot < len(o.from) {
				prev = o.from[slot]
			}
			t := o.textFor(c, prev)
			text[c] = t
			if rank = matchText(q, filter, t).Rank; rank == NoMatch {
				continue
			}
		}
		o.place = append(o.place, KeyRow(c, by, feedTime))
		o.place[len(o.place)-1].slot, o.place[len(o.place)-1].rank = int32(slot), rank
	}
	o.keys = o.sorter.Sort(o.place, o.keys[:0])
	clear(o.place)
	o.rows = make([]*diagnose.CallSummary, len(o.keys))
	for i := range o.keys {
		o.rows[i] = o.keys[i].c
	}
	o.text, o.query, o.built, o.from, o.at, o.base, o.by, o.filter = text, q, true, calls, feedTime, feedTime, by, filter
	o.only = nil
	o.locate()
	if followID != "" {
		for i, c := range o.rows {
			if c.Key == followID {
				return i
			}
		}
	}
	return -1
}

// textFor is c's filter text: cached for c, or prev's when prev (the
// summary c replaces, or nil) has the same text, or made anew.
func (o *Order) textFor(c, prev *diagnose.CallSummary) *CallText {
	if t := o.text[c]; t != nil {
		return t
	}
	if prev != nil && prev.Key == c.Key {
		if t := o.text[prev]; t != nil && t.madeOf(c) {
			return t
		}
	}
	return NewCallText(c)
}

// matchOf is how c (a row) matches the filter: rank and participant.
func (o *Order) matchOf(c *diagnose.CallSummary) PersonMatch {
	t := o.text[c]
	if o.query.Empty() || t == nil {
		return PersonMatch{Rank: MatchExact, Person: -1}
	}
	return o.query.Match(t)
}

// locate notes the row of every slot of o.from.
func (o *Order) locate() {
	o.rowOf = slices.Grow(o.rowOf[:0], len(o.from))[:len(o.from)]
	for i := range o.rowOf {
		o.rowOf[i] = -1
	}
	for i := range o.keys {
		o.rowOf[o.keys[i].slot] = int32(i)
	}
}

// merge updates the rows in place of a full sort. It declines (false)
// when most calls changed or the duration sort's keys cannot be trusted
// to hold (the feed time went back, or moved on too far since the last
// full sort).
func (o *Order) merge(calls []*diagnose.CallSummary, feedTime time.Time, followAt int, followID string) (int, bool) {
	d := o.diff.between(o.from, calls)
	moved := o.by.Column() == SortDuration && !feedTime.Equal(o.at)
	if 2*len(d.Added) > len(calls) || moved && (feedTime.Before(o.at) || feedTime.Sub(o.base) >= maxDuration/2) {
		return -1, false
	}
	o.place = o.place[:0]
	o.gone = slices.Grow(o.gone[:0], (len(o.keys)+63)/64)[:(len(o.keys)+63)/64]
	clear(o.gone)
	for _, r := range d.Removed {
		if row := o.rowOf[r.Slot]; row >= 0 {
			o.gone[row/64] |= 1 << (row % 64)
		}
	}
	for _, m := range d.Moves {
		if row := o.rowOf[m.From]; row >= 0 {
			o.keys[row].slot = m.To
		}
	}
	if moved {
		o.takeMoving(feedTime)
	}
	o.placeAdded(d, feedTime)
	for _, r := range d.Removed { // after placeAdded: a call's new summary may take its old text
		delete(o.text, r.C)
	}
	o.dels = o.dels[:0]
	for w, bits := range o.gone {
		for ; bits != 0; bits &= bits - 1 {
			o.dels = append(o.dels, w*64+mathbits.TrailingZeros64(bits))
		}
	}
	at := followAt
	if len(o.dels) > 0 || len(o.place) > 0 {
		o.ins = o.sorter.Sort(o.place, o.ins[:0])
		clear(o.place)
		at = o.splice(followAt, followID)
		clear(o.ins)
	}
	o.from, o.at = calls, feedTime
	o.locate()
	o.merges++
	return at, true
}

// placeAdded queues the new summaries that pass the filter to be put in.
// A call's new summary that sorts exactly where its old one did (its sort
// keys did not change: the room sort, the duration sort, or a change the
// sort does not look at) takes the old one's row instead.
func (o *Order) placeAdded(d *SnapshotDiff, feedTime time.Time) {
	for i, a := range d.Added {
		if o.keep != nil && !o.keep(a.C) {
			continue
		}
		rank := MatchExact
		if !o.query.Empty() {
			var prev *diagnose.CallSummary
			if i < d.Replaced {
				prev = d.Removed[i].C
			}
			t := o.textFor(a.C, prev)
			o.text[a.C] = t
			if rank = matchText(o.query, o.filter, t).Rank; rank == NoMatch {
				continue
			}
		}
		k := KeyRow(a.C, o.by, feedTime)
		k.slot, k.rank = a.Slot, rank
		if i < d.Replaced { // a pair: the slot held the call's old summary
			if row := o.rowOf[a.Slot]; row >= 0 && sameKeys(&o.keys[row], &k) {
				o.keys[row], o.rows[row] = k, a.C
				o.gone[row/64] &^= 1 << (row % 64)
				continue
			}
		}
		o.place = append(o.place, k)
	}
}

// sameKeys reports whether a and b sort alike against every other row.
func sameKeys(a, b *Row) bool {
	return a.k == b.k && a.room == b.room && a.id == b.id && a.ended == b.ended && a.rank == b.rank && a.c.Key == b.c.Key
}

// takeMoving takes out the rows whose duration keys change as the feed
// time moves (see durationKeys) to be placed again with new keys.
func (o *Order) takeMoving(feedTime time.Time) {
	for i := range o.keys {
		if r, w, bit := &o.keys[i], i/64, uint64(1)<<(i%64); r.moves && o.gone[w]&bit == 0 {
			o.gone[w] |= bit
			o.place = append(o.place, KeyRow(r.c, o.by, feedTime))
			o.place[len(o.place)-1].slot, o.place[len(o.place)-1].rank = r.slot, r.rank
		}
	}
}

// seek is the first of keys[from:] not ordered before k (keys is sorted):
// a galloping search, cheap when the answer is near from.
func seek(keys []Row, from int, k *Row) int {
	lo, hi := from, from
	for step := 1; hi < len(keys) && CompareRows(&keys[hi], k) < 0; step *= 2 {
		lo, hi = hi+1, hi+step
	}
	return lo + lowerBound(keys[lo:min(hi, len(keys))], k)
}

// lowerBound is the first of keys (sorted) not ordered before k.
func lowerBound(keys []Row, k *Row) int {
	lo, hi := 0, len(keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if CompareRows(&keys[m], k) < 0 {
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
func (o *Order) splice(followAt int, followID string) int {
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
		if at < 0 && followID != "" && r.c.Key == followID {
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

// Slotted is a summary and its index in a snapshot.
type Slotted struct {
	C    *diagnose.CallSummary
	Slot int32
}

// SlotMove is a summary that moved from one slot to another (a retired
// call's slot takes the last call).
type SlotMove struct{ From, To int32 }

// SnapshotDiff is what changed from one snapshot to the next.
type SnapshotDiff struct {
	Added   []Slotted  // in the new snapshot only, at their new slots
	Removed []Slotted  // in the old snapshot only, at their old slots
	Moves   []SlotMove // in both, at another slot
	// replaced counts the first added and removed that are pairs: a call
	// whose new summary took the old one's slot.
	Replaced int
}

// callDiff finds what changed between two snapshots. Snapshots keep each
// live call in one slot until it is retired (the last call moves into
// its slot), so they are compared slot by slot: a slot whose call got a
// new summary is a pair (removed, added), and only the other slots that
// differ are looked up in a map. Call ids are unique within a snapshot
// (the Monitor keys calls by id). It remembers its last answer, as the
// table asks twice per frame (ids and ended count, rows).
type callDiff struct {
	valid      bool
	old, cur   []*diagnose.CallSummary
	d          SnapshotDiff
	came, gone []Slotted
	seen       map[*diagnose.CallSummary]int32 // a gone summary's slot
}

// between returns what changed from old to cur, valid until the next call.
func (d *callDiff) between(old, cur []*diagnose.CallSummary) *SnapshotDiff {
	if d.valid && sameSlice(old, d.old) && sameSlice(cur, d.cur) {
		return &d.d
	}
	d.valid, d.old, d.cur = true, old, cur
	r := &d.d
	clear(r.Added)
	clear(r.Removed)
	clear(d.came)
	clear(d.gone)
	r.Added, r.Removed, r.Moves, d.came, d.gone = r.Added[:0], r.Removed[:0], r.Moves[:0], d.came[:0], d.gone[:0]
	n := min(len(old), len(cur))
	for i := range n {
		switch o, c := old[i], cur[i]; {
		case o == c:
		case o.Key == c.Key:
			r.Added, r.Removed = append(r.Added, Slotted{c, int32(i)}), append(r.Removed, Slotted{o, int32(i)})
		default:
			d.gone, d.came = append(d.gone, Slotted{o, int32(i)}), append(d.came, Slotted{c, int32(i)})
		}
	}
	r.Replaced = len(r.Added)
	for i := n; i < len(old); i++ {
		d.gone = append(d.gone, Slotted{old[i], int32(i)})
	}
	for i := n; i < len(cur); i++ {
		d.came = append(d.came, Slotted{cur[i], int32(i)})
	}
	if len(d.gone) == 0 || len(d.came) == 0 {
		r.Added, r.Removed = append(r.Added, d.came...), append(r.Removed, d.gone...)
		return r
	}
	if d.seen == nil {
		d.seen = make(map[*diagnose.CallSummary]int32, len(d.gone))
	}
	for _, g := range d.gone {
		d.seen[g.C] = g.Slot
	}
	for _, c := range d.came {
		if from, ok := d.seen[c.C]; ok {
			r.Moves = append(r.Moves, SlotMove{from, c.Slot})
			delete(d.seen, c.C)
		} else {
			r.Added = append(r.Added, c)
		}
	}
	for _, g := range d.gone {
		if _, ok := d.seen[g.C]; ok {
			r.Removed = append(r.Removed, g)
		}
	}
	clear(d.seen)
	return r
}

// sameSlice reports whether a and b are the same slice (same array, same
// length); snapshots are never changed once handed out.
func sameSlice(a, b []*diagnose.CallSummary) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
