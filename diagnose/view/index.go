package view

import (
	"slices"
	"sync"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// Request is what a window of the index is asked for: the calls list's
// filter and sort, which rows, and whether ended calls are listed.
type Request struct {
	Filter        string // as typed; cleaned (Clean) before use, as the TUI does
	Sort          SortKey
	Offset, Limit int
	Ended         bool
}

// Counts counts an index's calls: the ongoing ones by severity (OK: none
// or info) and the ended ones.
type Counts struct {
	OK, Warning, Critical, Ended int
}

// Window is one answer of the index. Rows and Sources are the caller's.
type Window struct {
	FeedTime time.Time
	// Version is the index's version it was worked out at: the same
	// version and Request give the same Window.
	Version uint64
	// Total counts every call, Matched the calls the filter and Ended let
	// through (the list's length).
	Total, Matched int
	Counts         Counts
	// Offset is the first row's place in the list: the request's, or
	// the last page's when the list got shorter than it.
	Offset int
	Rows   []*diagnose.CallSummary
	// Sources[i] is Rows[i]'s source: "" or "lost" (SetSource).
	Sources []string
}

// Index holds call rows by key and answers windows of them, filtered and
// sorted exactly as the TUI's calls list (the same Order). Rows come in
// whole from a Monitor's snapshot (Sync) or one by one (Put, Remove); the
// index keeps them, as a snapshot does, each call in one slot until it
// goes, so an Order merges in only what changed.
//
// Each (filter, sort, ended) asked for keeps its Order between requests:
// a window of an unchanged index costs a pass over the slots, and after a
// change k calls are merged in (O(k log n)) instead of a sort of all n.
// The least recently used orders go past maxOrders. Safe for concurrent
// use.
type Index struct {
	mu       sync.Mutex
	calls    []*diagnose.CallSummary // each call in one slot; never changed once handed to an Order
	shared   bool                    // calls was handed to an Order (or came from a snapshot): copy before changing
	slots    map[string]int32        // calls' slots by key; nil until Put or Remove needs it
	feedTime time.Time
	version  uint64
	sources  map[string]string // keys with a source ("lost")
	// put are the keys of the rows Put (another hub's calls on a team
	// hub): Sync replaces the other rows and leaves these.
	put      map[string]struct{}
	counts   Counts
	countsAt uint64 // version+1 the counts are of (0: none)
	orders   map[orderKey]*cachedOrder
	uses     uint64
	// texts is the filter text of the calls, of the order that last had a
	// filter: a new filter's order starts from it rather than lower-casing
	// every call again (read only by the new order's first sort).
	texts map[*diagnose.CallSummary]*CallText
	// narrowed counts new orders sorted from a kept order's rows (tests)
	narrowed int
}

// orderKey names one cached Order.
type orderKey struct {
	filter string
	sort   SortKey
	ended  bool
}

type cachedOrder struct {
	o    Order
	used uint64
}

// maxOrders bounds the orders kept (each holds a row of 64 bytes per
// call, and the filter text of every call while a filter is on).
const maxOrders = 16

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{orders: map[orderKey]*cachedOrder{}, sources: map[string]string{}}
}

// Sync replaces the rows that came from snapshots with snap's calls (a
// Monitor's snapshot: its calls are never changed once handed out, and
// keep their slots from one snapshot to the next) and takes its feed time.
// The rows Put (the other hubs' calls) stay.
func (x *Index) Sync(snap diagnose.Snapshot) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.put) > 0 {
		x.syncBeside(snap)
		return
	}
	if sameSlice(x.calls, snap.Calls) && snap.FeedTime.Equal(x.feedTime) {
		return
	}
	x.calls, x.shared, x.slots, x.feedTime = snap.Calls, true, nil, snap.FeedTime
	x.version++
}

// syncBeside is Sync beside rows Put: snap's calls replace theirs by key
// (a call's slot is kept, so an Order merges in only what changed), the
// synced rows snap no longer has go, and the rows Put are left alone.
func (x *Index) syncBeside(snap diagnose.Snapshot) {
	changed := snap.FeedTime.After(x.feedTime)
	if changed {
		x.feedTime = snap.FeedTime
	}
	synced := len(x.calls) - len(x.put)
	for _, c := range snap.Calls {
		if slot, ok := x.slotOf(c.Key); !ok || x.calls[slot] != c {
			changed = true
			break
		}
	}
	if !changed && synced == len(snap.Calls) {
		return
	}
	x.own()
	for _, c := range snap.Calls {
		if slot, ok := x.slots[c.Key]; ok {
			x.calls[slot] = c
			delete(x.put, c.Key) // this hub's now
		} else {
			x.slots[c.Key] = int32(len(x.calls))
			x.calls = append(x.calls, c)
		}
	}
	if len(x.calls)-len(x.put) > len(snap.Calls) {
		in := make(map[string]struct{}, len(snap.Calls))
		for _, c := range snap.Calls {
			in[c.Key] = struct{}{}
		}
		for i := len(x.calls) - 1; i >= 0; i-- {
			k := x.calls[i].Key
			_, kept := in[k]
			if _, put := x.put[k]; !kept && !put {
				x.removeLocked(k)
			}
		}
	}
	x.version++
}

// Put adds c or replaces the row with c's key; the feed time moves on to
// at if it is later. A row Put stays until Remove: Sync leaves it.
func (x *Index) Put(c *diagnose.CallSummary, at time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.own()
	if x.put == nil {
		x.put = map[string]struct{}{}
	}
	x.put[c.Key] = struct{}{}
	if slot, ok := x.slots[c.Key]; ok {
		x.calls[slot] = c
	} else {
		x.slots[c.Key] = int32(len(x.calls))
		x.calls = append(x.calls, c)
	}
	if at.After(x.feedTime) {
		x.feedTime = at
	}
	x.version++
}

// Remove takes the row with this key out (the last row takes its slot).
func (x *Index) Remove(key string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, ok := x.slotOf(key); !ok {
		return
	}
	x.own()
	x.removeLocked(key)
	x.version++
}

// removeLocked takes key's row out (the last row takes its slot); x is
// its own (own) and holds the row.
func (x *Index) removeLocked(key string) {
	slot := x.slots[key]
	last := len(x.calls) - 1
	if int(slot) != last {
		x.calls[slot] = x.calls[last]
		x.slots[x.calls[slot].Key] = slot
	}
	x.calls[last] = nil
	x.calls = x.calls[:last]
	delete(x.slots, key)
	delete(x.sources, key)
	delete(x.put, key)
}

// SetSource marks the call with this key as coming from a source in a
// state ("lost": its hub is lost), or clears it with "".
func (x *Index) SetSource(key, source string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.sources[key] == source {
		return
	}
	if source == "" {
		delete(x.sources, key)
	} else {
		x.sources[key] = source
	}
	x.version++
}

// Len is how many rows the index holds.
func (x *Index) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.calls)
}

// Version increases with every change of the rows, their sources or the
// feed time.
func (x *Index) Version() uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.version
}

// slotOf is key's slot, building the slot map when needed.
func (x *Index) slotOf(key string) (int32, bool) {
	if x.slots == nil {
		x.slots = make(map[string]int32, len(x.calls))
		for i, c := range x.calls {
			x.slots[c.Key] = int32(i)
		}
	}
	s, ok := x.slots[key]
	return s, ok
}

// own makes calls the index's own to change: a copy when an Order (or
// the snapshot it came from) holds it.
func (x *Index) own() {
	x.slotOf("")
	if x.shared {
		x.calls, x.shared = slices.Clone(x.calls), false
	}
}

// Apply answers r: the window of the calls that match r's filter (and
// are ongoing, unless r.Ended), in r's sort, with the counts.
func (x *Index) Apply(r Request) Window {
	x.mu.Lock()
	defer x.mu.Unlock()
	k := orderKey{filter: Clean(r.Filter), sort: r.Sort, ended: r.Ended}
	c := x.orders[k]
	if c == nil {
		c = x.newOrder(k)
		c.o.text = x.texts
		x.narrow(c, k)
	}
	x.uses++
	c.used = x.uses
	c.o.Update(x.calls, x.feedTime, k.sort, k.filter, -1, "")
	x.shared = true
	if c.o.text != nil {
		x.texts = c.o.text
	}
	rows := c.o.Rows()
	w := Window{FeedTime: x.feedTime, Version: x.version, Total: len(x.calls), Matched: len(rows), Counts: x.countsNow()}
	limit := max(r.Limit, 0)
	w.Offset = max(r.Offset, 0)
	if w.Offset >= len(rows) {
		w.Offset = max(len(rows)-limit, 0)
	}
	w.Rows = slices.Clone(rows[w.Offset:min(w.Offset+limit, len(rows))])
	w.Sources = make([]string, len(w.Rows))
	if len(x.sources) > 0 {
		for i, c := range w.Rows {
			w.Sources[i] = x.sources[c.Key]
		}
	}
	return w
}

// newOrder makes room for and returns the order k.
func (x *Index) newOrder(k orderKey) *cachedOrder {
	if len(x.orders) >= maxOrders {
		var oldest orderKey
		least := ^uint64(0)
		for key, c := range x.orders {
			if c.used < least {
				oldest, least = key, c.used
			}
		}
		delete(x.orders, oldest)
	}
	c := &cachedOrder{}
	if !k.ended {
		c.o.SetKeep(ongoing)
	}
	x.orders[k] = c
	return c
}

// narrow lets a new filter's first sort look only at the calls a kept
// order's filter let through, when that filter is implied by the new one
// (someone typing "ana" after "an"): the kept order with the fewest rows,
// brought up to date, lends its rows.
func (x *Index) narrow(c *cachedOrder, k orderKey) {
	q := ParseQuery(k.filter)
	if q.Empty() {
		return
	}
	var best *cachedOrder
	var bestKey orderKey
	for pk, p := range x.orders {
		if p == c || pk.filter == "" || (!pk.ended && k.ended) || (best != nil && len(p.o.rows) >= len(best.o.rows)) {
			continue
		}
		if q.Implies(ParseQuery(pk.filter)) {
			best, bestKey = p, pk
		}
	}
	if best == nil {
		return
	}
	best.o.Update(x.calls, x.feedTime, bestKey.sort, bestKey.filter, -1, "")
	best.used = x.uses
	c.o.only = best.o.rowOf
	x.narrowed++
}

// ongoing keeps the calls that have not ended.
func ongoing(c *diagnose.CallSummary) bool { return !c.Ended }

// countsNow counts the calls once per version.
func (x *Index) countsNow() Counts {
	if x.countsAt == x.version+1 {
		return x.counts
	}
	var n Counts
	marked := 0 // calls with a source: the sources of calls gone are dropped
	for _, c := range x.calls {
		if len(x.sources) > 0 && x.sources[c.Key] != "" {
			marked++
		}
		switch {
		case c.Ended:
			n.Ended++
		case c.Severity >= diagnose.Critical:
			n.Critical++
		case c.Severity == diagnose.Warning:
			n.Warning++
		default:
			n.OK++
		}
	}
	if marked < len(x.sources) {
		kept := make(map[string]string, marked)
		for _, c := range x.calls {
			if src := x.sources[c.Key]; src != "" {
				kept[c.Key] = src
			}
		}
		x.sources = kept
	}
	x.counts, x.countsAt = n, x.version+1
	return n
}
