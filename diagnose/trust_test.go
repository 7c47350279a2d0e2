package diagnose

import (
	"math"
	"testing"

	"github.com/calltop/calltop/feed"
)

// in is one inbound-rtp audio sample: time offset (s), counters, jitter.
type in struct {
	sec               float64
	ssrc              int64
	recv, lost, bytes float64
	jitter            float64
}

func inboundMsg(s in) feed.Message {
	ts := float64(t0) + s.sec*1000
	ssrc := s.ssrc
	if ssrc == 0 {
		ssrc = 1
	}
	msg := feed.Message{Type: feed.TypeStats, TS: ts, CallID: "c1", ParticipantID: "p1", ConnectionID: "pc",
		Stats: []feed.Stat{{ID: "IA", Type: feed.StatInboundRTP, Timestamp: ts, SSRC: ssrc, Kind: "audio",
			PacketsReceived: s.recv, PacketsLost: s.lost, BytesReceived: s.bytes, Jitter: s.jitter}}}
	return msg
}

// applyInbound runs samples through a Monitor and returns it with the
// participant's loss-in and bitrate-in series.
func applyInbound(t *testing.T, samples []in) (*Monitor, ParticipantDetail) {
	t.Helper()
	m := NewMonitor(Options{KeepEnded: true})
	for _, s := range samples {
		msg := inboundMsg(s)
		m.Apply(&msg)
	}
	snap := m.Snapshot("c1")
	if snap.Focus == nil || len(snap.Focus.Participants) != 1 {
		t.Fatalf("no focused call with one participant: %+v", snap.Focus)
	}
	pd := snap.Focus.Participants[0]
	for i, v := range pd.BitrateIn.Values {
		if v < 0 {
			t.Errorf("negative bitrate %v at point %d", v, i)
		}
	}
	for i, v := range pd.LossIn.Values {
		if v < 0 || v > 100 {
			t.Errorf("loss %v %% at point %d is outside 0..100", v, i)
		}
	}
	return m, pd
}

func valid(vs []float64) []float64 {
	var out []float64
	for _, v := range vs {
		if !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

func TestDataTrust(t *testing.T) {
	base := []in{{sec: 1, recv: 100, bytes: 8000}, {sec: 2, recv: 200, bytes: 16000}}
	cases := []struct {
		name   string
		base   []in
		next   []in
		reason string
		wantOK int // trusted loss points after the two base samples
		check  func(t *testing.T, m *Monitor, pd ParticipantDetail)
	}{
		{name: "counter reset (renegotiation)", reason: DQCounterReset,
			next:   []in{{sec: 3, recv: 50, bytes: 4000}, {sec: 4, recv: 150, bytes: 12000}},
			wantOK: 2},
		{name: "new SSRC is a new stream, not a fault", reason: "",
			next:   []in{{sec: 3, ssrc: 9, recv: 10, bytes: 800}, {sec: 4, ssrc: 9, recv: 110, bytes: 8800}},
			wantOK: 2},
		{name: "uint32 wrap of bytesReceived", reason: DQCounterWrap,
			base:   []in{{sec: 1, recv: 100, bytes: wrap32 - 20000}, {sec: 2, recv: 200, bytes: wrap32 - 12000}},
			next:   []in{{sec: 3, recv: 300, bytes: wrap32 - 4000}, {sec: 4, recv: 400, bytes: 4000}, {sec: 5, recv: 500, bytes: 12000}},
			wantOK: 4}, // the packets still count while bytes wrap
		{name: "duplicate timestamp with other counters", reason: DQDuplicateTimestamp,
			next:   []in{{sec: 2, recv: 250, bytes: 20000}, {sec: 3, recv: 300, bytes: 24000}},
			wantOK: 2},
		{name: "out of order", reason: DQOutOfOrder,
			next:   []in{{sec: 1.5, recv: 150, bytes: 12000}, {sec: 3, recv: 300, bytes: 24000}},
			wantOK: 2},
		{name: "missing field (packetsReceived absent)", reason: DQMissingField,
			next:   []in{{sec: 3, recv: 0, bytes: 24000}, {sec: 4, recv: 400, lost: 0, bytes: 32000}},
			wantOK: 2,
			check: func(t *testing.T, m *Monitor, pd ParticipantDetail) {
				// The baseline was kept: 200 packets over the two intervals, no loss.
				if v := valid(pd.LossIn.Values); v[len(v)-1] != 0 {
					t.Errorf("loss after a missing field = %v, want 0", v[len(v)-1])
				}
			}},
		{name: "NaN jitter", reason: DQNotANumber,
			next:   []in{{sec: 3, recv: 300, bytes: 24000, jitter: math.NaN()}},
			wantOK: 2},
		{name: "absurd packetsLost (uint32 of -1)", reason: DQAbsurdValue,
			next:   []in{{sec: 3, recv: 300, lost: 4294967295, bytes: 24000}, {sec: 4, recv: 400, lost: 2, bytes: 32000}},
			wantOK: 2},
		{name: "absurd jump in bytes", reason: DQAbsurdValue,
			next:   []in{{sec: 3, recv: 300, bytes: 5e12}, {sec: 4, recv: 400, bytes: 5e12 + 8000}},
			wantOK: 3}, // the packets still count while bytes jump
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := base
			if tc.base != nil {
				b = tc.base
			}
			m, pd := applyInbound(t, append(append([]in{}, b...), tc.next...))
			dq := m.Snapshot("").DataQuality
			if tc.reason == "" && len(dq) != 0 {
				t.Errorf("data-quality notes %v, want none", dq)
			}
			if tc.reason != "" && dq[tc.reason] != 1 {
				t.Errorf("data-quality notes %v, want one %q", dq, tc.reason)
			}
			if got := len(valid(pd.LossIn.Values)); got != tc.wantOK {
				t.Errorf("%d trusted loss points, want %d (values %v)", got, tc.wantOK, pd.LossIn.Values)
			}
			for _, v := range valid(pd.BitrateIn.Values) {
				if v > 1000 {
					t.Errorf("bitrate %v kbps from a 64 kbps stream: an untrusted sample leaked in", v)
				}
			}
			if tc.check != nil {
				tc.check(t, m, pd)
			}
		})
	}
}

func TestReportTotalsSurviveWrapAndReset(t *testing.T) {
	m, _ := applyInbound(t, []in{
		{sec: 1, recv: 100, bytes: wrap32 - 16000},
		{sec: 2, recv: 200, bytes: wrap32 - 8000},
		{sec: 3, recv: 300, bytes: 0 + 100}, // wrapped: 8100 bytes later
		{sec: 4, recv: 50, bytes: 4000},     // a reset: 50 new packets
		{sec: 5, recv: 150, lost: 3, bytes: 12000},
	})
	r := m.Report()
	cn := r.Calls[0].Participants[0].Connections[0]
	if cn.PacketsReceived != 300+150 || cn.PacketsReceivedLost != 3 {
		t.Errorf("totals received %d lost %d, want 450 and 3", cn.PacketsReceived, cn.PacketsReceivedLost)
	}
}
