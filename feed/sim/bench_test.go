package sim_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/sim"
)

// BenchmarkStep10000 measures one step of a 10,000-call fleet (about
// 40,000 participants) after warm-up. cpu-ms/step is the process's CPU
// time per step, which stays meaningful when other work shares the cores.
func BenchmarkStep10000(b *testing.B) {
	s, err := sim.New(sim.Config{Calls: 10000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for range 5 {
		s.Step()
	}
	b.ReportAllocs()
	cpu := feedtest.CPUTime()
	b.ResetTimer()
	msgs := 0
	for b.Loop() {
		msgs += len(s.Step())
	}
	b.StopTimer()
	b.ReportMetric(float64(feedtest.CPUTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/step")
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/step")
	b.ReportMetric(heapMB(), "heap-MB")
	runtime.KeepAlive(s)
}

// BenchmarkStepEach10000 is BenchmarkStep10000 through StepEach, the
// constant-memory path.
func BenchmarkStepEach10000(b *testing.B) {
	s, err := sim.New(sim.Config{Calls: 10000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	count := func(*feed.Message) { n++ }
	for range 5 {
		s.StepEach(count)
	}
	b.ReportAllocs()
	n = 0
	cpu := feedtest.CPUTime()
	b.ResetTimer()
	for b.Loop() {
		s.StepEach(count)
	}
	b.StopTimer()
	b.ReportMetric(float64(feedtest.CPUTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/step")
	b.ReportMetric(float64(n)/float64(b.N), "msgs/step")
	b.ReportMetric(heapMB(), "heap-MB")
	runtime.KeepAlive(s)
}

// heapMB is the live heap after a collection, in MB.
func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}
