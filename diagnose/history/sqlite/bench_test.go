package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/calltop/calltop/diagnose/history"
)

var firstNames = []string{"Ada", "Ben", "Carmen", "Chen", "Dana", "Dmitri", "Elif", "Farah", "Grace", "Hiro",
	"Ingrid", "Jonas", "Kofi", "Lena", "Luis", "Maya", "Nadia", "Olu", "Priya", "Quinn", "Rosa", "Sven",
	"Tariq", "Uma", "Victor", "Wei", "Xena", "Yara", "Zoe", "Adi"}

// benchCall is a realistic ended call: 2-6 people with user ids, a
// finding on one call in five, a series of 10 minutes per person.
func benchCall(r *rand.Rand, i int) history.Call {
	n := 2 + r.IntN(5)
	people := make([][2]string, n)
	for j := range people {
		people[j] = [2]string{firstNames[r.IntN(len(firstNames))] + " " + string(rune('A'+r.IntN(26))) + ".",
			"u" + strconv.Itoa(r.IntN(200000))}
	}
	rule := ""
	if r.IntN(5) == 0 {
		rule = []string{"loss-inbound", "rtt-high", "cpu-limited", "video-freeze"}[r.IntN(4)]
	}
	c := testCall("call-"+strconv.Itoa(i), fmt.Sprintf("room-%d", r.IntN(500)), i/100, rule, people...)
	for id, s := range c.Series {
		pts := 75 // 15 minutes at one point per 20 s, then 30 samples
		s.OffsetMs = make([]int32, pts)
		s.BitrateInKbps, s.BitrateOutKbps = make(history.Points, pts), make(history.Points, pts)
		s.LossInPct, s.LossOutPct, s.RTTMs = make(history.Points, pts), make(history.Points, pts), make(history.Points, pts)
		for k := range pts {
			s.OffsetMs[k] = int32(k * 12000)
			// As the engine stores them: kbps and ms whole, loss to 0.1 %.
			s.BitrateInKbps[k], s.BitrateOutKbps[k] = float32(900+r.IntN(600)), float32(900+r.IntN(600))
			s.LossInPct[k], s.LossOutPct[k] = float32(r.IntN(20))/10, float32(r.IntN(20))/10
			s.RTTMs[k] = float32(40 + r.IntN(80))
		}
		c.Series[id] = s
	}
	return c
}

// BenchmarkPut measures storing ended calls in batches of 100: calls/s and
// bytes stored per call (the gzipped JSON; the file adds the indexes).
func BenchmarkPut(b *testing.B) {
	s := open(b)
	r := rand.New(rand.NewPCG(1, 2))
	batch := make([]history.Call, 100)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for j := range batch {
			batch[j] = benchCall(r, n)
			n++
		}
		if err := s.Put(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	stored, _ := s.StoredBytes(context.Background())
	fi, _ := os.Stat(s.Path())
	wal, _ := os.Stat(s.Path() + "-wal")
	file := fi.Size()
	if wal != nil {
		file += wal.Size()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "calls/s")
	b.ReportMetric(float64(stored)/float64(n), "data-B/call")
	b.ReportMetric(float64(file)/float64(n), "file-B/call")
}

// BenchmarkPersonSearch1M searches for a person (first name and initial,
// then a user id) among CALLTOP_HISTORY_CALLS stored calls (1,000,000 by
// default). The store is built once into the temp dir and kept for later
// runs (building a million calls takes a few minutes).
func BenchmarkPersonSearch1M(b *testing.B) {
	calls := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CALLTOP_HISTORY_CALLS")); err == nil && v > 0 {
		calls = v
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("calltop-history-bench-%d.db", calls))
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var have int
	s.db.QueryRow("SELECT count(*) FROM calls").Scan(&have)
	if have < calls {
		r := rand.New(rand.NewPCG(3, uint64(have)))
		batch := make([]history.Call, 0, 1000)
		for i := have; i < calls; i++ {
			c := benchCall(r, i)
			c.Series = nil // the search does not read them; keeps the build quick
			batch = append(batch, c)
			if len(batch) == cap(batch) || i == calls-1 {
				if err := s.Put(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	for _, q := range []string{"dana o", "u4242", "victor z"} {
		b.Run(q, func(b *testing.B) {
			var found int
			for b.Loop() {
				res, err := s.Search(ctx, history.Query{Person: q})
				if err != nil {
					b.Fatal(err)
				}
				found = len(res)
			}
			b.ReportMetric(float64(found), "results")
		})
	}
}
