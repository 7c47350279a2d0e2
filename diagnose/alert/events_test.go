package alert

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

func TestEventLogLines(t *testing.T) {
	b, _ := newTestBook(Options{})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	f.ParticipantName = "Bob \"the\" Builder\x1b[31m"
	b.Observe(t0, []diagnose.Finding{f})
	b.Observe(at(time.Minute), nil)
	ev := b.EventsSince(0)
	if len(ev) != 2 { // ice-failed fires at once: no pending event
		t.Fatalf("events %v", eventKinds(b, 0))
	}
	got := ev[0].Logfmt()
	want := `time=2026-11-21T12:00:00.000Z level=error event=firing alert=ice-failed@c1/p1//0 rule=ice-failed severity=critical call=c1 participant=p1 name="Bob \"the\" Builder[31m" msg="ice-failed on c1/p1"`
	if got != want {
		t.Fatalf("logfmt\n got %s\nwant %s", got, want)
	}
	var l LogLine
	if err := json.Unmarshal(ev[1].JSON(), &l); err != nil {
		t.Fatal(err)
	}
	if l.Event != "resolved" || l.Level != "info" || l.Time != "2026-11-21T12:01:00.000Z" || l.CallID != "c1" {
		t.Fatalf("json line %+v", l)
	}
}

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
