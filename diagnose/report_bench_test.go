package diagnose_test

import (
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/dump"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/recording"
)

// BenchmarkReportDumps: `calltop report`'s work over every real dump in the
// repo (rtcstats and webrtc-internals), from the files on disk to the
// report, in one process: each dump decoded once, its messages applied to
// the Monitor as they come. MB/s counts the dumps' bytes unpacked (the
// gzipped ones as their JSON), as rtcstats-server's extractor reads them.
func BenchmarkReportDumps(b *testing.B) {
	benchmarkReport(b, realDumpFiles(b))
}

// BenchmarkReportRTCStats is BenchmarkReportDumps over the rtcstats
// dumps alone, rtcstats-server's own test dumps, measured as the side by
// side measures its extractor (docs/performance.md): one pass over them
// first, untimed (the extractor's driver warms up so), then b.N passes.
func BenchmarkReportRTCStats(b *testing.B) {
	files, err := filepath.Glob(rtcstatsFixtures + "/*.rtcstats")
	if err != nil || len(files) == 0 {
		b.Fatalf("no rtcstats dumps: %v", err)
	}
	for _, f := range files {
		reportDump(b, f)
	}
	benchmarkReport(b, files)
}

func benchmarkReport(b *testing.B, files []string) {
	var size int64
	for _, f := range files {
		size += unpackedSize(b, f)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	cpu := feedtest.CPUTime()
	for b.Loop() {
		for _, f := range files {
			reportDump(b, f)
		}
	}
	reportCPURate(b, size, feedtest.CPUTime()-cpu)
}

// reportCPURate adds MB per second of the process's CPU time (every
// thread, the collector's too): the figure on one core whatever else
// runs on the machine.
func reportCPURate(b *testing.B, size int64, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}

// realDumpFiles lists the repo's real dumps.
func realDumpFiles(b *testing.B) []string {
	var files []string
	for _, pat := range []string{rtcstatsFixtures + "/*.rtcstats", chromiumFixtures + "/*.gz"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		b.Skip("no dumps")
	}
	return files
}

// unpackedSize is the size of a file once gunzipped.
func unpackedSize(b *testing.B, path string) int64 {
	rc, err := recording.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, rc)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// reportDump is the report path on one dump.
func reportDump(b *testing.B, path string) diagnose.Report {
	m := diagnose.NewMonitor(diagnose.Options{KeepEnded: true})
	_, err := dump.Visit(path, dump.Visitor{Reuse: true, Stats: diagnose.ReadsStat, Message: func(msg *feed.Message) error {
		m.Apply(msg)
		return nil
	}})
	if err != nil {
		b.Fatal(err)
	}
	return m.Report()
}

// BenchmarkReportDumpEach is BenchmarkReportDumps one dump at a time.
func BenchmarkReportDumpEach(b *testing.B) {
	for _, f := range realDumpFiles(b) {
		b.Run(filepath.Base(f), func(b *testing.B) {
			size := unpackedSize(b, f)
			b.SetBytes(size)
			cpu := feedtest.CPUTime()
			for b.Loop() {
				reportDump(b, f)
			}
			reportCPURate(b, size, feedtest.CPUTime()-cpu)
		})
	}
}
