package dump

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed/recording"
)

// chunked returns at most n bytes a Read, as a gzip stream does: lines end
// at the very end of the reader's buffer now and then.
type chunked struct {
	r io.Reader
	n int
}

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// A line that ends where the buffered bytes end is handed on whole, not
// overwritten by the next line's bytes when the buffer refills (a
// recording made by calltop record, gzipped, lost 12 of 3,576 lines).
func TestLinesEndingAtTheBufferEndAreKept(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	var b strings.Builder
	const n = 3000 // over sniffBytes, so the buffer refills
	for i := range n {
		fmt.Fprintf(&b, `{"recv":%q,"msg":{"type":"x","pad":%q}}`+"\n",
			t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), strings.Repeat("p", i*37%500))
	}
	for _, size := range []int{61, 64, 1000, 4096} {
		var got []time.Time
		info, err := VisitReader(chunked{strings.NewReader(b.String()), size}, "rec.jsonl", Visitor{
			Frame: func(rec recording.Record) error { got = append(got, rec.Recv); return nil }})
		if err != nil {
			t.Fatal(err)
		}
		if len(info.Problems) > 0 || len(got) != n {
			t.Fatalf("reads of %d bytes: %d of %d frames, problems %v", size, len(got), n, info.Problems)
		}
		for i, at := range got {
			if want := t0.Add(time.Duration(i) * time.Second); !at.Equal(want) {
				t.Fatalf("reads of %d bytes: frame %d received at %s, want %s", size, i, at, want)
			}
		}
	}
}
