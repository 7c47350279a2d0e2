package feed_test

import (
	"encoding/json"
	"testing"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/sim"
)

// sampleBytes runs the simulator's default mix for steps steps (after a
// warm-up, so first full reports do not dominate) and returns the wire
// bytes of all frames and of the stats frames, and the number of
// participant-samples (stats messages: one per participant connection
// per interval).
// With elide, stats objects whose timestamp equals the message's ts are
// sent without it (the protocol allows that).
func sampleBytes(tb testing.TB, calls, warmup, steps int, elide bool) (all, stats, samples int) {
	s, err := sim.New(sim.Config{Calls: calls, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < warmup; i++ {
		s.Step()
	}
	for i := 0; i < steps; i++ {
		msgs := s.Step()
		for j := range msgs {
			m := msgs[j]
			if elide && m.Type == feed.TypeStats {
				m.Stats = append([]feed.Stat(nil), m.Stats...)
				for k := range m.Stats {
					if m.Stats[k].Timestamp == m.TS {
						m.Stats[k].Timestamp = 0
					}
				}
			}
			b, err := json.Marshal(&m)
			if err != nil {
				tb.Fatal(err)
			}
			all += len(b)
			if msgs[j].Type == feed.TypeStats {
				stats += len(b)
				samples++
			}
		}
	}
	return all, stats, samples
}

// TestSampleBytes reports the bytes per participant-sample of the
// simulator's default mix; docs/feed-protocol.md quotes it. The aim is
// under 1.5 KB; the test fails only well above it (a regression).
func TestSampleBytes(t *testing.T) {
	all, stats, samples := sampleBytes(t, 100, 5, 10, false)
	if samples == 0 {
		t.Fatal("the simulator sent no stats")
	}
	perSample := float64(all) / float64(samples)
	t.Logf("default mix, 100 calls, 10 steps: %d participant-samples, %.0f bytes/sample (all frames), %.0f bytes/stats frame",
		samples, perSample, float64(stats)/float64(samples))
	eAll, _, eSamples := sampleBytes(t, 100, 5, 10, true)
	t.Logf("with stats timestamps equal to ts left out: %.0f bytes/sample", float64(eAll)/float64(eSamples))
	if perSample > 2048 {
		t.Errorf("%.0f bytes per participant-sample; the budget is about 1.5 KB", perSample)
	}
}

// BenchmarkSampleBytes measures the encoding of the default mix and
// reports bytes per participant-sample.
func BenchmarkSampleBytes(b *testing.B) {
	var all, samples int
	for b.Loop() {
		a, _, n := sampleBytes(b, 100, 2, 10, false)
		all += a
		samples += n
	}
	b.ReportMetric(float64(all)/float64(samples), "bytes/sample")
	b.ReportMetric(float64(samples)/b.Elapsed().Seconds(), "samples/s")
}
