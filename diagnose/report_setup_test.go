package diagnose_test

import (
	"strings"
	"time"

	"testing"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

// TestReportSetupFromEvents: gathering, set-up, a reconnection, an ICE
// restart and a DTLS failure, from connection events and transport stats.
func TestReportSetupFromEvents(t *testing.T) {
	m := diagnose.NewMonitor(diagnose.Options{KeepEnded: true})
	base := 1.7e12
	at := func(s float64) float64 { return base + s*1000 }
	m.Apply(&feed.Message{Type: feed.TypeCallStart, TS: at(0), Call: &feed.Call{ID: "c"}})
	m.Apply(&feed.Message{Type: feed.TypeParticipantJoin, TS: at(0), CallID: "c", Participant: &feed.Participant{ID: "p", UserID: "u-1"}})
	ev := func(s float64, kind, state string) {
		m.Apply(&feed.Message{Type: feed.TypeConnectionEvent, TS: at(s), CallID: "c", ParticipantID: "p", ConnectionID: "pc",
			Event: &feed.ConnectionEvent{Kind: kind, State: state}})
	}
	ev(0.1, feed.EventICEGatheringState, "gathering")
	ev(0.2, feed.EventICEConnectionState, "checking")
	ev(0.35, feed.EventICEGatheringState, "complete")
	ev(0.9, feed.EventICEConnectionState, "connected")
	ev(10, feed.EventICEConnectionState, "disconnected")
	ev(12, feed.EventICEConnectionState, "connected")
	ev(20, feed.EventICEConnectionState, "checking") // an ICE restart
	ev(20.5, feed.EventICEConnectionState, "connected")
	m.Apply(&feed.Message{Type: feed.TypeStats, TS: at(21), CallID: "c", ParticipantID: "p", ConnectionID: "pc",
		Stats: []feed.Stat{{ID: "T", Type: feed.StatTransport, Timestamp: at(21), DTLSState: "failed"}}})

	rep := m.Report()
	p := rep.Calls[0].Participants[0]
	cn := p.Connections[0]
	if p.UserID != "u-1" {
		t.Errorf("user id %q, want u-1", p.UserID)
	}
	if cn.SetupMs == nil || *cn.SetupMs != 800 || cn.ICEGatheringMs == nil || *cn.ICEGatheringMs != 250 {
		t.Errorf("set-up %v ms, gathering %v ms; want 800 and 250", deref(cn.SetupMs), deref(cn.ICEGatheringMs))
	}
	if cn.Reconnects != 1 || cn.ICERestarts != 1 || !cn.DTLSFailed {
		t.Errorf("reconnects %d, ICE restarts %d, DTLS failed %v; want 1, 1, true", cn.Reconnects, cn.ICERestarts, cn.DTLSFailed)
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// TestReportTracksOnARealDump: per-track loss, concealment and frame sizes
// on the Chrome 99 rtcstats dump, as its raw counters give them.
func TestReportTracksOnARealDump(t *testing.T) {
	rep := replayFile(t, rtcstatsFixtures+"/google-standard-stats-p2p.rtcstats")
	var video, audio *diagnose.ReportStream
	var setup *diagnose.ReportConnection
	for i, cn := range rep.Calls[0].Participants[0].Connections {
		if cn.ID == "PC_1" {
			setup = &rep.Calls[0].Participants[0].Connections[i]
		}
		for j := range cn.Streams {
			s := &cn.Streams[j]
			switch {
			case s.SSRC == 1527498116:
				video = s
			case s.SSRC == 3489317734:
				audio = s
			}
		}
	}
	if video == nil || audio == nil || setup == nil {
		t.Fatal("the dump's PC_1 or its streams are missing")
	}
	// 334 packets received, 36 lost: 36/370.
	if video.LossPct == nil || *video.LossPct != 9.73 || video.MinResolution != "320x180" || video.MaxResolution != "1280x720" {
		t.Errorf("video 1527498116: loss %v %%, %s to %s; want 9.73 %%, 320x180 to 1280x720", deref(video.LossPct), video.MinResolution, video.MaxResolution)
	}
	if audio.ConcealmentPct == nil || *audio.ConcealmentPct <= 0 || *audio.ConcealmentPct >= 100 {
		t.Errorf("audio 3489317734: concealment %v %%", deref(audio.ConcealmentPct))
	}
	if setup.SetupMs == nil || setup.ICEGatheringMs == nil || setup.Reconnects != 0 {
		t.Errorf("PC_1 set-up %v ms, gathering %v ms, %d reconnects", deref(setup.SetupMs), deref(setup.ICEGatheringMs), setup.Reconnects)
	}
}

// TestReportNegotiationFailures: failed negotiation steps are counted,
// the first ten kept with their time and message, on the call's timeline
// and in the text report's set-up line.
func TestReportNegotiationFailures(t *testing.T) {
	m := diagnose.NewMonitor(diagnose.Options{KeepEnded: true})
	base := 1.7e12
	at := func(s float64) float64 { return base + s*1000 }
	m.Apply(&feed.Message{Type: feed.TypeCallStart, TS: at(0), Call: &feed.Call{ID: "c"}})
	m.Apply(&feed.Message{Type: feed.TypeParticipantJoin, TS: at(0), CallID: "c", Participant: &feed.Participant{ID: "p"}})
	fail := func(s float64, op, text string) {
		m.Apply(&feed.Message{Type: feed.TypeConnectionEvent, TS: at(s), CallID: "c", ParticipantID: "p", ConnectionID: "pc",
			Event: &feed.ConnectionEvent{Kind: feed.EventNegotiationFailure, State: op, Error: text}})
	}
	fail(1, "setRemoteDescription", "OperationError: Failed to set remote answer sdp: Called in wrong state: stable")
	for i := range 14 { // a renegotiation loop
		fail(2+float64(i), "createOffer", "InvalidStateError")
	}
	rep := m.Report()
	cn := rep.Calls[0].Participants[0].Connections[0]
	if cn.NegotiationFailures != 15 || len(cn.NegotiationErrors) != 10 {
		t.Fatalf("%d failures with %d kept, want 15 with 10", cn.NegotiationFailures, len(cn.NegotiationErrors))
	}
	first := cn.NegotiationErrors[0]
	if first.Operation != "setRemoteDescription" || !first.At.Equal(time.UnixMilli(int64(at(1)))) || !strings.Contains(first.Error, "wrong state: stable") {
		t.Errorf("first failure %+v", first)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "15 failed negotiation steps (first: setRemoteDescription: OperationError: Failed to set remote answer sdp") {
		t.Errorf("the text report does not say it:\n%s", text.String())
	}
	timeline := 0
	for _, ev := range m.Snapshot("c").Focus.Timeline {
		if ev.Kind == "negotiation" && strings.HasPrefix(ev.Text, "setRemoteDescription failed: OperationError") {
			timeline++
		}
	}
	if timeline != 1 {
		t.Errorf("the call's timeline has %d entries for the failed setRemoteDescription, want 1", timeline)
	}
}
