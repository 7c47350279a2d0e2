package diagnose

import (
	"math"
	"testing"

	"github.com/calltop/calltop/feed"
)

// Issue 22: the same stats id twice in one report, the two objects with
// different counters, used to make every report a reset (the totals ran
// up to the billion-packet cap). The first object of a report counts; the
// other is a duplicate, whichever order they come in.
func TestSameStatsIDTwiceInOneReport(t *testing.T) {
	for _, order := range []string{"fresh first", "alternating", "copy a millisecond later"} {
		t.Run(order, func(t *testing.T) {
			m := NewMonitor(Options{KeepEnded: true})
			const n = 600
			for i := 1; i <= n; i++ {
				ts := float64(t0 + int64(i)*1000)
				a := feed.Stat{ID: "IA", Type: feed.StatInboundRTP, Timestamp: ts, SSRC: 1, Kind: "audio",
					PacketsReceived: float64(50 * i), PacketsLost: 1000, BytesReceived: float64(5000 * i)}
				b := a
				b.PacketsReceived, b.PacketsLost, b.BytesReceived = float64(40*i), 20, float64(4000*i)
				switch {
				case order == "alternating" && i%2 == 1:
					a, b = b, a
				case order == "copy a millisecond later":
					b.Timestamp++
				}
				msg := feed.Message{Type: feed.TypeStats, TS: ts, CallID: "c1", ParticipantID: "p1", ConnectionID: "pc",
					Stats: []feed.Stat{a, b}}
				m.Apply(&msg)
			}
			cn := m.Report().Calls[0].Participants[0].Connections[0]
			if cn.PacketsReceived < 40*n || cn.PacketsReceived > 50*n {
				t.Errorf("packets received %d, want at most the larger copy's %d", cn.PacketsReceived, 50*n)
			}
			if cn.PacketsReceivedLost > 1000 {
				t.Errorf("packets lost %d, want at most the larger copy's 1000", cn.PacketsReceivedLost)
			}
			if m.dq[DQDuplicateTimestamp] < n-1 {
				t.Errorf("data quality %v: the second objects were not counted as duplicates", m.dq)
			}
		})
	}
}

// One bad counter does not reject the sample: while packetsLost holds
// garbage, packets and bytes go on counting (bitrate, totals); the lost
// counter keeps its baseline and resumes.
func TestOneBadCounterKeepsTheOthers(t *testing.T) {
	samples := []in{{sec: 1, recv: 100, bytes: 8000}, {sec: 2, recv: 200, lost: 2, bytes: 16000}}
	for i, bad := range []float64{math.NaN(), 4294967295, math.Inf(1)} {
		samples = append(samples, in{sec: float64(3 + i), recv: float64(300 + 100*i), lost: bad, bytes: float64(24000 + 8000*i)})
	}
	samples = append(samples, in{sec: 6, recv: 600, lost: 5, bytes: 48000})
	m, pd := applyInbound(t, samples)
	br := pd.BitrateIn.Values
	for i := 1; i < len(br); i++ {
		if math.Abs(br[i]-64) > 0.5 {
			t.Errorf("sample %d: bitrate %v kbps, want 64: the bad packetsLost took the bytes with it", i+1, br[i])
		}
	}
	if loss := pd.LossIn.Values; !math.IsNaN(loss[2]) || math.IsNaN(loss[5]) {
		t.Errorf("loss %v: want unknown while packetsLost is garbage, known once it is back", loss)
	}
	cn := m.Report().Calls[0].Participants[0].Connections[0]
	if cn.PacketsReceived != 600 || cn.PacketsReceivedLost != 5 {
		t.Errorf("totals received %d lost %d, want 600 and 5", cn.PacketsReceived, cn.PacketsReceivedLost)
	}
	if dq := m.dq; dq[DQNotANumber] != 2 || dq[DQAbsurdValue] != 1 {
		t.Errorf("data quality %v, want 2 not-a-number and 1 absurd-value", dq)
	}
}

// A counter that drops but not to near zero is an older value (a stale
// copy), not a restart: marked, the baseline kept, nothing counted twice.
func TestCounterGoingBackIsNotARestart(t *testing.T) {
	m, _ := applyInbound(t, []in{
		{sec: 1, recv: 1000, bytes: 80000},
		{sec: 2, recv: 1100, bytes: 88000},
		{sec: 3, recv: 900, bytes: 72000}, // back, to more than half: stale
		{sec: 4, recv: 1300, bytes: 104000},
		{sec: 5, recv: 40, bytes: 3200}, // back to near zero: a restart
		{sec: 6, recv: 140, bytes: 11200},
	})
	cn := m.Report().Calls[0].Participants[0].Connections[0]
	if cn.PacketsReceived != 1300+140 {
		t.Errorf("packets received %d, want %d", cn.PacketsReceived, 1300+140)
	}
	if m.dq[DQOutOfOrder] != 1 || m.dq[DQCounterReset] != 1 {
		t.Errorf("data quality %v, want one out-of-order and one counter-reset", m.dq)
	}
}
