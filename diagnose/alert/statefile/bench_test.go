package statefile

import (
	"os"
	"strconv"
	"testing"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// BenchmarkSave10000 measures persisting a Book with 10,000 firing alerts
// (the engine saves at most once a second while things change).
func BenchmarkSave10000(b *testing.B) {
	open := make([]diagnose.Finding, 10000)
	for i := range open {
		open[i] = finding(diagnose.RuleICEFailed, diagnose.Critical, "c"+strconv.Itoa(i/4), "p"+strconv.Itoa(i))
	}
	book := alert.NewBook(alert.Options{User: "bench"})
	book.Observe(t0, open)
	st, err := OpenStore(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := st.Save(book.Persist()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	fi, _ := os.Stat(st.Path)
	b.ReportMetric(float64(fi.Size())/1e6, "MB")
}
