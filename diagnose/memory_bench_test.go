package diagnose

import (
	"runtime"
	"testing"

	"github.com/calltop/calltop/feed/sim"
)

// BenchmarkMonitorMemory reports the Monitor's live heap per call with
// 10,000 simulated calls at steady state: 90 s of feed time (history
// rings are allocated full size up front, and the fine ring, 30 points,
// has wrapped three times), every call's summary built once by a
// snapshot. The heap is read with the Monitor alive and again after
// dropping it, so the simulator's own memory does not count. Budget: 20 KB
// a call. Run with -benchtime=1x (one iteration feeds about 3.6 million
// messages).
func BenchmarkMonitorMemory(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s, err := sim.New(sim.Config{Calls: 10000, Seed: 2})
		if err != nil {
			b.Fatal(err)
		}
		m := NewMonitor(Options{})
		for step := 0; step < 90; step++ {
			s.StepEach(m.Apply)
		}
		m.Snapshot("")
		var with, without runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&with)
		calls := len(m.calls.byID)
		if calls < 9000 {
			b.Fatalf("only %d live calls", calls)
		}
		m = nil
		runtime.GC()
		runtime.ReadMemStats(&without)
		b.ReportMetric(float64(with.HeapAlloc-without.HeapAlloc)/float64(calls), "bytes/call")
		b.ReportMetric(float64(with.HeapAlloc-without.HeapAlloc)/(1<<20), "MB")
		b.ReportMetric(float64(calls), "calls")
		runtime.KeepAlive(s)
	}
}
