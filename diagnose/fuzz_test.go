package diagnose

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/calltop/calltop/feed"
)

// FuzzMonitor feeds the Monitor random frames: the input is read as JSON
// lines (decoded like a feed would), and the same bytes drive a generator
// of stats objects with arbitrary numbers (NaN, infinities, negatives,
// wraps) that JSON cannot carry. The Monitor must never panic, never show
// a negative bitrate or a loss outside 0..100 %, and never report
// billion-packet totals.
//
// Run it with minimisation off, or the fuzzer spends minutes shrinking
// each multi-kilobyte input it finds interesting and reports 0 execs/s:
//
//	go test ./diagnose -run XXX -fuzz FuzzMonitor -fuzzminimizetime 0 -parallel 1
func FuzzMonitor(f *testing.F) {
	f.Add([]byte(`{"type":"call.start","ts":1767225600000,"call":{"id":"c1"}}
{"type":"stats","ts":1767225601000,"callId":"c1","participantId":"p1","connectionId":"pc","stats":[{"id":"IA","type":"inbound-rtp","timestamp":1767225601000,"ssrc":1,"kind":"audio","packetsReceived":50,"bytesReceived":4000}]}
{"type":"stats","ts":1767225602000,"callId":"c1","participantId":"p1","connectionId":"pc","stats":[{"id":"IA","type":"inbound-rtp","timestamp":1767225602000,"ssrc":1,"kind":"audio","packetsReceived":20,"packetsLost":4294967295,"bytesReceived":4000}]}`))
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 251, 252, 253, 254, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		m := NewMonitor(Options{KeepEnded: true, History: 30e9})
		for _, line := range bytes.Split(data, []byte("\n")) {
			var msg feed.Message
			if feed.Decode(line, &msg) == nil {
				m.Apply(&msg)
			}
		}
		m.Apply(nil)
		fuzzStats(m, data)
		checkInvariants(t, m)
	})
}

// fuzzStats turns bytes into a sequence of stats messages with raw float
// values.
func fuzzStats(m *Monitor, data []byte) {
	types := []string{feed.StatInboundRTP, feed.StatOutboundRTP, feed.StatRemoteInboundRTP, feed.StatMediaSource,
		feed.StatCandidatePair, feed.StatLocalCandidate, feed.StatTransport}
	specials := []float64{0, 1, -1, math.NaN(), math.Inf(1), math.Inf(-1), wrap32 - 1, wrap32, 1e15, 0.5, 100, 1e9 + 1}
	num := func(b []byte, i int) float64 {
		if i+8 > len(b) {
			return 0
		}
		if b[i]%4 == 0 {
			return specials[int(b[i+1])%len(specials)]
		}
		return float64(binary.LittleEndian.Uint32(b[i:])) / float64(1+b[i+4]%8)
	}
	ts := float64(t0)
	for i := 0; i+16 <= len(data); i += 16 {
		b := data[i : i+16]
		ts += float64(int(b[0]%5)-1) * 500 // sometimes backwards or repeated
		st := feed.Stat{ID: string(rune('A' + b[1]%4)), Type: types[int(b[2])%len(types)], Timestamp: ts,
			SSRC: int64(b[3] % 3), Kind: []string{"audio", "video", ""}[b[4]%3],
			PacketsReceived: num(b, 5), PacketsLost: num(b, 6), BytesReceived: num(b, 7), BytesSent: num(b, 8),
			PacketsSent: num(b, 5), Jitter: num(b, 6) / 1e6, RoundTripTime: num(b, 7) / 1e6, FractionLost: num(b, 8) / 1e9,
			TotalFreezesDuration: num(b, 5), FramesPerSecond: num(b, 6), AudioLevel: num(b, 7) / 1e9,
			TotalAudioEnergy: num(b, 8), TotalSamplesDuration: num(b, 5), ConcealedSamples: num(b, 6),
			TotalSamplesReceived: num(b, 7), PliCount: num(b, 8), CurrentRoundTripTime: num(b, 6) / 1e6,
			AvailableOutgoingBitrate: num(b, 7), State: "succeeded", Nominated: b[9]%2 == 0,
			LocalCandidateID: "A", CandidateType: "relay", RelayProtocol: "tcp", SelectedCandidatePairID: "B",
			ICEState:                   []string{"", "connected", "disconnected", "failed", "checking"}[b[10]%5],
			QualityLimitationDurations: map[string]float64{"cpu": num(b, 7), "bandwidth": num(b, 8)}}
		msg := feed.Message{Type: feed.TypeStats, TS: ts, CallID: "c" + string(rune('0'+b[11]%3)),
			ParticipantID: "p" + string(rune('0'+b[12]%2)), ConnectionID: "pc", Stats: []feed.Stat{st}}
		switch b[13] % 16 {
		case 0:
			msg = feed.Message{Type: feed.TypeConnectionEvent, TS: ts, CallID: msg.CallID, ParticipantID: msg.ParticipantID,
				ConnectionID: "pc", Event: &feed.ConnectionEvent{Kind: feed.EventICEConnectionState, State: st.ICEState}}
		case 1:
			msg = feed.Message{Type: feed.TypeCallEnd, TS: ts, CallID: msg.CallID}
		case 2:
			msg = feed.Message{Type: feed.TypeSnapshot, TS: ts, Calls: []feed.Call{{ID: msg.CallID}}}
		case 3:
			msg = feed.Message{Type: feed.TypeParticipantLeave, TS: ts, CallID: msg.CallID, ParticipantID: msg.ParticipantID}
		}
		m.Apply(&msg)
		if b[14]%8 == 0 {
			m.Snapshot(msg.CallID)
		}
	}
}

func checkInvariants(t *testing.T, m *Monitor) {
	t.Helper()
	for _, c := range m.views.allCalls() {
		for _, p := range c.parts {
			ser := p.hist.series()
			for s, series := range ser {
				for _, v := range series.Values {
					if math.IsInf(v, 0) || v < 0 || (s >= seriesLossIn && s <= seriesLossOut && v > 100) {
						t.Fatalf("%s value %v", series.Name, v)
					}
				}
			}
		}
	}
	for _, f := range m.OpenFindings() {
		for _, e := range f.Evidence {
			if math.IsNaN(e.Value) || math.IsInf(e.Value, 0) {
				t.Fatalf("finding %s evidence %+v", f.Rule, e)
			}
		}
	}
	for _, c := range m.Report().Calls {
		for _, p := range c.Participants {
			for _, cn := range p.Connections {
				for _, n := range []int64{cn.PacketsSent, cn.PacketsSentLost, cn.PacketsReceived, cn.PacketsReceivedLost} {
					if n < 0 || n > maxStreams*maxCounter {
						t.Fatalf("connection total %d", n)
					}
				}
				for _, s := range cn.Streams {
					if s.Packets > maxCounter || s.PacketsLost > maxCounter {
						t.Fatalf("billion-packet stream total %+v", s)
					}
					if s.MeanBitrateKbps < 0 || math.IsNaN(s.MeanBitrateKbps) || s.MeanBitrateKbps > 8*maxBytesPerSec/1000 {
						t.Fatalf("stream bitrate %v", s.MeanBitrateKbps)
					}
				}
			}
		}
	}
}
