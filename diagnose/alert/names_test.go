package alert

import (
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// Every alert names people and rooms: the Namer fills them in (kept once
// the call is gone), and a stale participant is named, not numbered.
func TestAlertsNamePeopleAndRooms(t *testing.T) {
	b, _ := newTestBook(Options{DefaultFor: -1})
	known := true
	b.SetNamer(func(call, participant string) (string, string) {
		if !known || call != "c1" {
			return "", ""
		}
		if participant == "p2" {
			return "standup", "Bob\x1b[31m"
		}
		return "standup", ""
	})
	f := finding(diagnose.RuleLossInbound, diagnose.Warning, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{f})
	b.Stale(at(time.Second), []diagnose.Subject{{CallID: "c1", ParticipantID: "p2"}})
	known = false // the call is gone from the Monitor
	b.Observe(at(2*time.Second), []diagnose.Finding{f})
	for _, a := range b.Snapshot().Active {
		if a.Room != "standup" {
			t.Errorf("%s: room %q", a.Key, a.Room)
		}
		if a.Rule == RuleParticipantStale && (a.ParticipantName != "Bob[31m" ||
			a.Message != "No stats from Bob[31m (p2) in room standup for 15 s while the call goes on") {
			t.Errorf("stale alert: name %q, message %q", a.ParticipantName, a.Message)
		}
	}
}
