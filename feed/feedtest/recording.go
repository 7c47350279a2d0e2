package feedtest

import (
	"testing"

	"github.com/calltop/calltop/feed/recording"
)

// ReadRecording reads the recording at path, failing the test if it cannot
// be opened or holds a line it cannot read.
func ReadRecording(tb testing.TB, path string) []recording.Record {
	tb.Helper()
	rc, err := recording.OpenFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	recs, bad, err := recording.ReadRecording(rc, path)
	if err != nil || len(bad) > 0 {
		tb.Fatalf("reading %s: %v %v", path, err, bad)
	}
	return recs
}
