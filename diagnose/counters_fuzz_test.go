package diagnose

import (
	"math"
	"testing"

	"github.com/calltop/calltop/feed"
)

// counterSeq is a generated inbound stream: the counters a receiver really
// has (the truth) and the objects a producer reports of them, faults
// included. The totals a report must give are kept independently of the
// Monitor: packets received is the sum of every increment; packets lost is
// the sum, over the stream's lives between restarts, of each life's final
// value (lost may go down a little within a life: duplicates).
type counterSeq struct {
	sec                 int64
	packets, lost       float64 // the receiver's counters in this life
	wantPackets         float64 // every packet received, across restarts
	wantLostDone        float64 // lost of the lives already ended
	reported            [][]feed.Stat
	lastPackets, lastLo float64 // the values last reported
	twice               bool    // a report held the stream twice
	hidden              bool    // the last report did not show the true counters
}

func (g *counterSeq) object(packets, lost float64, sec int64) feed.Stat {
	ts := float64(t0 + sec*1000)
	return feed.Stat{ID: "IV", Type: feed.StatInboundRTP, Timestamp: ts, SSRC: 7, Kind: "video",
		PacketsReceived: packets, PacketsLost: lost, BytesReceived: 1000 * packets, FramesDecoded: packets / 4}
}

// step applies one generator operation: op picks the event, a and b are
// amounts (packets received, packets lost).
func (g *counterSeq) step(op, a, b byte) {
	g.sec++
	add := func() {
		g.packets += float64(a)
		g.wantPackets += float64(a)
		g.lost += float64(b % 8)
	}
	report := func(objs ...feed.Stat) {
		g.reported = append(g.reported, objs)
		g.hidden = false
		g.lastPackets, g.lastLo = objs[0].PacketsReceived, objs[0].PacketsLost
	}
	switch op % 8 {
	case 0, 1, 2: // traffic
		add()
		report(g.object(g.packets, g.lost, g.sec))
	case 3: // packetsReceived absent from this report (decodes as 0)
		add()
		report(g.object(0, g.lost, g.sec))
		g.lastPackets, g.hidden = g.packets, true
	case 4: // lost corrected down by duplicates, within the allowance
		add()
		g.lost = math.Max(0, g.lost-float64(b%(lostSlack+1)))
		report(g.object(g.packets, g.lost, g.sec))
	case 5: // the sender restarts: counters start again from zero
		// A restart is told from an absent field (0), a dip and a stale
		// copy only when the new values are above 0 and under half the
		// old ones, and lost drops by more than the dip allowance.
		np, nl := float64(1+a%16), float64(1+b%4)
		// After a duplicate object the stream never restarts: going back
		// is then taken for the other copy (docs/diagnoses.md). Right
		// after a report that hid the counters, what came before the
		// restart was never shown.
		if g.twice || g.hidden || g.packets < 2*np+2 || (g.lost > 0 && (g.lost <= lostSlack+nl || nl >= g.lost/2)) {
			add() // the producer's data cannot show this restart: plain traffic
			report(g.object(g.packets, g.lost, g.sec))
			return
		}
		g.wantLostDone += g.lost
		g.packets, g.lost = np, nl
		g.wantPackets += np
		report(g.object(g.packets, g.lost, g.sec))
	case 6: // garbage in one counter for one report, the other counting on
		add()
		bad := []float64{math.NaN(), math.Inf(1), 4294967295, 2e9}[b%4] // not -1: packetsLost is signed
		report(g.object(g.packets, bad, g.sec))
		g.lastLo, g.hidden = g.lost, true
	case 7: // the same stats id twice: the fresh object, then a stale copy
		add()
		stale := g.object(g.lastPackets, g.lastLo, g.sec-1)
		g.twice = true
		report(g.object(g.packets, g.lost, g.sec), stale)
	}
}

// FuzzCounterTotals drives one stream through traffic, absent fields,
// dips, restarts, garbage values and duplicate objects, and holds the
// report's totals to the generator's own sums.
//
//	go test ./diagnose -run XXX -fuzz FuzzCounterTotals -fuzztime 60s
func FuzzCounterTotals(f *testing.F) {
	f.Add([]byte{0, 50, 0, 0, 50, 2, 4, 50, 2, 0, 50, 0, 0, 50, 0})          // the 2 -> 0 dip
	f.Add([]byte{0, 100, 1, 0, 100, 1, 5, 3, 1, 0, 100, 1, 6, 100, 1})       // restart, garbage
	f.Add([]byte{0, 60, 3, 7, 60, 3, 7, 60, 5, 3, 60, 1, 0, 60, 0, 7, 1, 1}) // duplicates, absent
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &counterSeq{}
		g.step(0, 10, 0)
		for i := 0; i+2 < len(data) && i < 3*600; i += 3 {
			g.step(data[i], data[i+1], data[i+2])
		}
		g.step(0, 10, 0) // a clean last report: the totals are the last values
		m := NewMonitor(Options{KeepEnded: true})
		for i, objs := range g.reported {
			msg := feed.Message{Type: feed.TypeStats, TS: float64(t0 + int64(i+1)*1000), CallID: "c1",
				ParticipantID: "p1", ConnectionID: "pc", Stats: objs}
			m.Apply(&msg)
		}
		checkInvariants(t, m)
		cn := m.Report().Calls[0].Participants[0].Connections[0]
		if want := int64(g.wantPackets); cn.PacketsReceived != want {
			t.Errorf("packets received %d, want %d", cn.PacketsReceived, want)
		}
		if want := int64(g.wantLostDone + g.lost); cn.PacketsReceivedLost != want {
			t.Errorf("packets lost %d, want %d", cn.PacketsReceivedLost, want)
		}
	})
}
