package feed

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeViewRequest(t *testing.T) {
	r, err := DecodeViewRequest([]byte(`{"type":"view.request","view":{"filter":"ana","sort":"Severity","desc":true,"offset":40,"limit":40,"open":"hub-a/call-7","ended":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := ViewQuery{Filter: "ana", Sort: SortWorst, Desc: true, Offset: 40, Limit: 40, Open: "hub-a/call-7", Ended: true}
	if r.View != want {
		t.Fatalf("got %+v, want %+v", r.View, want)
	}
	if r, err := DecodeViewRequest([]byte(` {"type":"view.request","view":{"sort":"RTT"},"later":1} `)); err != nil || r.View.Sort != SortRTT {
		t.Fatalf("a request with a field this version does not know: %+v, %v", r, err)
	}
	for _, c := range []struct{ frame, want string }{
		{`[]`, "view.request: frame is not a JSON object"},
		{`{"type":"view.window"}`, `want a view.request frame, got type "view.window"`},
		{`{"type":"view.request","view":{"limit":1001}}`, "view.request: view.limit 1001: must be 0 to 1000"},
		{`{"type":"view.request","view":{"offset":-1}}`, "view.request: view.offset -1: must not be negative"},
		{`{"type":"view.request","view":{"sort":"loudest"}}`, `view.request: view.sort "loudest": want one of worst, mos, loss, rtt, duration, room`},
		{`{"type":"view.request","view":{"filter":"` + strings.Repeat("a", 257) + `"}}`, "view.request: view.filter 257: bytes: at most 256"},
		{`{"type":"view.request","view":{"open":"` + strings.Repeat("k", 1025) + `"}}`, "view.request: view.open 1025: bytes: at most 1024"},
		{`{"type":"view.request","view":{"limit":"40"}}`, "view.request: json: cannot unmarshal string into Go struct field ViewQuery.view.limit of type int"},
	} {
		if _, err := DecodeViewRequest([]byte(c.frame)); err == nil || err.Error() != c.want {
			t.Errorf("%.60s: error %v, want %q", c.frame, err, c.want)
		}
	}
}

// TestViewWindowNames pins the wire names a view client reads.
func TestViewWindowNames(t *testing.T) {
	mos := 3.1
	b, err := EncodeView(ViewWindow{Type: TypeViewWindow, TS: 1000, Window: ViewPage{Seq: 2, Total: 3, Matched: 1,
		Counts: ViewCounts{OK: 1, Warning: 1, Critical: 0, Ended: 1},
		Rows: []ViewRow{{Key: "h/c", ID: "c", Participants: 2, Severity: "warning", WorstMOS: &mos,
			People: []ViewPerson{{ID: "p1", Name: "Ana", UserID: "u1"}}, Source: "lost"}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"view.window","ts":1000,"window":{"seq":2,"total":3,"matched":1,"counts":{"ok":1,"warning":1,"critical":0,"ended":1},"offset":0,` +
		`"rows":[{"key":"h/c","id":"c","participants":2,"severity":"warning","worstMos":3.1,"people":[{"id":"p1","name":"Ana","userId":"u1"}],"source":"lost"}]}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func FuzzDecodeViewRequest(f *testing.F) {
	f.Add([]byte(`{"type":"view.request","view":{"filter":"ana","sort":"worst","desc":false,"offset":0,"limit":40,"open":"hub-a/call-7","ended":true}}`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		r, err := DecodeViewRequest(frame)
		if err != nil {
			if r != (ViewRequest{}) {
				t.Fatalf("an error with a request: %+v", r)
			}
			return
		}
		v := r.View
		if v.Offset < 0 || v.Limit < 0 || v.Limit > MaxViewRows || len(v.Filter) > MaxViewFilter || len(v.Open) > MaxViewKey {
			t.Fatalf("out of bounds accepted: %+v", v)
		}
		if _, ok := canonicalSort(v.Sort); !ok || v.Sort == "" {
			t.Fatalf("sort %q accepted", v.Sort)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeViewRequest(b)
		if err != nil || again != r {
			t.Fatalf("re-encoded request %s decodes to %+v, %v", b, again, err)
		}
	})
}
