package diagnose

import (
	"testing"

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
