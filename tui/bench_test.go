package tui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed/feedtest"
)

// loop runs body b.N times and also reports CPU time per op, which stays
// honest when other processes share the machine.
func loop(b *testing.B, body func(i int)) {
	b.ReportAllocs()
	start := feedtest.CPUTime()
	i := 0
	for b.Loop() {
		body(i)
		i++
	}
	if i > 0 {
		b.ReportMetric(float64(feedtest.CPUTime()-start)/float64(i), "cpu-ns/op")
	}
}

// The budget (DESIGN.md): View at 200x50 with 10,000 calls in <= 2 ms,
// flat as calls grow, because only visible rows are rendered.

func BenchmarkViewCalls(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m, _ := newTestModel(200, 50, frame(1, n, ""))
			hit(m, "j")
			loop(b, func(int) { _ = m.View() })
		})
	}
}

func BenchmarkViewCall(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m, _ := newTestModel(200, 50, frame(1, n, ""))
			hit(m, "enter")
			m.Update(frameMsg(frame(2, n, "c-wifi-001")))
			loop(b, func(int) { _ = m.View() })
		})
	}
}

// BenchmarkViewAlerts is the calls screen with the alert pane beside it.
func BenchmarkViewAlerts(b *testing.B) {
	m, _ := newTestModel(200, 50, frame(1, 10000, ""))
	hit(m, "!")
	loop(b, func(int) { _ = m.View() })
}

// BenchmarkFrameCalls is a whole frame on the calls screen: Update with a
// new snapshot and then View. "changed" replaces a tenth of the summaries
// each frame (the engine shares unchanged ones) with copies that sort
// where they did (bitrate, top finding or participants moved), which take
// their rows in place; "reordered" gives those summaries a new MOS and
// loss, so their rows are taken out and merged back in (k log n for k
// changed calls, plus one copy of the rows); "unchanged" is a frame that
// changed no call (alerts or feed status only), where the rows are kept.
// The loop's own copy of the snapshot and of the changed summaries is
// counted too. Rows are placed once per frame (at most 20 a second), not
// per View.
func BenchmarkFrameCalls(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		for _, reorder := range []bool{false, true} {
			name := fmt.Sprintf("%d-changed", n)
			if reorder {
				name = fmt.Sprintf("%d-reordered", n)
			}
			b.Run(name, func(b *testing.B) {
				f := frame(1, n, "")
				m, _ := newTestModel(200, 50, f)
				base := f.Calls.Calls
				loop(b, func(i int) {
					f.Calls.Calls = changeTenth(base, i, reorder)
					m.Update(frameMsg(f))
					_ = m.View()
				})
			})
		}
		b.Run(fmt.Sprintf("%d-unchanged", n), func(b *testing.B) {
			f := frame(1, n, "")
			m, _ := newTestModel(200, 50, f)
			loop(b, func(int) {
				m.Update(frameMsg(f))
				_ = m.View()
			})
		})
	}
}

// changeTenth is base with every tenth summary (from i%10 on) replaced by
// a copy, with a new MOS and loss when reorder is set.
func changeTenth(base []*diagnose.CallSummary, i int, reorder bool) []*diagnose.CallSummary {
	calls := slices.Clone(base)
	for j := i % 10; j < len(calls); j += 10 {
		c := *calls[j]
		if reorder {
			c.WorstMOS, c.WorstLoss = 1+float64((i+j)%35)/10, float64((i*7+j)%13)
		}
		calls[j] = &c
	}
	return calls
}

// BenchmarkFrameCall is a whole frame on the call screen where every
// series gained a sample, so all five sparklines are plotted again.
func BenchmarkFrameCall(b *testing.B) {
	f := frame(1, 10000, "c-wifi-001")
	m, _ := newTestModel(200, 50, f)
	hit(m, "enter")
	detail := f.Calls.Focus
	loop(b, func(i int) {
		d := *detail
		d.Participants = append([]diagnose.ParticipantDetail(nil), detail.Participants...)
		p := &d.Participants[0]
		for _, s := range []*diagnose.Series{&p.BitrateIn, &p.BitrateOut, &p.LossIn, &p.LossOut, &p.RTT} {
			s.Times = append(s.Times[:len(s.Times):len(s.Times)], s.Times[len(s.Times)-1].Add(time.Duration(i+1)*time.Second))
			s.Values = append(s.Values[:len(s.Values):len(s.Values)], float64(i%50))
		}
		f.Calls.Focus = &d
		m.Update(frameMsg(f))
		_ = m.View()
	})
}

// BenchmarkCallsMerge is the calls table's part of a "reordered" frame
// alone: a tenth of the summaries replaced with a new MOS and loss, frames
// alternating between two prepared snapshots so the loop allocates
// nothing of its own.
func BenchmarkCallsMerge(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m, _ := newTestModel(200, 50, frame(1, n, ""))
			snaps := [2][]*diagnose.CallSummary{changeTenth(m.calls.calls, 3, true), m.calls.calls}
			loop(b, func(i int) { m.calls.SetSnapshot(snaps[i%2], feedTime(), true) })
		})
	}
}

// BenchmarkFindPerson is one key of a person search at 10,000 calls: the
// filter changes, so every call is matched and the rows sorted again, then
// the screen is drawn with the matched names. Calls alternate between
// "user-N" and shared names so many rows match.
func BenchmarkFindPerson(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := frame(1, n, "")
			for i, c := range f.Calls.Calls {
				if i%3 == 0 {
					cc := *c
					cc.People = people("Ada J./ada@x.test", "Victor G.", fmt.Sprintf("user-%d", i))
					f.Calls.Calls[i] = &cc
				}
			}
			m, _ := newTestModel(200, 50, f)
			hit(m, "/")
			typeText(m, "ada j")
			loop(b, func(i int) {
				key := "."
				if i%2 == 1 {
					key = "backspace"
				}
				m.Update(press(key))
				_ = m.View()
			})
		})
	}
}
