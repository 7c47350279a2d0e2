package dump

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
)

// writeAmplified writes an rtcstats dump of about size bytes (gzipped)
// whose first sample defines 30 stats objects and whose every later line
// names all 30 with empty deltas: each expands to a whole object (#22).
func writeAmplified(t *testing.T, size int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("amplified-%dmb.rtcstats.gz", size>>20))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	w := bufio.NewWriter(zw)
	ts := int64(1700000000000)
	var first, empty strings.Builder
	for i := range 30 {
		if i > 0 {
			first.WriteByte(',')
			empty.WriteByte(',')
		}
		fmt.Fprintf(&first, `"IT%02d":{"type":"inbound-rtp","kind":"video","ssrc":%d,"packetsReceived":1,"bytesReceived":1000,"packetsLost":0,"jitter":0.01,"framesDecoded":1,"frameWidth":1280,"frameHeight":720,"framesPerSecond":30,"timestamp":0}`, i, 1000+i)
		fmt.Fprintf(&empty, `"IT%02d":{}`, i)
	}
	n, _ := fmt.Fprintf(w, `["getstats","PC_0",{%s,"timestamp":%d},%d]`+"\n", first.String(), ts, ts)
	for n < size {
		ts += 1000
		k, _ := fmt.Fprintf(w, `["getstats","PC_0",{%s,"timestamp":%d},%d]`+"\n", empty.String(), ts, ts)
		n += k
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeBomb writes a gzip file of members, each of per bytes of filler
// after head (in the first member): a small file that unpacks to total.
func writeBomb(t *testing.T, name, head string, filler byte, total int) string {
	t.Helper()
	const per = 16 << 20
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(bytes.Repeat([]byte{filler}, per))
	zw.Close()
	var out bytes.Buffer
	zw = gzip.NewWriter(&out)
	zw.Write([]byte(head))
	zw.Close()
	for n := 0; n < total; n += per {
		out.Write(member.Bytes())
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// peakHeap runs fn and returns the most heap its objects took meanwhile
// (live and not yet swept, sampled every millisecond from runtime/metrics,
// and at each of fn's own calls to sample).
func peakHeap(fn func(sample func())) uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var mu sync.Mutex // the sampler and fn's own samples
	var peak uint64
	read := func() {
		mu.Lock()
		defer mu.Unlock()
		metrics.Read(s)
		peak = max(peak, s[0].Value.Uint64())
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				read()
			}
		}
	}()
	n := 0
	fn(func() {
		if n++; n%256 == 0 {
			read()
		}
	})
	close(stop)
	<-done
	read()
	return peak
}

const heapBudget = 300 << 20

// TestAmplifiedDumpsBounded: dumps whose lines expand to many whole stats
// objects are read within the heap budget: report's path (messages handed
// on and dropped) processes them whole, a replay (Load) keeps its cap and
// says what it refused.
func TestAmplifiedDumpsBounded(t *testing.T) {
	sizes := []int{10 << 20, 40 << 20}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, size := range sizes {
		path := writeAmplified(t, size)
		var msgs, objects int
		peak := peakHeap(func(sample func()) {
			_, err := Visit(path, Visitor{Message: func(m *feed.Message) error {
				msgs++
				objects += len(m.Stats)
				sample()
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
		})
		wantObjects := 30 * (size / 400) // lines of about 360 bytes
		t.Logf("%d MB: %d messages, %d stats objects, peak heap %d MB", size>>20, msgs, objects, peak>>20)
		if objects < wantObjects || peak > heapBudget {
			t.Errorf("%d MB amplified dump: %d stats objects (want at least %d), peak heap %d MB (budget %d)", size>>20, objects, wantObjects, peak>>20, heapBudget>>20)
		}

		if testing.Short() || size > 10<<20 {
			continue // the replay's cap: once, on the 10 MB dump, in full runs
		}
		var l *Loaded
		peak = peakHeap(func(func()) {
			var err error
			if l, err = Load(path); err != nil {
				t.Fatal(err)
			}
		})
		refusal := ""
		for _, p := range l.Problems {
			if strings.Contains(p.Reason, "refused") {
				refusal = p.Error()
			}
		}
		t.Logf("%d MB Load: %d records, peak heap %d MB; %s", size>>20, len(l.Records), peak>>20, refusal)
		if peak > heapBudget {
			t.Errorf("%d MB amplified dump: Load's peak heap %d MB (budget %d)", size>>20, peak>>20, heapBudget>>20)
		}
		if refusal == "" {
			t.Errorf("%d MB amplified dump: Load kept %d records and named no refusal", size>>20, len(l.Records))
		}
		l = nil
	}
}

// TestGzipBombsRefused: files that unpack to over 1 GB are refused within
// 64 MB of heap: zeros (no format at all) and a webrtc-internals dump
// whose one string never ends (read whole, so capped).
func TestGzipBombsRefused(t *testing.T) {
	total := 1 << 30
	if testing.Short() {
		total = 600 << 20
	}
	for _, tc := range []struct{ name, head, want string }{
		{"zeros.gz", "", "not a calltop recording or a known dump"},
		{"internals.json.gz", `{"PeerConnections":{"1-1":{"stats":{"a-b":{"values":"`, "larger than 32 MB"},
	} {
		filler := byte(0)
		if tc.head != "" {
			filler = '1'
		}
		path := writeBomb(t, tc.name, tc.head, filler, total)
		var err error
		peak := peakHeap(func(func()) { _, err = Load(path) })
		t.Logf("%s: refused with peak heap %d MB: %v", tc.name, peak>>20, err)
		if err == nil || !strings.Contains(err.Error(), tc.want) || peak > 64<<20 {
			t.Errorf("%s: %v (want %q), peak heap %d MB (budget 64)", tc.name, err, tc.want, peak>>20)
		}
	}
}
