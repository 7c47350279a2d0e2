package alert

import (
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

func TestPersonMatcherSelectsOneNameInEveryCall(t *testing.T) {
	dana1 := &Alert{Key: "rtt-high@c1/p1//0", Rule: "rtt-high", ParticipantName: "Dana Scully", Subject: diagnose.Subject{CallID: "c1", ParticipantID: "p1"}}
	dana2 := &Alert{Key: "mos-low@c2/p7//0", Rule: "mos-low", ParticipantName: "Dana Scully", Subject: diagnose.Subject{CallID: "c2", ParticipantID: "p7"}}
	fox := &Alert{Key: "rtt-high@c1/p2//0", Rule: "rtt-high", ParticipantName: "Fox Mulder", Subject: diagnose.Subject{CallID: "c1", ParticipantID: "p2"}}
	m := Matcher{Person: "Dana Scully"}
	if !m.Matches(dana1) || !m.Matches(dana2) || m.Matches(fox) {
		t.Errorf("person matcher: dana1 %v dana2 %v fox %v; want Dana's two alerts only", m.Matches(dana1), m.Matches(dana2), m.Matches(fox))
	}
	if m.Empty() || m.String() != `person="Dana Scully"` {
		t.Errorf("person matcher: empty %v, %q", m.Empty(), m.String())
	}
	if p, err := ParseMatcher("person=fox rule=rtt-high"); err != nil || p.Person != "fox" || p.Rule != "rtt-high" {
		t.Errorf("ParseMatcher person: %+v, %v", p, err)
	}
}

func TestUnmuteByIsAttributed(t *testing.T) {
	b := NewBook(Options{User: "os-user"})
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s, err := b.MuteFor(Matcher{Rule: "rtt-high"}, time.Hour, "dana", "maint", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.UnmuteBy(s.ID, "vic", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	evs := b.EventsSince(0)
	last := evs[len(evs)-1]
	if last.Kind != EvUnmuted || last.Who != "vic" {
		t.Errorf("last event %+v; want unmuted by vic", last)
	}
	if err := b.UnmuteBy(s.ID, "vic", now.Add(2*time.Minute)); err == nil {
		t.Error("expiring a silence twice: no error")
	}
}
