package view

import (
	"fmt"
	"testing"
)

// BenchmarkIndexWindow is one view client's window of a 20,000-call index
// (a filter, worst first, 40 rows): "unchanged" when nothing changed since
// the last window, "churn" when 1 % of the calls (200 new summaries, a
// few calls ending and starting) changed since, as between two windows
// of a busy fleet; "cold" sorts the whole index for a filter not asked
// before (a new client, a key typed into the filter).
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
	b.Run("churn", func(b *testing.B) {
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
	})
	b.Run("cold", func(b *testing.B) {
		f := newTestFleet(9, n)
		x := NewIndex()
		x.Sync(f.snapshot())
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			i++
			x.Apply(Request{Filter: fmt.Sprint("a", i), Sort: SortSeverity, Limit: 40, Ended: true})
		}
	})
}
