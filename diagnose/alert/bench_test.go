package alert

import (
	"strconv"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// BenchmarkObserve10000 measures one evaluation with 10,000 open findings
// (a large fleet having a bad day), all firing, one silence in force.
func BenchmarkObserve10000(b *testing.B) {
	open := make([]diagnose.Finding, 10000)
	for i := range open {
		open[i] = finding(diagnose.RuleLossInbound, diagnose.Warning, "c"+strconv.Itoa(i/4), "p"+strconv.Itoa(i))
	}
	book := NewBook(Options{User: "bench"})
	book.MuteFor(Matcher{Rule: diagnose.RuleJitterHigh}, 24*time.Hour, "", "", t0)
	book.Observe(t0, open)
	book.Observe(at(10*time.Second), open)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		book.Observe(at(11*time.Second+time.Duration(i)*time.Millisecond), open)
	}
}

// BenchmarkSnapshot10000 measures building the pane's snapshot after a
// change, with 10,000 active alerts.
func BenchmarkSnapshot10000(b *testing.B) {
	open := make([]diagnose.Finding, 10000)
	for i := range open {
		open[i] = finding(diagnose.RuleLossInbound, diagnose.Warning, "c"+strconv.Itoa(i/4), "p"+strconv.Itoa(i))
	}
	book := NewBook(Options{User: "bench"})
	book.Observe(t0, open)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		book.Tick(at(time.Duration(i) * time.Millisecond)) // a new time: cache invalid
		book.Snapshot()
	}
}
