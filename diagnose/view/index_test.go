package view

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// want is the list the TUI shows for calls: a full filter and sort, the
// ended calls left out unless ended.
func want(calls []*diagnose.CallSummary, f *testFleet, r Request) []*diagnose.CallSummary {
	if !r.Ended {
		calls = slices.DeleteFunc(slices.Clone(calls), func(c *diagnose.CallSummary) bool { return c.Ended })
	}
	return Sorted(calls, Clean(r.Filter), r.Sort, f.now)
}

// TestIndexWindowsMatchFullSort syncs a churning fleet into an index and
// checks every window, under every sort, forwards and reversed, with and
// without a filter and ended calls, against a full filter and sort of
// the same calls: the rows a TUI would show, paged.
func TestIndexWindowsMatchFullSort(t *testing.T) {
	for _, filter := range []string{"", "ana", `"julia o" standup`, "eu", "zzz"} {
		for _, ended := range []bool{false, true} {
			t.Run(fmt.Sprintf("%q/ended=%v", filter, ended), func(t *testing.T) {
				windowsMatchFullSort(t, filter, ended)
			})
		}
	}
}

// windowsMatchFullSort checks every sort, forwards and reversed, of one
// filter over 12 frames of a churning fleet.
func windowsMatchFullSort(t *testing.T, filter string, ended bool) {
	f := newTestFleet(1, 600)
	x := NewIndex() // 12 orders: all kept, so changes are merged in
	var reqs []Request
	for by := range SortKeys {
		reqs = append(reqs, Request{Filter: filter, Sort: by, Ended: ended, Limit: 40},
			Request{Filter: filter, Sort: by | SortReversed, Ended: ended, Offset: 35, Limit: 20})
	}
	for frame := range 12 {
		if frame > 0 {
			f.step(60)
		}
		x.Sync(f.snapshot())
		for _, r := range reqs {
			checkWindow(t, x, f, r, fmt.Sprintf("frame %d", frame))
		}
	}
	for k, c := range x.orders {
		if c.o.Merges() < 8 {
			t.Fatalf("order %+v merged %d of 11 changes in: the test did not exercise the merge", k, c.o.Merges())
		}
	}
}

func checkWindow(t *testing.T, x *Index, f *testFleet, r Request, at string) Window {
	t.Helper()
	w := x.Apply(r)
	all := want(f.calls, f, r)
	if w.Matched != len(all) || w.Total != len(f.calls) {
		t.Fatalf("%s, %+v: %d of %d matched, want %d of %d", at, r, w.Matched, w.Total, len(all), len(f.calls))
	}
	off := r.Offset
	if off >= len(all) {
		off = max(len(all)-r.Limit, 0)
	}
	page := all[off:min(off+r.Limit, len(all))]
	if w.Offset != off || !slices.Equal(w.Rows, page) {
		t.Fatalf("%s, %+v: window at %d: %s, want at %d: %s", at, r, w.Offset, ids(w.Rows), off, ids(page))
	}
	return w
}

func ids(calls []*diagnose.CallSummary) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.ID
	}
	return out
}

// TestIndexPutRemove keeps an index up to date call by call (as a hub
// without a Monitor snapshot would) and checks windows and counts.
func TestIndexPutRemove(t *testing.T) {
	f := newTestFleet(2, 300)
	x := NewIndex()
	for _, c := range f.calls {
		x.Put(c, f.now)
	}
	r := Request{Filter: "ana", Sort: SortSeverity, Limit: 25, Ended: true}
	for frame := range 40 {
		old := f.calls
		f.step(40)
		keep := map[string]bool{}
		for _, c := range f.calls {
			keep[c.Key] = true
			x.Put(c, f.now)
		}
		for _, c := range old {
			if !keep[c.Key] {
				x.Remove(c.Key)
			}
		}
		if x.Len() != len(f.calls) {
			t.Fatalf("frame %d: %d rows, want %d", frame, x.Len(), len(f.calls))
		}
		r.Offset = frame * 3
		w := checkWindow(t, x, f, r, fmt.Sprintf("frame %d", frame))
		var n Counts
		for _, c := range f.calls {
			switch {
			case c.Ended:
				n.Ended++
			case c.Severity == diagnose.Critical:
				n.Critical++
			case c.Severity == diagnose.Warning:
				n.Warning++
			default:
				n.OK++
			}
		}
		if w.Counts != n {
			t.Fatalf("frame %d: counts %+v, want %+v", frame, w.Counts, n)
		}
	}
}

// TestIndexFilterFindsPerson is what a user types: a participant's name
// narrows thousands of calls to theirs, best match first, and a page past
// the end shows the last page.
func TestIndexFilterFindsPerson(t *testing.T) {
	f := newTestFleet(3, 2000)
	f.calls[1234].People[0].Name = "Zelda Quist"
	f.calls[77].Room = "zelda's standup"
	x := NewIndex()
	x.Sync(f.snapshot())
	w := x.Apply(Request{Filter: "  zelda\tquist ", Sort: SortRoom, Limit: 40, Ended: true})
	if w.Matched != 1 || len(w.Rows) != 1 || w.Rows[0] != f.calls[1234] {
		t.Fatalf("filter for a person: %d matched: %s", w.Matched, ids(w.Rows))
	}
	w = x.Apply(Request{Filter: "zelda", Limit: 40, Ended: true})
	if w.Matched != 2 || !slices.Contains(w.Rows, f.calls[1234]) || !slices.Contains(w.Rows, f.calls[77]) {
		t.Fatalf("a word of a name and of a room: %s", ids(w.Rows))
	}
	w = x.Apply(Request{Offset: 5000, Limit: 40, Ended: true})
	if w.Offset != 2000-40 || len(w.Rows) != 40 {
		t.Fatalf("a page past the end: at %d with %d rows, want the last 40 at %d", w.Offset, len(w.Rows), 2000-40)
	}
}

// TestIndexSources marks a call's hub lost and back.
func TestIndexSources(t *testing.T) {
	f := newTestFleet(4, 50)
	x := NewIndex()
	x.Sync(f.snapshot())
	key := f.calls[10].Key
	v := x.Version()
	x.SetSource(key, "lost")
	if x.Version() == v {
		t.Fatal("marking a call lost did not change the index's version: no window would be sent")
	}
	w := x.Apply(Request{Filter: f.calls[10].ID, Limit: 5, Ended: true})
	if len(w.Rows) != 1 || w.Sources[0] != "lost" {
		t.Fatalf("rows %s sources %q, want the call lost", ids(w.Rows), w.Sources)
	}
	x.SetSource(key, "")
	if w = x.Apply(Request{Filter: f.calls[10].ID, Limit: 5, Ended: true}); w.Sources[0] != "" {
		t.Fatalf("source %q after it came back", w.Sources[0])
	}
	x.SetSource(key, "lost")
	x.SetSource("hub-b/gone", "lost") // a call the index never had
	x.Remove(key)
	x.Apply(Request{Limit: 5})
	if len(x.sources) != 0 {
		t.Fatalf("sources of calls gone are kept: %v", x.sources)
	}
}

// TestIndexOrdersBounded asks more distinct filters than it keeps orders
// for (someone typing): the oldest go and answers stay right.
func TestIndexOrdersBounded(t *testing.T) {
	f := newTestFleet(5, 200)
	x := NewIndex()
	x.Sync(f.snapshot())
	for i := range 3 * maxOrders {
		checkWindow(t, x, f, Request{Filter: fmt.Sprint(i % 97), Sort: SortMOS, Limit: 10, Ended: true}, fmt.Sprintf("filter %d", i))
	}
	if len(x.orders) > maxOrders {
		t.Fatalf("%d orders kept, at most %d", len(x.orders), maxOrders)
	}
}

// TestIndexSyncBesidePeers is a team hub's index: its own engine's
// snapshots (Sync) beside the other hubs' rows (Put, Remove), both
// churning. Every window lists both hubs' calls as one full sort would,
// a Sync never drops a peer's row, and the own calls' changes are still
// merged in rather than sorted whole.
func TestIndexSyncBesidePeers(t *testing.T) {
	own, peer := newHubFleet("hub-a", 6, 400), newHubFleet("hub-b", 7, 400)
	x := NewIndex()
	x.Sync(own.snapshot())
	for _, c := range peer.calls {
		x.Put(c, time.Time{})
	}
	both := &testFleet{}
	reqs := []Request{{Sort: SortSeverity, Limit: 40, Ended: true}, {Filter: "ana", Sort: SortMOS, Offset: 20, Limit: 30}}
	for frame := range 20 {
		if frame > 0 {
			own.step(30)
			x.Sync(own.snapshot())
			old := peer.calls
			peer.step(30)
			peer.now = own.now
			in := map[string]bool{}
			for _, c := range peer.calls {
				in[c.Key] = true
				x.Put(c, time.Time{})
			}
			for _, c := range old {
				if !in[c.Key] {
					x.Remove(c.Key)
				}
			}
			x.Sync(own.snapshot()) // again: nothing of the peer's goes
		}
		both.calls, both.now = append(slices.Clone(own.calls), peer.calls...), own.now
		for _, r := range reqs {
			checkWindow(t, x, both, r, fmt.Sprintf("frame %d", frame))
		}
	}
	// A peer gone: its rows removed, the own ones stay.
	for _, c := range peer.calls {
		x.Remove(c.Key)
	}
	x.Sync(own.snapshot())
	both.calls = own.calls
	checkWindow(t, x, both, reqs[0], "peer gone")
	if c := x.orders[orderKey{sort: SortSeverity, ended: true}]; c == nil || c.o.Merges() < 10 {
		t.Fatalf("the worst-first order merged %d changes in: every Sync beside peers sorted everything again", c.o.Merges())
	}
}

// TestIndexNarrowsAsYouType: each filter typed after one it implies is
// sorted from that one's rows only, and every window is still exactly
// the full filter and sort's, while the calls change between keys.
func TestIndexNarrowsAsYouType(t *testing.T) {
	f := newTestFleet(6, 800)
	x := NewIndex()
	x.Sync(f.snapshot())
	for _, ended := range []bool{true, false} {
		for _, filter := range []string{"a", "an", "ana", "ana o", "ana o.", `"ana o." eu`, "e", "eu", "ju", "jul"} {
			f.step(40)
			x.Sync(f.snapshot())
			r := Request{Filter: filter, Sort: SortSeverity, Ended: ended, Limit: 30}
			checkWindow(t, x, f, r, fmt.Sprintf("%q ended=%v", filter, ended))
		}
	}
	// a, e: nothing before implies them; an, ana, ana o, ana o., "ana o." eu,
	// eu, jul: each time; ju after ended=true's "ju" only.
	if x.narrowed < 14 {
		t.Fatalf("%d of 20 filters were sorted from a kept order's rows, want at least 14", x.narrowed)
	}
	for _, c := range []struct {
		q, p string
		want bool
	}{
		{"ana", "an", true}, {"ana o", "ana", true}, {"ana o", "o", true}, {`"ana o." eu`, "eu", true},
		{"an", "ana", false}, {"ana", "o", false}, {"eu", "", true}, {"", "eu", false},
	} {
		if got := ParseQuery(c.q).Implies(ParseQuery(c.p)); got != c.want {
			t.Errorf("%q implies %q: %v, want %v", c.q, c.p, got, c.want)
		}
	}
}
