package diagnose_test

import (
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

// loopPass applies one pass of a replay: calls a and b start at base (by
// call.start, or by the snapshot a recording of a hub starts with),
// report stats for 30 s, and (when restart) the hub ends them with
// replay-restart. check looks at the Monitor 10 s into the pass.
func loopPass(m *diagnose.Monitor, base float64, restart bool, snapshotStart bool, check func()) {
	for _, id := range []string{"a", "b"} {
		call := &feed.Call{ID: id, Room: "room-" + id}
		if snapshotStart {
			m.Apply(&feed.Message{Type: feed.TypeSnapshot, TS: base, Calls: []feed.Call{{ID: "a"}, {ID: "b"}}})
		} else {
			m.Apply(&feed.Message{Type: feed.TypeCallStart, TS: base, Call: call})
		}
		m.Apply(&feed.Message{Type: feed.TypeParticipantJoin, TS: base, CallID: id, Participant: &feed.Participant{ID: "p-" + id}})
	}
	for s := 1; s <= 30; s++ {
		if s == 11 {
			check()
		}
		ts := base + float64(s)*1000
		for _, id := range []string{"a", "b"} {
			m.Apply(&feed.Message{Type: feed.TypeStats, TS: ts, CallID: id, ParticipantID: "p-" + id, ConnectionID: "pc",
				Stats: []feed.Stat{{ID: "in", Type: feed.StatInboundRTP, Kind: "audio", SSRC: 1, Timestamp: ts,
					PacketsReceived: float64(50 * s), BytesReceived: float64(5000 * s)}}})
		}
	}
	if restart {
		for _, id := range []string{"a", "b"} {
			m.Apply(&feed.Message{Type: feed.TypeCallEnd, TS: base + 30000, CallID: id, Reason: feed.ReasonReplayRestart})
		}
	}
}

// TestReplayLoopIsANewEpoch: after a replay starts over, its calls are
// live again (started by call.start or by a snapshot) and the clock follows
// the replay's times instead of freezing at the first pass's last one.
func TestReplayLoopIsANewEpoch(t *testing.T) {
	for _, bySnapshot := range []bool{false, true} {
		m := diagnose.NewMonitor(diagnose.Options{})
		base := float64(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixMilli())
		for pass := 1; pass <= 3; pass++ {
			loopPass(m, base, pass < 3, bySnapshot, func() {
				snap := m.Snapshot("")
				live := 0
				for _, c := range snap.Calls {
					if !c.Ended {
						live++
					}
				}
				if live != 2 || len(snap.Calls) != 2 {
					t.Errorf("by snapshot %v, pass %d: %d calls listed, %d live; want the 2 calls live and no ended ghosts", bySnapshot, pass, len(snap.Calls), live)
				}
				if want := time.UnixMilli(int64(base) + 10000).UTC(); !snap.FeedTime.Equal(want) {
					t.Errorf("by snapshot %v, pass %d: feed time %v, want %v (10 s in)", bySnapshot, pass, snap.FeedTime, want)
				}
			})
		}
	}
}

// TestReplayLoopKeepsEachPassForTheReport: a report over a looping feed
// lists each pass's calls once.
func TestReplayLoopKeepsEachPassForTheReport(t *testing.T) {
	m := diagnose.NewMonitor(diagnose.Options{KeepEnded: true})
	base := float64(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixMilli())
	for pass := 1; pass <= 3; pass++ {
		loopPass(m, base, pass < 3, false, func() {})
	}
	if n := len(m.Report().Calls); n != 6 {
		t.Errorf("report lists %d calls, want 2 per pass (6)", n)
	}
}
