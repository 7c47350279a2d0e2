package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// watch's lines keep the keys and values users grep (level in lower case,
// event=, alert=, rule=, ...), cleaned of control characters, in text or
// JSON; the time is the wall clock's, and the book's time is at= when
// the two are more than 2 s apart (a replay), so lines never go back.
func TestWatchLogLineShapes(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	b := alert.NewBook(alert.Options{User: "tester"})
	f := diagnose.Finding{Rule: diagnose.RuleICEFailed, Severity: diagnose.Critical, Start: t0,
		Subject:         diagnose.Subject{CallID: "c1", ParticipantID: "p1"},
		ParticipantName: "Bob \"the\" Builder\x1b[31m", Message: "ice-failed on c1/p1"}
	b.Observe(t0, []diagnose.Finding{f})
	b.Observe(t0.Add(time.Minute), nil)
	ev := b.EventsSince(0)
	var text, js bytes.Buffer
	wall := t0.Add(time.Second) // live: data time about wall time
	lt := newWatchLog(&text, false)
	lt.now = func() time.Time { return wall }
	lt.event(ev[0])
	want := `time=2026-11-21T12:00:01.000Z level=error msg="ice-failed on c1/p1" event=firing alert=ice-failed@c1/p1//0 rule=ice-failed severity=critical call=c1 participant=p1 name="Bob \"the\" Builder[31m"` + "\n"
	if text.String() != want {
		t.Fatalf("text line\n got %s\nwant %s", text.String(), want)
	}
	lj := newWatchLog(&js, true)
	wall = t0.Add(time.Hour) // a replay: data an hour old
	lj.now = func() time.Time { return wall }
	lj.event(ev[1])
	lj.note("info", "stop", "bye")
	lines := strings.Split(strings.TrimSpace(js.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `"time":"2026-11-21T13:00:00.000Z"`) {
		t.Fatalf("watch's own line is not stamped with the wall clock: %q", lines)
	}
	var l struct{ Time, At, Level, Event, Call, Msg string }
	if err := json.Unmarshal([]byte(lines[0]), &l); err != nil {
		t.Fatal(err)
	}
	if l.Event != "resolved" || l.Level != "info" || l.Time != "2026-11-21T13:00:00.000Z" || l.At != "2026-11-21T12:01:00.000Z" || l.Call != "c1" ||
		!strings.HasPrefix(l.Msg, "resolved after") {
		t.Fatalf("json line %+v", l)
	}
}
