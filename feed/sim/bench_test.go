package sim

import (
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
)

// BenchmarkStep10000 measures one step of a 10,000-call fleet (about
// 40,000 participants) after warm-up. cpu-ms/step is the process's CPU
// time per step, which stays meaningful when other work shares the cores.
func BenchmarkStep10000(b *testing.B) {
	s, err := New(Config{Calls: 10000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for range 5 {
		s.Step()
	}
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	msgs := 0
	for b.Loop() {
		msgs += len(s.Step())
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/step")
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/step")
	b.ReportMetric(heapMB(), "heap-MB")
	runtime.KeepAlive(s)
}

// BenchmarkStepEach10000 is BenchmarkStep10000 through StepEach, the
// constant-memory path.
func BenchmarkStepEach10000(b *testing.B) {
	s, err := New(Config{Calls: 10000, Seed: 1})
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
	cpu := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		s.StepEach(count)
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/step")
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

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
