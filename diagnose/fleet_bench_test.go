package diagnose

import (
	"testing"

	"github.com/calltop/calltop/diagnose/fleet"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/sim"
)

// BenchmarkFleetFrame10000 measures what counting calls again costs at
// 10,000 simulated calls (default mix plus fleet-chrome142, ~39,000
// people): for each call, its people's facts are built again and moved in
// the table (Table.Set, the figures of two consecutive seconds in turn),
// then the View is rebuilt; 250 calls is what a snapshot does at most
// (fleetPerFrame), 1,000 and 10,000 show how it grows. ns/op is one
// frame.
func BenchmarkFleetFrame10000(b *testing.B) {
	m, calls, before := fleetBenchMonitor(b, 10000)
	f := m.views.fleet
	for _, changed := range []int{fleetPerFrame, 1000, 10000} {
		b.Run(itoa(changed)+"-calls", func(b *testing.B) {
			b.ReportAllocs()
			next, frames, cpu0 := 0, 0, feedtest.CPUTime()
			for i := 0; b.Loop(); i++ {
				frames++
				for range changed {
					k := next % len(calls)
					next++
					c := calls[k]
					people := f.people(c, false) // what counting a call again pays for the facts
					if (next/len(calls))%2 == 0 {
						people = before[k]
					}
					f.table.Set(&c.fleet, people, c.tags)
				}
				_ = f.table.View()
			}
			if cpu := feedtest.CPUTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/float64(frames), "cpu-µs/frame")
			}
		})
	}
}

// BenchmarkFleetSummaries10000 is the frame as the Monitor runs it: the
// calls that changed get their summaries rebuilt (views.refreshLive),
// which now also notes their people's groups and queues them, and the
// snapshot's view counts up to fleetPerFrame queued calls again. 500 and
// 1,000 calls change a frame (every call once a second at 20 and 10
// frames a second). "without" runs the same with the fleet view taken
// out, so the difference is what the fleet view adds to a frame. The
// figures do not move here; BenchmarkFleetFrame10000 prices real moves.
func BenchmarkFleetSummaries10000(b *testing.B) {
	m, calls, _ := fleetBenchMonitor(b, 10000)
	fs := m.views.fleet
	for _, changed := range []int{500, 1000} {
		for _, with := range []bool{true, false} {
			name := itoa(changed) + "-changed/with"
			if !with {
				name = itoa(changed) + "-changed/without"
			}
			b.Run(name, func(b *testing.B) {
				m.views.fleet = nil
				if with {
					m.views.fleet = fs
				}
				next, frames, cpu0 := 0, 0, feedtest.CPUTime()
				for b.Loop() {
					frames++
					for range changed {
						calls[next%len(calls)].markDirty()
						next++
					}
					m.views.refreshLive()
					if with {
						_ = fs.view(fleetPerFrame)
					}
				}
				if cpu := feedtest.CPUTime() - cpu0; cpu > 0 {
					b.ReportMetric(float64(cpu.Microseconds())/float64(frames), "cpu-µs/frame")
				}
			})
		}
	}
	m.views.fleet = fs
}

// fleetBenchMonitor runs n simulated calls into a Monitor and returns it,
// its ongoing calls, and each call's people facts one second before the
// last.
func fleetBenchMonitor(b *testing.B, n int) (*Monitor, []*call, [][]fleet.Person) {
	b.Helper()
	s, err := sim.New(sim.Config{Calls: n, Seed: 1, Scenarios: []string{"fleet-chrome142"}})
	if err != nil {
		b.Fatal(err)
	}
	m := NewMonitor(Options{})
	var before map[*call][]fleet.Person
	for step := range 12 {
		s.StepEach(m.Apply)
		m.Snapshot("")
		if step == 10 {
			before = map[*call][]fleet.Person{}
			for _, c := range m.calls.byID {
				before[c] = m.views.fleet.people(c, false)
			}
		}
	}
	for m.views.fleet.head < len(m.views.fleet.queue) {
		m.views.fleet.view(fleetPerFrame)
	}
	var calls []*call
	var prev [][]fleet.Person
	for _, c := range m.calls.byID {
		if p, ok := before[c]; ok && c.end == 0 && len(p) == len(m.views.fleet.people(c, false)) {
			calls, prev = append(calls, c), append(prev, p)
		}
	}
	b.Logf("%d calls, %d people in the fleet view", len(calls), m.Fleet().People)
	return m, calls, prev
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
