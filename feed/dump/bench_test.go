package dump

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/calltop/calltop/feed/recording"
)

// benchLoad measures Load on one file from memory (no disk, no gzip).
func benchLoad(b *testing.B, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadReader(bytes.NewReader(data), path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadRTCStats: the Chrome 99 rtcstats fixture (234 lines, 81
// delta-compressed getstats samples over two connections).
func BenchmarkLoadRTCStats(b *testing.B) { benchLoad(b, chromeFixture) }

// BenchmarkLoadRTCStatsLegacy: the legacy goog* fixture.
func BenchmarkLoadRTCStatsLegacy(b *testing.B) {
	benchLoad(b, fixtures+"/google-legacy-stats-p2p.rtcstats")
}

// BenchmarkLoadWebRTCInternals: the synthetic two-connection dump.
func BenchmarkLoadWebRTCInternals(b *testing.B) { benchLoad(b, "testdata/internals-current.json") }

// BenchmarkLoadRTCStatsSafari: the Safari fixture (the largest, 730 kB).
func BenchmarkLoadRTCStatsSafari(b *testing.B) {
	benchLoad(b, fixtures+"/safari-standard-stats.rtcstats")
}

// BenchmarkLoadWebRTCInternalsChromium: a real 45 s two-connection dump of
// headless Chromium (gzipped on disk; loaded here unpacked).
func BenchmarkLoadWebRTCInternalsChromium(b *testing.B) {
	rc, err := recording.OpenFile("testdata/chromium/clean.json.gz")
	if err != nil {
		b.Skip(err)
	}
	defer rc.Close()
	plain, err := io.ReadAll(rc)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadReader(bytes.NewReader(plain), "clean.json.gz"); err != nil {
			b.Fatal(err)
		}
	}
}
