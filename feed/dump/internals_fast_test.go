package dump

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/calltop/calltop/feed/recording"
)

// checkFastInternals holds fastInternals to the token walker: when it
// takes a dump, it reads exactly what the walker reads, without a problem.
func checkFastInternals(t *testing.T, body []byte) {
	t.Helper()
	fast, ok := fastInternals(body)
	if !ok {
		return
	}
	w := &walker{body: body, dec: json.NewDecoder(bytes.NewReader(body)), b: newBuilder("x"), d: &internalsDump{}}
	if err := w.top(); err != nil {
		t.Fatalf("%.80q: fast path took a dump the walker fails on: %v", body, err)
	}
	if len(w.b.problems) > 0 {
		t.Fatalf("%.80q: fast path took a dump the walker has problems with: %v", body, w.b.problems[0])
	}
	if !reflect.DeepEqual(fast, w.d) {
		t.Fatalf("%.80q: fast path read\n%+v\nthe walker\n%+v", body, fast, w.d)
	}
}

func TestFastInternalsMatchesWalker(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	gz, _ := filepath.Glob("testdata/chromium/*.json.gz")
	taken := 0
	for _, f := range append(files, gz...) {
		rc, err := recording.OpenFile(f)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		checkFastInternals(t, body)
		if _, ok := fastInternals(body); ok {
			taken++
		}
	}
	if taken < len(files)+len(gz)-1 { // every real dump but a damaged one
		t.Errorf("fast path took %d of %d dumps", taken, len(files)+len(gz))
	}
}

func FuzzFastInternals(f *testing.F) {
	for _, s := range []string{
		`{"PeerConnections":{"1-1":{"stats":{"a-b":{"values":"[1,2]","statsType":"x","startTime":1,"endTime":2}},"updateLog":[null,{"type":"x","value":"\"y\""}],"url":"u"}},"UserAgent":"ua"}`,
		`{"PeerConnections":{"1-1":{"stats":{"a-b":null,"c-d":{"VALUES":1}}}}}`,
		`{"UserAgent":null,"getUserMedia":[{"a":[1,"\u00e9"]}],"PeerConnections":{}}`,
	} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("testdata/internals-chrome86.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(checkFastInternals)
}
