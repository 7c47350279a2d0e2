package diagnose

import (
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
)

// A call whose hub is gone is marked lost in its summary, keeps its room
// and people, and is live again on an update without a source.
func TestCallSummarySaysWhenTheCallsSourceIsLost(t *testing.T) {
	m := NewMonitor(Options{})
	source := func() string {
		t.Helper()
		snap := m.Snapshot("")
		if len(snap.Calls) != 1 || snap.Calls[0].Ended || snap.Calls[0].Room != "standup" {
			t.Fatalf("calls %+v", snap.Calls)
		}
		return snap.Calls[0].Source
	}
	for _, msg := range []feed.Message{
		{Type: feed.TypeCallStart, TS: 1e12, Call: &feed.Call{ID: "east/c1", Room: "standup", Start: 1e12}},
		{Type: feed.TypeParticipantJoin, TS: 1e12, CallID: "east/c1", Participant: &feed.Participant{ID: "p1", Name: "Ana"}},
	} {
		m.Apply(&msg)
	}
	if got := source(); got != "" {
		t.Fatalf("a live call's source %q", got)
	}
	m.Apply(&feed.Message{Type: feed.TypeCallUpdate, TS: 1e12 + 1000, Call: &feed.Call{ID: "east/c1", Source: feed.SourceLost}})
	if got := source(); got != feed.SourceLost {
		t.Fatalf("source %q after the hub was lost", got)
	}
	m.Apply(&feed.Message{Type: feed.TypeCallUpdate, TS: 1e12 + 2000, Call: &feed.Call{ID: "east/c1"}})
	if got := source(); got != "" {
		t.Fatalf("source %q after the hub came back", got)
	}
}

// A lost call's people are not stale: their stats stopped because their
// hub is gone (the call says so), not their clients; a live call's are.
func TestALostCallsParticipantsAreNotStale(t *testing.T) {
	m := NewMonitor(Options{})
	ts := 1e12
	for _, id := range []string{"east/live", "east/lost"} {
		m.Apply(&feed.Message{Type: feed.TypeCallStart, TS: ts, Call: &feed.Call{ID: id, Start: ts}})
		m.Apply(&feed.Message{Type: feed.TypeParticipantJoin, TS: ts, CallID: id, Participant: &feed.Participant{ID: "p1"}})
		m.Apply(&feed.Message{Type: feed.TypeStats, TS: ts, CallID: id, ParticipantID: "p1", ConnectionID: "PC_0",
			Stats: []feed.Stat{{ID: "IT01", Type: feed.StatInboundRTP, Timestamp: ts, SSRC: 1, Kind: "audio", BytesReceived: 1000, PacketsReceived: 10}}})
	}
	m.Apply(&feed.Message{Type: feed.TypeCallUpdate, TS: ts + 1000, Call: &feed.Call{ID: "east/lost", Source: feed.SourceLost}})
	// Data time goes on with another call's messages.
	m.Apply(&feed.Message{Type: feed.TypeCallStart, TS: ts + 30_000, Call: &feed.Call{ID: "west/other", Start: ts + 30_000}})
	stale := m.StaleParticipants(15 * time.Second)
	if len(stale) != 1 || stale[0].CallID != "east/live" {
		t.Fatalf("stale participants %+v, want east/live's only", stale)
	}
}
