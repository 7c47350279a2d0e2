package team

import (
	"fmt"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
)

// bigSnapshot is a busy book: n active alerts (a fifth acknowledged),
// 100 resolved, 200 events and 5 silences.
func bigSnapshot(n int) alert.Snapshot {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	mk := func(i int, st alert.State) alert.Alert {
		a := alert.Alert{Key: fmt.Sprintf("rtt-high@call-%d/p%d/pc-1/0", i, i), ID: fmt.Sprintf("rtt-high@call-%d/p%d/pc-1/0#%d", i, i, i),
			Rule: "rtt-high", Severity: diagnose.Critical, State: st, Start: now.Add(-time.Duration(i) * time.Second),
			Subject:         diagnose.Subject{CallID: fmt.Sprintf("call-%d", i), ParticipantID: fmt.Sprintf("p%d", i)},
			ParticipantName: "Julia O.", Room: "all-hands-sales",
			Message: "Julia O.'s connection has 630 ms round-trip delay, so people will talk over each other.",
			Advice:  "Ask her to move closer to the Wi-Fi access point or use a wired connection."}
		if i%5 == 0 && st == alert.Firing {
			a.State, a.Ack = alert.Acknowledged, &alert.Ack{Who: "dana", Note: "on it", At: now}
		}
		return a
	}
	s := alert.Snapshot{Now: now, LastEvent: 5000}
	for i := range n {
		s.Active = append(s.Active, mk(i, alert.Firing))
	}
	for i := range 100 {
		s.History = append(s.History, mk(n+i, alert.Resolved))
	}
	for i := range 200 {
		s.Events = append(s.Events, alert.Event{Seq: uint64(4800 + i), At: now, Kind: alert.EvFiring, Key: s.Active[i%n].Key,
			Rule: "rtt-high", Name: "Julia O.", Text: s.Active[i%n].Message})
	}
	for i := range 5 {
		s.Silences = append(s.Silences, alert.SilenceStatus{Silence: alert.Silence{ID: fmt.Sprintf("s%d", i),
			Matcher: alert.Matcher{Rule: "relay-tcp"}, Who: "dana", Why: "TURN maintenance", Created: now, Ends: now.Add(time.Hour)}})
	}
	return s
}

// BenchmarkTeamAlertsFrame is the hub's cost of one team.alerts frame
// (at most four a second): the book's picture to the wire, encoded.
func BenchmarkTeamAlertsFrame(b *testing.B) {
	for _, n := range []int{50, 500} {
		b.Run(fmt.Sprintf("active=%d", n), func(b *testing.B) {
			s := bigSnapshot(n)
			room := func(string) string { return "" }
			var size int
			b.ReportAllocs()
			for b.Loop() {
				frame, err := feed.EncodeTeam(toWire(s, room))
				if err != nil {
					b.Fatal(err)
				}
				size = len(frame)
			}
			b.ReportMetric(float64(size), "bytes/frame")
		})
	}
}

// BenchmarkRemoteSnapshot is a TUI's cost, per frame, of the hub's book:
// decoding a team.alerts frame (once per change) and the picture the
// engine takes (every frame).
func BenchmarkRemoteSnapshot(b *testing.B) {
	frame, err := feed.EncodeTeam(toWire(bigSnapshot(50), nil))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("take", func(b *testing.B) {
		r := NewRemote(func([]byte) error { return nil })
		b.ReportAllocs()
		for b.Loop() {
			r.Take(frame)
		}
	})
	b.Run("snapshot", func(b *testing.B) {
		r := NewRemote(func([]byte) error { return nil })
		r.Take(frame)
		b.ReportAllocs()
		for b.Loop() {
			r.Snapshot()
		}
	})
}
