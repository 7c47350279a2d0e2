package view

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

// TestWireRowRoundTrip: a row on the wire comes back as the summary it
// was made from (unknown numbers stay unknown, times to the ms).
func TestWireRowRoundTrip(t *testing.T) {
	c := &diagnose.CallSummary{ID: "call-7", Key: "hub-a/call-7", Room: "standup", Tags: map[string]string{"region": "eu"},
		Start: t0, FirstStats: t0.Add(2 * time.Second), Participants: 2, Severity: diagnose.Critical,
		TopFinding: "round trip 300 ms", TopRule: diagnose.RuleRTTHigh, WorstMOS: 2.5, WorstLoss: math.NaN(),
		WorstRTTMs: 300, BitrateKbps: math.NaN(), People: []diagnose.Person{{ID: "p1", Name: "Ana O.", UserID: "u1"}, {ID: "p2", Name: "Lea"}}}
	b, err := json.Marshal(WireRow(c, "lost"))
	if err != nil {
		t.Fatal(err)
	}
	var r feed.ViewRow
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Source != "lost" || r.Severity != "critical" || r.WorstLoss != nil {
		t.Fatalf("on the wire: %s", b)
	}
	got := FromWire(r)
	if !math.IsNaN(got.WorstLoss) || !math.IsNaN(got.BitrateKbps) {
		t.Fatalf("unknown numbers came back as %v, %v", got.WorstLoss, got.BitrateKbps)
	}
	want := *c
	if !got.Start.Equal(want.Start) || !got.FirstStats.Equal(want.FirstStats) || !got.End.IsZero() {
		t.Fatalf("times %v %v %v, want %v %v and none", got.Start, got.FirstStats, got.End, want.Start, want.FirstStats)
	}
	got.Start, got.FirstStats, want.Start, want.FirstStats = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(fmtNaN(got), fmtNaN(&want)) {
		t.Fatalf("came back as\n%+v\nwant\n%+v", *got, want)
	}
}

// fmtNaN makes NaNs comparable.
func fmtNaN(c *diagnose.CallSummary) diagnose.CallSummary {
	out := *c
	for _, v := range []*float64{&out.WorstMOS, &out.WorstLoss, &out.WorstRTTMs, &out.BitrateKbps} {
		if math.IsNaN(*v) {
			*v = -1
		}
	}
	return out
}

// TestSortNames: every sort the TUI cycles through has a wire name that
// maps back to it, forwards and reversed.
func TestSortNames(t *testing.T) {
	for k := range SortKeys {
		for _, rev := range []SortKey{0, SortReversed} {
			name, desc := SortName(k | rev)
			if got := SortOf(name, desc); got != k|rev {
				t.Errorf("%v reversed=%v: named %q, which maps to %v", k, rev != 0, name, got)
			}
		}
	}
	if SortOf("", false) != SortSeverity || SortOf("nonsense", true) != SortSeverity|SortReversed {
		t.Error(`"" and an unknown name are not the worst-first sort`)
	}
}
