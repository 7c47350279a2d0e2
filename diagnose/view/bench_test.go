package view

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkIndexWindow is one view client's window of a 20,000-call index
// (a filter, worst first, 40 rows): "unchanged" when nothing changed since
// the last window, "churn" when 1 % of the calls (200 new summaries, a
// few calls ending and starting) changed since, as between two windows
// of a busy fleet ("churn-100k": the same at 100,000 calls, 1,000
// changed); "cold" sorts the whole index for a filter not asked
// before (a new client), "typed" for one typed after a filter it
// implies ("an 17" after "an": sorted from that one's rows).
func BenchmarkIndexWindow(b *testing.B) {
	const n = 20000
	r := Request{Filter: "ana", Sort: SortSeverity, Limit: 40, Ended: true}
	b.Run("unchanged", func(b *testing.B) {
		f := newTestFleet(9, n)
		x := NewIndex()
		x.Sync(f.snapshot())
		x.Apply(r)
		b.ReportAllocs()
		for b.Loop() {
			x.Apply(r)
		}
	})
	b.Run("churn", func(b *testing.B) { churn(b, n, r) })
	b.Run("churn-100k", func(b *testing.B) { churn(b, 100000, r) })
	b.Run("typed", func(b *testing.B) {
		// a word typed after "an" (kept): "an 17", a new filter each time,
		// looked for only in the calls "an" matched
		f := newTestFleet(9, n)
		x := NewIndex()
		x.Sync(f.snapshot())
		x.Apply(Request{Filter: "an", Sort: SortSeverity, Limit: 40, Ended: true})
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			i++
			x.Apply(Request{Filter: fmt.Sprint("an ", i), Sort: SortSeverity, Limit: 40, Ended: true})
		}
	})
	b.Run("cold", func(b *testing.B) {
		f := newTestFleet(9, n)
		x := NewIndex()
		x.Sync(f.snapshot())
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			i++
			// two letters: no filter implies another, each is new
			x.Apply(Request{Filter: string([]byte{'a' + byte(i%26), 'a' + byte(i/26%26)}), Sort: SortSeverity, Limit: 40, Ended: true})
		}
	})
}

// churn is a window of n calls after 1 % of them changed.
func churn(b *testing.B, n int, r Request) {
	f := newTestFleet(9, n)
	x := NewIndex()
	x.Sync(f.snapshot())
	x.Apply(r)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		f.step(n / 100)
		if len(f.calls) > n+n/10 { // keep the fleet near n calls
			f.calls = f.calls[:n]
		}
		b.StartTimer()
		x.Sync(f.snapshot())
		x.Apply(r)
	}
}

// BenchmarkIndexOrderMemory is the memory one kept order holds per call
// (20,000 calls; a filter's order also keeps every call's filter text):
// the heap after 8 orders are kept, less before, per order and call.
func BenchmarkIndexOrderMemory(b *testing.B) {
	const n, orders = 20000, 8
	for _, filter := range []string{"", "ana"} {
		b.Run(fmt.Sprintf("filter=%q", filter), func(b *testing.B) {
			f := newTestFleet(9, n)
			var perCall float64
			for b.Loop() {
				x := NewIndex()
				x.Sync(f.snapshot())
				before := heap()
				for i := range orders {
					r := Request{Filter: filter, Sort: SortKey(i % int(SortKeys)), Limit: 40, Ended: i >= int(SortKeys)}
					x.Apply(r)
					f.step(n / 100) // then one change merged in: the spare buffers exist
					x.Sync(f.snapshot())
					x.Apply(r)
				}
				perCall = float64(heap()-before) / orders / n
				runtime.KeepAlive(x)
			}
			b.ReportMetric(perCall, "B/call/order")
		})
	}
}

func heap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
