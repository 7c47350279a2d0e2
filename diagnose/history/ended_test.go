package history

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

// A call that ends in a Monitor collecting ended calls comes out with its
// report, its people's facts and their graphs, and survives the stored
// JSON form (NaN gaps included).
func TestEndedCallFromTheMonitorKeepsPeopleAndGraphs(t *testing.T) {
	m := diagnose.NewMonitor(diagnose.Options{CollectEnded: true, Linger: time.Second})
	t0 := float64(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC).UnixMilli())
	m.Apply(&feed.Message{Type: feed.TypeCallStart, TS: t0, Call: &feed.Call{ID: "c1", Room: "support-ops", Start: t0}})
	m.Apply(&feed.Message{Type: feed.TypeParticipantJoin, TS: t0, CallID: "c1", Participant: &feed.Participant{ID: "p1",
		Name: "Dana O'Neil", UserID: "u-42", NetworkType: "wifi", Region: "eu-west",
		UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"}})
	for i := range 30 {
		ts := t0 + float64(i*1000)
		m.Apply(&feed.Message{Type: feed.TypeStats, TS: ts, CallID: "c1", ParticipantID: "p1", ConnectionID: "PC_0",
			Stats: []feed.Stat{{ID: "IT01A1", Type: feed.StatInboundRTP, Timestamp: ts, SSRC: 1, Kind: "audio",
				BytesReceived: float64(i) * 5000, PacketsReceived: float64(i) * 50}}})
	}
	if got := m.TakeEnded(); got != nil {
		t.Fatalf("a live call was taken as ended: %+v", got)
	}
	live := m.Snapshot("c1").Focus
	if live == nil || len(live.Participants) != 1 {
		t.Fatalf("the live call's detail: %+v", live)
	}
	liveIn := live.Participants[0].BitrateIn
	m.Apply(&feed.Message{Type: feed.TypeCallEnd, TS: t0 + 30000, CallID: "c1"})
	m.Apply(&feed.Message{Type: feed.TypeStats, TS: t0 + 35000, CallID: "other", ParticipantID: "x"}) // time moves on: linger passes
	ended := m.TakeEnded()
	if len(ended) != 1 {
		t.Fatalf("took %d ended calls, want 1", len(ended))
	}
	c := FromEnded(ended[0], "sim")
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Call
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Report.ID != "c1" || back.Report.End == nil || back.Report.Room != "support-ops" {
		t.Fatalf("report %+v", back.Report)
	}
	p := back.People[0]
	if p.UserID != "u-42" || p.Browser != "Chrome 142" || p.OS == "" || p.Network != "wifi" || p.Region != "eu-west" {
		t.Fatalf("person facts %+v", p)
	}
	s := back.Series["p1"]
	if len(s.OffsetMs) < 10 || len(s.BitrateInKbps) != len(s.OffsetMs) {
		t.Fatalf("series of %d points (%d bitrate values)", len(s.OffsetMs), len(s.BitrateInKbps))
	}
	var rate, gaps int
	for i, v := range s.BitrateInKbps {
		if math.IsNaN(float64(v)) {
			gaps++
		} else if v > 30 && v < 50 { // 5,000 bytes a second is 40 kbps
			rate++
		}
		if math.IsNaN(float64(s.BitrateOutKbps[i])) {
			gaps++
		}
	}
	if rate < len(s.OffsetMs)/2 || gaps == 0 {
		t.Fatalf("bitrate in %v: want mostly 40 kbps, and NaN where nothing was sent", s.BitrateInKbps)
	}
	if m.TakeEnded() != nil {
		t.Fatal("TakeEnded gave the same call twice")
	}

	// Opened from history, the call screen draws the graph it drew live.
	d := back.Detail()
	if d.Summary.Key != "c1" || !d.Summary.Ended || d.Summary.Room != "support-ops" || len(d.Participants) != 1 {
		t.Fatalf("stored call's detail: %+v", d.Summary)
	}
	got := d.Participants[0].BitrateIn
	if got.Name != liveIn.Name || len(got.Values) != len(liveIn.Values) {
		t.Fatalf("stored graph %q of %d points, live %q of %d", got.Name, len(got.Values), liveIn.Name, len(liveIn.Values))
	}
	for i := range got.Values {
		a, b := got.Values[i], liveIn.Values[i]
		if math.IsNaN(a) != math.IsNaN(b) || (!math.IsNaN(a) && math.Abs(a-b) > 0.05) || !got.Times[i].Equal(liveIn.Times[i]) {
			t.Fatalf("point %d: stored %v at %v, live %v at %v", i, a, got.Times[i], b, liveIn.Times[i])
		}
	}
	if d.Participants[0].Name != "Dana O'Neil" || d.Participants[0].UserID != "u-42" || d.Participants[0].Browser != "Chrome 142" {
		t.Fatalf("stored participant %+v", d.Participants[0])
	}
}
