package diagnose

import (
	"encoding/json"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/sim"
)

// benchFrames holds one minute of 500 simulated calls, encoded once for
// every benchmark (the testing package calls each benchmark several times).
var benchFrames struct {
	once   sync.Once
	frames [][]byte
	err    error
}

// simFrames returns the encoded simulator frames.
func simFrames(b *testing.B) [][]byte {
	b.Helper()
	benchFrames.once.Do(func() {
		s, err := sim.New(sim.Config{Calls: 500, Seed: 1})
		if err != nil {
			benchFrames.err = err
			return
		}
		for i := 0; i < 60; i++ {
			for _, m := range s.Step() {
				f, err := json.Marshal(m)
				if err != nil {
					benchFrames.err = err
					return
				}
				benchFrames.frames = append(benchFrames.frames, f)
			}
		}
	})
	if benchFrames.err != nil {
		b.Fatal(benchFrames.err)
	}
	return benchFrames.frames
}

// BenchmarkIngest measures decode + Monitor.Apply (metrics, MOS, rules)
// per simulator frame; msgs/s is frames per second on one core.
func BenchmarkIngest(b *testing.B) {
	frames := simFrames(b)
	m := NewMonitor(Options{})
	var msg feed.Message
	b.ReportAllocs()
	b.ResetTimer()
	for i, k := 0, 0; i < b.N; i, k = i+1, k+1 {
		if k == len(frames) { // the data is time-ordered: start a fresh Monitor
			b.StopTimer()
			m, k = NewMonitor(Options{}), 0
			b.StartTimer()
		}
		if err := feed.Decode(frames[k], &msg); err != nil {
			b.Fatal(err)
		}
		m.Apply(&msg)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkApply is Monitor.Apply alone on decoded frames.
func BenchmarkApply(b *testing.B) {
	frames := simFrames(b)
	msgs := make([]feed.Message, len(frames))
	for i, f := range frames {
		if err := feed.Decode(f, &msgs[i]); err != nil {
			b.Fatal(err)
		}
	}
	m := NewMonitor(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for i, k := 0, 0; i < b.N; i, k = i+1, k+1 {
		if k == len(msgs) {
			b.StopTimer()
			m, k = NewMonitor(Options{}), 0
			b.StartTimer()
		}
		m.Apply(&msgs[k])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkDecode is the bare encoding/json decode of the same frames,
// the yardstick of the ingest budget (ingest >= 0.5x of it).
func BenchmarkDecode(b *testing.B) {
	frames := simFrames(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var msg feed.Message
		if err := json.Unmarshal(frames[i%len(frames)], &msg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkMemoryPerCall reports the Monitor's heap per call at steady
// state: 2,000 simulated calls for two minutes of feed time. The heap is
// measured with the Monitor alive and again after dropping it, so the
// simulator's own memory does not count.
func BenchmarkMemoryPerCall(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s, err := sim.New(sim.Config{Calls: 2000, Seed: 2})
		if err != nil {
			b.Fatal(err)
		}
		m := NewMonitor(Options{})
		for step := 0; step < 120; step++ {
			for _, msg := range s.Step() {
				m.Apply(&msg)
			}
		}
		m.Snapshot("")
		var with, without runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&with)
		if path := os.Getenv("CALLTOP_HEAP_PROFILE"); path != "" {
			if f, err := os.Create(path); err == nil {
				_ = pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
		calls, parts := len(m.calls.byID), 0
		for _, c := range m.calls.byID {
			parts += len(c.parts)
		}
		m = nil
		runtime.GC()
		runtime.ReadMemStats(&without)
		b.ReportMetric(float64(with.HeapAlloc-without.HeapAlloc)/float64(calls), "bytes/call")
		b.ReportMetric(float64(parts)/float64(calls), "participants/call")
		runtime.KeepAlive(s)
	}
}

// BenchmarkSnapshot measures Snapshot with 10,000 live calls, all of which
// received stats since the previous snapshot (the worst case: every
// summary is rebuilt), with one call focused.
func BenchmarkSnapshot(b *testing.B) {
	s, err := sim.New(sim.Config{Calls: 10000, Seed: 4})
	if err != nil {
		b.Fatal(err)
	}
	m := NewMonitor(Options{})
	for step := 0; step < 20; step++ {
		for _, msg := range s.Step() {
			m.Apply(&msg)
		}
	}
	focus := m.Snapshot("").Calls[0].ID
	next := s.Step()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for _, c := range m.calls.byID {
			c.markDirty()
		}
		b.StartTimer()
		snap := m.Snapshot(focus)
		if len(snap.Calls) < 10000 || snap.Focus == nil {
			b.Fatalf("%d calls, focus %v", len(snap.Calls), snap.Focus != nil)
		}
	}
	_ = next
}
