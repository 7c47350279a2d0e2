package diagnose

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/calltop/calltop/feed"
)

// The report names both round-trip times (issue 17: on a relay dump the
// remote-inbound figure was 798 ms where the selected pair said 340 ms):
// meanRttMs is the one the rules use (remote-inbound, else the pair).
func TestReportNamesBothRTTs(t *testing.T) {
	m := NewMonitor(Options{KeepEnded: true})
	for i := int64(1); i <= 10; i++ {
		ts := float64(t0 + i*1000)
		stats := []feed.Stat{
			{ID: "CP", Type: feed.StatCandidatePair, Timestamp: ts, State: "succeeded", Nominated: true, CurrentRoundTripTime: 0.34},
			{ID: "OA", Type: feed.StatOutboundRTP, Timestamp: ts, SSRC: 3, Kind: "audio", PacketsSent: float64(50 * i), BytesSent: float64(4000 * i)},
		}
		if i > 5 { // RTCP round trips start arriving halfway
			stats = append(stats, feed.Stat{ID: "RA", Type: feed.StatRemoteInboundRTP, Timestamp: ts, SSRC: 3, Kind: "audio", RoundTripTime: 0.798})
		}
		m.Apply(&feed.Message{Type: feed.TypeStats, TS: ts, CallID: "c1", ParticipantID: "p1", ConnectionID: "pc", Stats: stats})
	}
	rep := m.Report()
	cn := rep.Calls[0].Participants[0].Connections[0]
	if cn.SelectedPairRTTMs == nil || *cn.SelectedPairRTTMs != 340 {
		t.Errorf("selectedPairRttMs %v, want 340", ptrText(cn.SelectedPairRTTMs))
	}
	if cn.RemoteInboundRTTMs == nil || *cn.RemoteInboundRTTMs != 798 {
		t.Errorf("remoteInboundRttMs %v, want 798", ptrText(cn.RemoteInboundRTTMs))
	}
	if want := (5*340 + 5*798) / 10.0; cn.MeanRTTMs == nil || *cn.MeanRTTMs != want {
		t.Errorf("meanRttMs %v, want %v (the pair until RTCP arrives, then remote-inbound)", ptrText(cn.MeanRTTMs), want)
	}
	js, err := json.Marshal(cn)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"meanRttMs":569`, `"selectedPairRttMs":340`, `"remoteInboundRttMs":798`} {
		if !bytes.Contains(js, []byte(key)) {
			t.Errorf("JSON %s lacks %s", js, key)
		}
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if want := "mean RTT 569 ms (selected pair 340, remote-inbound 798)"; !strings.Contains(text.String(), want) {
		t.Errorf("text report lacks %q:\n%s", want, text.String())
	}
}

func ptrText(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}
