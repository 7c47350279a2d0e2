package alert

import (
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

func TestSnapshotEventsNeverChangeAfterwards(t *testing.T) {
	b, _ := newTestBook(Options{EventMax: 4})
	for i := range 3 {
		b.Note(at(time.Duration(i)*time.Second), "before")
	}
	snap := b.Snapshot()
	before := append([]Event(nil), snap.Events...)
	for i := range 20 { // appends and trims
		b.Note(at(time.Duration(10+i)*time.Second), "after")
	}
	for i := range before {
		if snap.Events[i] != before[i] {
			t.Fatalf("event %d of an old snapshot changed: %+v", i, snap.Events[i])
		}
	}
	if ev := b.Snapshot().Events; len(ev) != 4 || ev[3].Seq != 23 {
		t.Fatalf("new snapshot events %d, last %d", len(ev), ev[len(ev)-1].Seq)
	}
}

func TestEventLinesDropBidiOverridesAndInvalidUTF8(t *testing.T) {
	b, _ := newTestBook(Options{})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c\u202e1", "p1")
	f.ParticipantName = "Bob\u2066\xff"
	b.Observe(t0, []diagnose.Finding{f})
	l := b.EventsSince(0)[0].Line()
	if l.CallID != "c1" || l.Name != "Bob" || !strings.HasPrefix(l.Alert, "ice-failed@c1/") {
		t.Fatalf("feed strings not cleaned for the terminal: call %q, name %q, alert %q", l.CallID, l.Name, l.Alert)
	}
}
