package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// openAlerts is a model with the alert pane open and focused.
func openAlerts(t *testing.T, w, h int) (*Model, *recorder) {
	t.Helper()
	m, rec := newTestModel(w, h, frame(1, 40, ""))
	hit(m, "!")
	return m, rec
}

// selectAlert moves the pane's cursor to the alert of rule on call.
func selectAlert(t *testing.T, m *Model, rule, call string) *alert.Alert {
	t.Helper()
	hit(m, "g")
	for range len(m.alerts.rows) {
		if a := m.alerts.current(); a != nil && a.Rule == rule && a.Subject.CallID == call {
			return a
		}
		hit(m, "j")
	}
	t.Fatalf("no %s alert on %s in the pane", rule, call)
	return nil
}

func TestAlertPaneShowsStates(t *testing.T) {
	m, _ := openAlerts(t, 200, 50)
	mustShow(t, m, "ALERTS  2 firing, 1 acked  (1 muted hidden, M shows)",
		"FIRING", "support-escalation / Alice", "ACKED", "sales-demo / Dmitri")
	mustNotShow(t, m, "RESOLVED") // the history has its own tab
	if pane := stripANSI(m.alerts.View()); strings.Contains(pane, "user-5") {
		t.Fatalf("the muted alert is shown:\n%s", pane)
	}
	mustShow(t, m, "alerts 2 crit") // header: firing, not muted, by severity
	rows := m.alerts.rows
	if rows[0].State != alert.Firing || rows[len(rows)-1].State != alert.Acknowledged {
		t.Fatalf("order: firing first, acknowledged last; got %s ... %s", rows[0].State, rows[len(rows)-1].State)
	}
	hit(m, "H")
	mustShow(t, m, "HISTORY", "RESOLVED", "1:1 dana/eve / Eve")
}

func TestAlertAck(t *testing.T) {
	m, rec := openAlerts(t, 80, 24)
	a := selectAlert(t, m, diagnose.RuleLossInbound, "c-wifi-001")
	hit(m, "a")
	if got, want := lastLog(rec), "ack "+a.Key; got != want {
		t.Fatalf("controller got %q, want %q", got, want)
	}
	mustShow(t, m, "acknowledged loss-inbound on support-escalation / Alice")
	b := selectAlert(t, m, diagnose.RuleRTTHigh, "c-rtt-002")
	hit(m, "a") // on an acknowledged alert: un-acknowledge
	if got, want := lastLog(rec), "unack "+b.Key; got != want {
		t.Fatalf("controller got %q, want %q", got, want)
	}
	mustShow(t, m, "acknowledgement of rtt-high on sales-demo / Dmitri withdrawn")
}

func TestAlertAckWithNote(t *testing.T) {
	m, rec := openAlerts(t, 80, 24)
	a := selectAlert(t, m, diagnose.RuleLossInbound, "c-wifi-001")
	hit(m, "A")
	if !m.alerts.Picking() {
		t.Fatal("A did not open the note")
	}
	// The prompt shows what to type and what enter does (not "mute").
	mustShow(t, m, "note: why you acknowledge it", "enter acknowledge")
	mustNotShow(t, m, "enter mute")
	for _, r := range "calling her" {
		hit(m, string(r))
	}
	hit(m, "enter")
	if got, want := lastLog(rec), "ack "+a.Key; got != want || len(rec.notes) != 1 || rec.notes[0] != "calling her" {
		t.Fatalf("controller got %q with note %q", got, rec.notes)
	}
	mustShow(t, m, "acknowledged loss-inbound on support-escalation / Alice: calling her")
}

func TestAlertPaneFilterPromptAt80x24(t *testing.T) {
	m, _ := openAlerts(t, 80, 24)
	hit(m, "/")
	mustShow(t, m, "/filter alerts by rule", "enter keep filter", "esc clear filter")
	mustNotShow(t, m, "enter mute")
}

func TestAlertMutePicker(t *testing.T) {
	m, rec := openAlerts(t, 80, 24)
	a := selectAlert(t, m, diagnose.RuleLossInbound, "c-wifi-001")
	hit(m, "m")
	if !m.alerts.Picking() {
		t.Fatal("m did not open the picker")
	}
	// Every choice fits 80 columns.
	mustShow(t, m, "Mute loss-inbound on support-escalation", "[this alert]", "[15m]", " everything ", " until resolved ")
	hit(m, "q") // typed into the picker, not a quit
	keys(m, "right", "right", "down", "down", "down", "up")
	mustShow(t, m, "[rule everywhere]", "[4h]")
	hit(m, "enter")
	if m.alerts.Picking() || len(rec.mutes) != 1 {
		t.Fatalf("enter: picking %v, mutes %v", m.alerts.Picking(), rec.mutes)
	}
	want := MuteRequest{Scope: MuteRule, AlertKey: a.Key, CallID: "c-wifi-001", Rule: diagnose.RuleLossInbound, For: 4 * time.Hour}
	if rec.mutes[0] != want {
		t.Fatalf("mute request %+v, want %+v", rec.mutes[0], want)
	}
	mustShow(t, m, "muted rule loss-inbound on every call for 4h")

	keys(m, "m", "esc")
	if m.alerts.Picking() || len(rec.mutes) != 1 {
		t.Fatal("esc did not cancel the picker")
	}
	mustShow(t, m, "mute cancelled")
}

func TestAlertMuteCallUntilResolved(t *testing.T) {
	m, rec := openAlerts(t, 80, 24)
	a := selectAlert(t, m, diagnose.RuleICEDisconnected, "c-00011")
	keys(m, "m", "l", "k", "enter")
	want := MuteRequest{Scope: MuteCall, AlertKey: a.Key, CallID: "c-00011", Rule: diagnose.RuleICEDisconnected, UntilResolved: true}
	if len(rec.mutes) != 1 || rec.mutes[0] != want {
		t.Fatalf("mute requests %+v, want %+v", rec.mutes, want)
	}
	mustShow(t, m, "muted every alert of call c-00011 until resolved")
}

func TestAlertShowMutedAndUnmute(t *testing.T) {
	m, rec := openAlerts(t, 200, 50)
	hit(m, "M")
	mustShow(t, m, "showing muted and inhibited, M hides", "MUTED", "Jitter of 48 ms")
	a := selectAlert(t, m, diagnose.RuleJitterHigh, "c-00005")
	if !a.Muted() {
		t.Fatal("fixture alert is not muted")
	}
	n0 := len(rec.log())
	hit(m, "u") // says what it removes and asks first
	mustShow(t, m, "Remove 1 silence? It mutes: "+a.SilencedBy[0]+" (")
	if len(rec.log()) != n0 {
		t.Fatal("u removed a silence without asking")
	}
	hit(m, "n")
	if len(rec.log()) != n0 {
		t.Fatal("n removed the silence")
	}
	keys(m, "u", "y")
	if got := lastLog(rec); got != "unmute "+a.SilencedBy[0] {
		t.Fatalf("controller got %q, want unmute %s", got, a.SilencedBy[0])
	}
	selectAlert(t, m, diagnose.RuleLossInbound, "c-wifi-001")
	n := len(rec.log())
	hit(m, "u")
	if len(rec.log()) != n {
		t.Fatal("unmuting an unmuted alert reached the controller")
	}
	mustShow(t, m, "is not muted")
	hit(m, "M")
	mustShow(t, m, "1 muted hidden")
}

func TestAlertEventLog(t *testing.T) {
	m, _ := openAlerts(t, 200, 50)
	hit(m, "e")
	if m.alerts.tab != tabEvents {
		t.Fatal("e did not open the event log")
	}
	mustShow(t, m, "EVENT LOG", "firing", "acknowledged", "muted", "resolved")
	n := len(m.alerts.snap.Events)
	if m.alerts.lists[tabEvents].Cursor() != n-1 {
		t.Fatalf("the event log opens on the newest event: %d of %d", m.alerts.lists[tabEvents].Cursor(), n)
	}
	keys(m, "k", "k")
	if m.alerts.lists[tabEvents].Cursor() != n-3 {
		t.Fatalf("up in the event log goes back: %d, want %d", m.alerts.lists[tabEvents].Cursor(), n-3)
	}
	keys(m, "j", "j", "j")
	if m.alerts.lists[tabEvents].Cursor() != n-1 {
		t.Fatalf("down returns to the newest: %d", m.alerts.lists[tabEvents].Cursor())
	}
	hit(m, "e")
	mustShow(t, m, "ALERTS  2 firing")
}

func TestAlertJumpToCall(t *testing.T) {
	m, rec := openAlerts(t, 80, 24)
	selectAlert(t, m, diagnose.RuleRTTHigh, "c-rtt-002")
	hit(m, "enter")
	if m.screen != screenCall || m.focusID != "c-rtt-002" || lastLog(rec) != "focus c-rtt-002" {
		t.Fatalf("enter did not jump: screen %d focus %q log %v", m.screen, m.focusID, rec.log())
	}
	if m.alertKeys || !m.alertOpen {
		t.Fatal("after the jump the pane should stay open and give the keyboard to the call")
	}
	mustShow(t, m, "Loading call sales-demo")
	hit(m, "esc")
	if m.screen != screenCalls {
		t.Fatal("esc did not come back from the jumped-to call")
	}
}

func TestAlertReadOnly(t *testing.T) {
	rec := &recorder{}
	m := New(rec, nil, Options{ReadOnly: true})
	m.Update(teaSize(80, 24))
	m.Update(frameMsg(frame(1, 40, "")))
	keys(m, "!", "a", "m", "u")
	if len(rec.log()) != 0 || m.alerts.Picking() {
		t.Fatalf("read-only pane acted: %v", rec.log())
	}
	mustShow(t, m, "read-only")
	if strings.Contains(m.help.Bar(m.alerts.ShortHelp(), 0), "acknowledge") {
		t.Fatal("read-only hint bar offers acknowledge")
	}
}

func TestEventLogAndHelpWording(t *testing.T) {
	m, _ := openAlerts(t, 80, 24)
	hit(m, "e")
	mustShow(t, m, "e alert list")
	mustNotShow(t, m, "e event log", "acknowledged    ") // the kind column is no wider than its words
	hit(m, "?")
	if n := strings.Count(screenText(m), "switch pane"); n != 1 {
		t.Errorf("help lists tab %d times, want once:\n%s", n, screenText(m))
	}
}

// A team hub's picture at a fleet's size holds the worst alerts, not all:
// the header counts the whole book and the pane says what it shows.
func TestAlertPaneOfACutPictureCountsTheWholeBook(t *testing.T) {
	f := frame(1, 40, "")
	f.Alerts.Whole = &alert.Whole{Active: 2500}
	f.Alerts.Whole.Alerting[diagnose.Critical], f.Alerts.Whole.Alerting[diagnose.Warning] = 1400, 900
	m, _ := newTestModel(80, 24, f)
	mustShow(t, m, "alerts 1400 crit 900 warn")
	hit(m, "!")
	mustShow(t, m, "2300 firing", fmt.Sprintf("the worst %d of 2500 open", len(f.Alerts.Active)))
}
