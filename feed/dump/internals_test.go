package dump

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
)

// The synthetic webrtc-internals dumps in testdata follow the documented
// shapes; see testdata/README.md for what each one exercises.

// t0 is the first poll of testdata/internals-current.json.
const t0 = 1700000000000.25

func loadInternalsFile(t *testing.T, name string) (*Loaded, map[string]*connSummary, []feed.Message) {
	t.Helper()
	l, err := Load("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != FormatWebRTCInternals {
		t.Fatalf("format %q, want %q", l.Format, FormatWebRTCInternals)
	}
	conns, msgs := replay(t, l.Records)
	return l, conns, msgs
}

// statsOf returns every sample of one stats id, in order.
func statsOf(msgs []feed.Message, conn, id string) []feed.Stat {
	var out []feed.Stat
	for _, m := range msgs {
		if m.Type != feed.TypeStats || m.ConnectionID != conn {
			continue
		}
		for _, s := range m.Stats {
			if s.ID == id {
				out = append(out, s)
			}
		}
	}
	return out
}

func TestInternalsCurrentChrome(t *testing.T) {
	l, conns, msgs := loadInternalsFile(t, "internals-current.json")
	if len(l.Problems) != 0 {
		t.Errorf("problems: %v", l.Problems)
	}
	if len(conns) != 2 {
		t.Fatalf("%d connections, want 11-1 and 11-2", len(conns))
	}
	call, part := msgs[0].Call, msgs[1].Participant
	if call.ID != "internals-current" || call.Room != "standup" || call.Tags["url"] != "https://meet.example.com/standup" || part.Name != "Chrome 124" || part.UserAgent == "" {
		t.Errorf("call %+v participant %+v", call, part)
	}

	good, bad := conns["11-1"], conns["11-2"]
	if good.Failed || !good.Relay || good.PacketsReceived != 250 || good.PacketsLostIn != 2 || good.PacketsSent != 450 || good.PacketsLostOut != 4 {
		t.Errorf("11-1: %+v", *good)
	}
	wantStates := []string{"signalingstatechange=have-local-offer", "signalingstatechange=stable",
		"iceconnectionstatechange=checking", "connectionstatechange=connecting",
		"iceconnectionstatechange=connected", "connectionstatechange=connected"}
	if !slices.Equal(good.States, wantStates) {
		t.Errorf("11-1 states %v\nwant %v (the legacy ICE entry is dropped when a standard one exists)", good.States, wantStates)
	}
	if !bad.Failed || bad.Relay || bad.States[len(bad.States)-1] != "connectionstatechange=closed" {
		t.Errorf("11-2: failed=%v relay=%v states %v", bad.Failed, bad.Relay, bad.States)
	}

	// jitterBufferDelay has 3 values for 5 timestamps: they belong to the
	// last three polls (aligned from the end).
	in := statsOf(msgs, "11-1", "IT01A1234")
	if len(in) != 5 {
		t.Fatalf("%d samples of IT01A1234, want 5", len(in))
	}
	for i, want := range []float64{0, 0, 1.5, 2.9, 4.4} {
		if in[i].JitterBufferDelay != want || in[i].Timestamp != t0+float64(i)*1000 {
			t.Errorf("sample %d: jitterBufferDelay %v at %v, want %v at %v", i, in[i].JitterBufferDelay, in[i].Timestamp, want, t0+float64(i)*1000)
		}
	}
	// Double-encoded values of every JSON type arrive typed.
	out := statsOf(msgs, "11-1", "OT01V99")
	if q := out[2]; q.QualityLimitationReason != "bandwidth" || q.QualityLimitationDurations["none"] != 1 || q.RemoteID != "RIV99" {
		t.Errorf("outbound sample 2: %+v", q)
	}
	// The remote-inbound report polled twice with the same time is one sample.
	if ri := statsOf(msgs, "11-1", "RIV99"); len(ri) != 4 {
		t.Errorf("%d remote-inbound samples, want 4 (one duplicate poll dropped)", len(ri))
	}
	if c := statsOf(msgs, "11-1", "CIT01_111_minptime=10;useinbandfec=1"); len(c) != 5 || c[0].MimeType != "audio/opus" {
		t.Errorf("codec with '=' and ';' in its id: %d samples", len(c))
	}
	// One stats message per poll: 5 for 11-1, 3 for 11-2.
	polls := map[string]int{}
	for _, m := range msgs {
		if m.Type == feed.TypeStats {
			polls[m.ConnectionID]++
		}
	}
	if polls["11-1"] != 5 || polls["11-2"] != 3 {
		t.Errorf("stats messages per connection %v, want 11-1:5 11-2:3", polls)
	}
}

func TestInternalsChrome86(t *testing.T) {
	l, conns, msgs := loadInternalsFile(t, "internals-chrome86.json")
	if len(l.Problems) != 0 {
		t.Errorf("problems: %v", l.Problems)
	}
	c := conns["7-1"]
	if c == nil || c.Failed || c.Relay || c.LocalCandidate != "srflx" || c.PacketsReceived != 240 || c.PacketsLostIn != 1 || c.PacketsSent != 500 {
		t.Fatalf("7-1: %+v", c)
	}
	// Values are spread one second apart between startTime and endTime.
	start := float64(time.Date(2020, 11, 5, 20, 34, 12, 0, time.UTC).UnixMilli())
	in := statsOf(msgs, "7-1", "RTCInboundRTPAudioStream_2927209963")
	if len(in) != 5 || in[0].Timestamp != start || in[4].Timestamp != start+4000 {
		t.Fatalf("inbound samples %d, times %v..%v", len(in), in[0].Timestamp, in[len(in)-1].Timestamp)
	}
	// jitter starts two seconds late: aligned with the last three samples.
	if in[1].Jitter != 0 || in[2].Jitter != 0.004 || in[4].Jitter != 0.005 {
		t.Errorf("jitter %v %v %v", in[1].Jitter, in[2].Jitter, in[4].Jitter)
	}
	// Concealment lived on the track object; it is folded into the stream.
	if in[4].ConcealedSamples != 960 || in[4].TotalSamplesReceived != 240000 {
		t.Errorf("track fields not folded in: %+v", in[4])
	}
	// The updateLog holds local wall-clock strings (here UTC+1): the offset
	// is estimated against the stats, so "9:34:12 PM" lands at 20:34:12Z.
	connected := -1.0
	for _, m := range msgs {
		if m.Type == feed.TypeConnectionEvent && m.Event.State == "connected" {
			connected = m.TS
		}
	}
	if connected != start {
		t.Errorf("ICE connected at %v, want %v", msTime(connected), msTime(start))
	}
	want := []string{"signalingstatechange=have-local-offer", "signalingstatechange=stable",
		"iceconnectionstatechange=checking", "iceconnectionstatechange=connected", "icegatheringstatechange=complete"}
	if !slices.Equal(c.States, want) {
		t.Errorf("states %v\nwant %v", c.States, want)
	}
}

func TestInternalsLegacyGoog(t *testing.T) {
	_, conns, msgs := loadInternalsFile(t, "internals-legacy.json")
	c := conns["3-1"]
	if c == nil {
		t.Fatal("3-1 missing")
	}
	if !c.Relay || c.PacketsReceived != 200 || c.PacketsLostIn != 3 || c.PacketsSent != 900 || c.PacketsLostOut != 5 {
		t.Errorf("3-1: %+v", *c)
	}
	cand := statsOf(msgs, "3-1", "Cand-aaa")
	if len(cand) == 0 || cand[0].RelayProtocol != "tls" || cand[0].NetworkType != "wifi" {
		t.Errorf("relay candidate %+v: want relayProtocol tls (priority 8331263 >> 24 == 0) on wifi", cand)
	}
	out := statsOf(msgs, "3-1", "ssrc_222_send")
	ri := statsOf(msgs, "3-1", "ssrc_222_send_remote")
	if len(out) != 3 || out[1].QualityLimitationReason != "cpu" || len(ri) != 3 || ri[2].RoundTripTime != 0.09 {
		t.Errorf("send mapping: %+v / %+v", out, ri)
	}
	in := statsOf(msgs, "3-1", "ssrc_111_recv")
	if len(in) != 3 || in[2].Jitter != 0.03 {
		t.Errorf("jitter from googJitterReceived (ms): %+v", in)
	}
	pair := statsOf(msgs, "3-1", "Conn-audio-1-0")
	if len(pair) != 3 || pair[2].AvailableOutgoingBitrate != 300000 || pair[2].CurrentRoundTripTime != 0.091 || !pair[2].Selected {
		t.Errorf("pair (with bweforvideo folded in): %+v", pair)
	}
}

func TestSplitKey(t *testing.T) {
	for _, tc := range []struct{ key, id, attr string }{
		{"IT01V123-bytesReceived", "IT01V123", "bytesReceived"},
		{"Conn-audio-1-0-googRtt", "Conn-audio-1-0", "googRtt"},
		{"RTCIceCandidatePair_Ab+1_Cd/2-state", "RTCIceCandidatePair_Ab+1_Cd/2", "state"},
		{"IT01V123-[bytesReceived_in_bits/s]", "", ""},
		{"OT01V9-[codec]", "", ""},
		{"noattribute", "", ""},
		{"trailing-", "", ""},
	} {
		id, attr, ok := splitKey(tc.key)
		if id != tc.id || attr != tc.attr || ok != (tc.id != "") {
			t.Errorf("splitKey(%q) = %q, %q, %v; want %q, %q", tc.key, id, attr, ok, tc.id, tc.attr)
		}
	}
}

func TestUpdateLogValuesAndKinds(t *testing.T) {
	for _, tc := range []struct{ typ, value, kind, state string }{
		{"iceconnectionstatechange", `"\"connected\""`, feed.EventICEConnectionState, "connected"},
		{"onconnectionstatechange", `"\"failed\""`, feed.EventConnectionState, "failed"},
		{"signalingStateChange", `"SignalingStateHaveLocalOffer"`, feed.EventSignalingState, "have-local-offer"},
		{"iceConnectionStateChange", `"kICEConnectionStateCompleted"`, feed.EventICEConnectionState, "completed"},
		{"iceConnectionStateChange", `"IceConnectionStateChecking"`, feed.EventICEConnectionState, "checking"},
		{"iceGatheringStateChange", `"IceGatheringStateGathering"`, feed.EventICEGatheringState, "gathering"},
		{"iceconnectionstatechange (legacy)", `"\"disconnected\""`, feed.EventICEConnectionState, "disconnected"},
		{"signalingstatechange", `42`, feed.EventSignalingState, ""},
	} {
		if k, s := updateKind(tc.typ), updateValue(json.RawMessage(tc.value)); k != tc.kind || s != tc.state {
			t.Errorf("%s %s: kind %q state %q, want %q %q", tc.typ, tc.value, k, s, tc.kind, tc.state)
		}
	}
}
