package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// The silences tab lists each silence with its matcher, who made it and
// when, its comment and its end; x asks, then expires it.
func TestSilencesTabListsAndExpires(t *testing.T) {
	m, rec := openAlerts(t, 200, 50)
	keys(m, "v", "z") // zoomed: the whole width
	mustShow(t, m, "SILENCES", "s1", "alert jitter-high of c-00005/p-5", "by oncall at 21:09:25", "ends 22:09:25 (in", "mutes 1", "“known”")
	n := len(rec.log())
	hit(m, "x")
	mustShow(t, m, "Expire s1 (alert jitter-high of c-00005/p-5, ends 22:09:25")
	if len(rec.log()) != n {
		t.Fatal("x expired without asking")
	}
	hit(m, "y")
	if got := lastLog(rec); got != "unmute s1" {
		t.Fatalf("controller got %q, want unmute s1", got)
	}
	mustShow(t, m, "expired s1")
	hit(m, "v")
	mustShow(t, m, "ALERTS")
}

// The history tab lists resolved alerts newest first, with when each
// ended.
func TestHistoryTabInTimeOrder(t *testing.T) {
	b := alertBook()
	later := feedTime()
	b.Observe(later, nil) // everything still open resolves now
	m, _ := newTestModel(200, 50, engineFrame(1, b))
	keys(m, "!", "H")
	rows := m.alerts.rows
	if len(rows) < 2 {
		t.Fatalf("history rows: %d", len(rows))
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].End.After(rows[i-1].End) {
			t.Fatalf("history not newest first: %s then %s", rows[i-1].End, rows[i].End)
		}
	}
	mustShow(t, m, "HISTORY", "RESOLVED", fmtClock(later))
}

// z zooms the pane to the whole body and back; / filters its rows.
func TestAlertPaneZoomAndFilter(t *testing.T) {
	m, _ := openAlerts(t, 80, 24)
	hit(m, "z")
	if text := screenText(m); strings.Contains(text, "SEV") || !strings.Contains(text, "ALERTS") {
		t.Fatalf("zoomed: the calls list is still shown or the pane is not:\n%s", text)
	}
	keys(m, "/", "d", "m", "i", "t", "enter")
	if len(m.alerts.rows) != 1 || m.alerts.rows[0].ParticipantName != "Dmitri" {
		t.Fatalf("filter dmit: %d rows", len(m.alerts.rows))
	}
	mustNotShow(t, m, "Alice receives")
	hit(m, "esc")
	if len(m.alerts.rows) < 3 {
		t.Fatalf("esc did not clear the filter: %d rows", len(m.alerts.rows))
	}
	hit(m, "z")
	mustShow(t, m, "SEV")
}

// Inhibited alerts (the feed is down) are counted and shown as inhibited,
// not as muted.
func TestInhibitedIsNotMuted(t *testing.T) {
	b := alertBook()
	b.FeedDown(feedTime(), "connection refused")
	m, _ := newTestModel(200, 50, engineFrame(1, b))
	hit(m, "!")
	mustShow(t, m, "4 inhibited hidden, M shows") // the muted one is inhibited too
	hit(m, "M")
	mustShow(t, m, "INHIBITED")
}

// engineFrame is the fixture frame with the alerts of book b.
func engineFrame(seq uint64, b *alert.Book) engine.Frame {
	f := frame(seq, 40, "")
	f.Alerts = b.Snapshot()
	return f
}

// The mute picker reaches every kind of silence: a person, everything.
func TestMutePickerPersonAndEverything(t *testing.T) {
	m, rec := openAlerts(t, 80, 24)
	a := selectAlert(t, m, diagnose.RuleLossInbound, "c-wifi-001")
	keys(m, "m", "right", "right", "right", "enter")
	want := MuteRequest{Scope: MutePerson, AlertKey: a.Key, CallID: "c-wifi-001", ParticipantID: "p-alice",
		Rule: diagnose.RuleLossInbound, For: 15 * time.Minute}
	if len(rec.mutes) != 1 || rec.mutes[0] != want {
		t.Fatalf("mute requests %+v, want %+v", rec.mutes, want)
	}
	mustShow(t, m, "muted every alert of Alice (p-alice) for 15m")
	keys(m, "m", "left", "enter")
	if len(rec.mutes) != 2 || rec.mutes[1].Scope != MuteAll {
		t.Fatalf("mute requests %+v", rec.mutes)
	}
}

// At 80x24 a silence's row names the call by its room and says who made
// it before the long "until resolved" part; a person silence names them.
func TestSilenceRowsReadAt80x24(t *testing.T) {
	b := alertBook()
	now := feedTime()
	if _, err := b.Mute(alert.Matcher{CallID: "c-wifi-001"}, time.Time{}, true, "dana", "", now); err != nil {
		t.Fatal(err)
	}
	if _, err := b.MuteFor(alert.Matcher{Person: "Dmitri"}, time.Hour, "erin", "", now); err != nil {
		t.Fatal(err)
	}
	m, _ := newTestModel(80, 24, engineFrame(1, b))
	keys(m, "!", "v", "z")
	mustShow(t, m, "call support-escalation · by dana at", "person Dmitri · by erin at")
	keys(m, "j", "x")
	if want := "Expire s2 (call support-escalation, until resolved: waiting for 1 alert, by dana) now?"; !strings.Contains(flatScreen(m), want) {
		t.Fatalf("the question lacks %q:\n%s", want, screenText(m))
	}
	// A silence waiting for many alerts: its row names two and counts the
	// rest; the question counts them, keeping its end in its two lines.
	if _, err := b.Mute(alert.Matcher{All: true}, time.Time{}, true, "dana", "", now); err != nil {
		t.Fatal(err)
	}
	m, _ = newTestModel(200, 50, engineFrame(2, b))
	keys(m, "!", "v", "z", "G")
	mustShow(t, m, ", 2 more", "until resolved: waiting for loss-inbound on support-escalation / Alice (")
	hit(m, "x")
	if want := "until resolved: waiting for 4 alerts, by dana) now? y expires it, n keeps it."; !strings.Contains(flatScreen(m), want) {
		t.Fatalf("the question lacks %q:\n%s", want, screenText(m))
	}
}
