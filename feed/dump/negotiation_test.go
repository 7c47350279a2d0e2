package dump

import (
	"strings"
	"testing"

	"github.com/calltop/calltop/feed"
)

// failures returns the negotiation failures among msgs.
func failures(msgs []feed.Message) []feed.Message {
	var out []feed.Message
	for _, m := range msgs {
		if m.Type == feed.TypeConnectionEvent && m.Event != nil && m.Event.Kind == feed.EventNegotiationFailure {
			out = append(out, m)
		}
	}
	return out
}

func TestRTCStatsNegotiationFailuresBecomeEvents(t *testing.T) {
	sdpError := `OperationError: Failed to execute 'setRemoteDescription' on 'RTCPeerConnection': Failed to parse SessionDescription. ` +
		strings.Repeat(`a=candidate:1 1 udp 2122260223 192.0.2.7 54400 typ host\r\n`, 20)
	dump := `{"path":"/room-7","fileFormat":2}
["create","PC_0",{"iceServers":[]},1700000000000]
["createOfferOnFailure","PC_0","InvalidStateError: the peer connection is closed",1700000000500]
["setRemoteDescriptionOnFailure","PC_0","` + sdpError + `",1700000001000]
["addIceCandidateFailed","PC_0",{"name":"OperationError","message":"Unknown ufrag"},1700000001500]
["getstats","PC_0",{"timestamp":1700000002000,"i1":{"type":"inbound-rtp","timestamp":0,"ssrc":7,"kind":"audio","packetsReceived":10}}]
`
	l, err := Load(writeFile(t, "neg.rtcstats", []byte(dump)))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Problems) != 0 {
		t.Errorf("problems %v (the failures are known lines)", l.Problems)
	}
	_, msgs := replay(t, l.Records)
	got := failures(msgs)
	if len(got) != 3 {
		t.Fatalf("%d negotiation failures, want 3: %+v", len(got), got)
	}
	want := []struct{ op, err string }{
		{"createOffer", "InvalidStateError: the peer connection is closed"},
		{"setRemoteDescription", "OperationError: Failed to execute 'setRemoteDescription'"},
		{"addIceCandidate", `{"message":"Unknown ufrag","name":"OperationError"}`},
	}
	for i, w := range want {
		e := got[i].Event
		if got[i].ConnectionID != "PC_0" || e.State != w.op || !strings.HasPrefix(e.Error, w.err) {
			t.Errorf("failure %d: conn %q %q %q, want %q %q...", i, got[i].ConnectionID, e.State, e.Error, w.op, w.err)
		}
	}
	if e := got[1].Event.Error; len(e) > maxFailureText+3 || !strings.HasSuffix(e, "...") || strings.Contains(e, `\r\n`) || strings.Contains(e, "hosta=") {
		t.Errorf("a long SDP error is not cut to one line of about %d bytes: %d bytes %q", maxFailureText, len(e), e)
	}
}

func TestInternalsNegotiationFailuresBecomeEvents(t *testing.T) {
	dump := `{"PeerConnections":{"1-1":{"stats":{
"T-timestamp":{"startTime":"2024-01-01T00:00:00Z","endTime":"2024-01-01T00:00:01Z","statsType":"transport","values":"[1704067200000,1704067201000]"},
"T-bytesSent":{"startTime":"2024-01-01T00:00:00Z","endTime":"2024-01-01T00:00:01Z","statsType":"transport","values":"[1,2]"}},
"updateLog":[{"type":"setLocalDescriptionOnFailure","value":"\"OperationError: Failed to set local offer sdp: Called in wrong state: have-remote-offer\"","timestamp":1704067200500},
{"type":"iceconnectionstatechange","value":"\"checking\"","timestamp":1704067200600}]}},"UserAgent":"x"}`
	l, err := LoadReader(strings.NewReader(dump), "neg.json")
	if err != nil {
		t.Fatal(err)
	}
	_, msgs := replay(t, l.Records)
	got := failures(msgs)
	if len(got) != 1 || got[0].Event.State != "setLocalDescription" ||
		got[0].Event.Error != "OperationError: Failed to set local offer sdp: Called in wrong state: have-remote-offer" || got[0].TS != 1704067200500 {
		t.Fatalf("failures %+v", got)
	}
}
