package sim

import (
	"testing"

	"github.com/calltop/calltop/feed"
)

// BenchmarkStep10000 measures one step of a 10,000-call fleet (about
// 40,000 participants) after warm-up.
func BenchmarkStep10000(b *testing.B) {
	s, err := New(Config{Calls: 10000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for range 5 {
		s.Step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	msgs := 0
	for b.Loop() {
		msgs += len(s.Step())
	}
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/step")
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
	b.ResetTimer()
	for b.Loop() {
		s.StepEach(count)
	}
}
