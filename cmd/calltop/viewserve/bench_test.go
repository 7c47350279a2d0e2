package viewserve

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/view"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/sim"
)

// snapshots diagnoses n simulated calls for a few steps and returns a
// cycle of snapshots from the Monitor's picture after one step to its
// picture after the next and back, a quarter of the calls changing from
// one to the next: what changes between two windows 250 ms apart when
// every call's stats come once a second.
func snapshots(b *testing.B, n int) []diagnose.Snapshot {
	s, err := sim.New(sim.Config{Calls: n, Seed: 1, Start: time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC), Interval: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	m := diagnose.NewMonitor(diagnose.Options{})
	var a, z diagnose.Snapshot
	for step := range 5 {
		s.StepEach(func(msg *feed.Message) { m.Apply(msg) })
		switch step {
		case 3:
			a = m.Snapshot("")
		case 4:
			z = m.Snapshot("")
		}
	}
	cycle := []diagnose.Snapshot{a}
	cur := slices.Clone(a.Calls)
	for _, from := range []diagnose.Snapshot{z, a} {
		for q := range 4 {
			cur = slices.Clone(cur)
			for i := range cur {
				if i%4 == q && i < len(from.Calls) && from.Calls[i].Key == cur[i].Key {
					cur[i] = from.Calls[i]
				}
			}
			cycle = append(cycle, diagnose.Snapshot{FeedTime: from.FeedTime, Calls: cur})
		}
	}
	return cycle[:len(cycle)-1] // the last is a again
}

// BenchmarkServeWindow is what one view.window costs the hub at 1,000 and
// 20,000 diagnosed calls: the index brought up to date with the calls
// changed since the client's last window (a quarter of them), the window
// of 40 rows worked out (worst first; with a filter), turned into its
// wire form and encoded. B/window is the frame's size.
func BenchmarkServeWindow(b *testing.B) {
	for _, n := range []int{1000, 20000} {
		snaps := snapshots(b, n)
		for _, filter := range []string{"", "ana"} {
			b.Run(fmt.Sprintf("calls=%d/filter=%q", n, filter), func(b *testing.B) {
				x := view.NewIndex()
				q := feed.ViewQuery{Filter: filter, Sort: feed.SortWorst, Limit: 40, Ended: true}
				x.Sync(snaps[0])
				x.Apply(view.RequestOf(q))
				bytes, i := 0, 0
				b.ReportAllocs()
				for b.Loop() {
					i++
					x.Sync(snaps[i%len(snaps)])
					w := view.WireWindow(x.Apply(view.RequestOf(q)), uint64(i))
					frame, err := feed.EncodeView(w)
					if err != nil {
						b.Fatal(err)
					}
					bytes += len(frame)
				}
				b.ReportMetric(float64(bytes)/float64(i), "B/window")
			})
		}
	}
}

// BenchmarkShareRows is a team hub sharing its rows on the bus: 5,000
// calls, a quarter of them changed between two shares (a row changes when
// a number of the call does: with stats every 4 s, about that share a
// second). It reports the bytes one share puts on the bus (shares go once
// a second: bytes/s) and the CPU of working them out.
func BenchmarkShareRows(b *testing.B) {
	const n = 5000
	s := New(Config{Logf: b.Logf})
	own := make([]*diagnose.CallSummary, n)
	for i := range own {
		c := call(fmt.Sprintf("hub-a/call-%05d", i), diagnose.Severity(i%4))
		c.Room, c.People = "standup", []diagnose.Person{{ID: "p1", Name: "Ana O."}, {ID: "p2", Name: "Victor Lund"}}
		own[i] = c
	}
	now := time.Now()
	s.Sync(diagnose.Snapshot{FeedTime: now, Calls: own})
	var sent int64
	send := func(f []byte) { sent += int64(len(f)) }
	s.shareOnce(send) // the first, a full set
	sent = 0
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		own = slices.Clone(own)
		for j := i % 4; j < n; j += 4 {
			c := *own[j]
			c.WorstMOS = 3 + float64((i+j)%15)/10
			own[j] = &c
		}
		s.Sync(diagnose.Snapshot{FeedTime: now.Add(time.Duration(i) * time.Second), Calls: own})
		b.StartTimer()
		s.shareOnce(send)
	}
	b.ReportMetric(float64(sent)/float64(b.N), "bytes/share")
}
