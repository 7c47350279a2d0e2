package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
)

// flatScreen is the screen's text with every run of spaces and line
// breaks made one space, to find wrapped sentences whole.
func flatScreen(m *Model) string { return strings.Join(strings.Fields(screenText(m)), " ") }

func TestReadADiagnosisInFullAt80x24(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 40, ""))
	hit(m, "enter")
	m.Update(frameMsg(frame(2, 40, "c-wifi-001")))
	advice := "Ask Alice to move closer to the router or switch to a cable; close other apps using the network."
	if strings.Contains(flatScreen(m), advice) {
		t.Fatal("the call screen at 80x24 had room for the whole advice; the test proves nothing")
	}
	hit(m, "enter")
	if !m.call.Reading() {
		t.Fatal("enter on the call screen did not open the diagnosis")
	}
	mustShow(t, m, "DIAGNOSIS 1 of 2", "Evidence", "packet loss in 12.4% (threshold 5%)", "Advice", "since 21:09:00 UTC")
	if s := flatScreen(m); !strings.Contains(s, advice) || !strings.Contains(s, "Alice receives 12% packet loss: her Wi-Fi is dropping audio") {
		t.Fatalf("the diagnosis is not there in full:\n%s", screenText(m))
	}
	hit(m, "esc")
	if m.call.Reading() || m.screen != screenCall {
		t.Fatal("esc should go back from the diagnosis to the call")
	}
	// d puts the cursor keys on the diagnoses; the second one opens.
	keys(m, "d", "j", "enter")
	mustShow(t, m, "DIAGNOSIS 2 of 2", "Round-trip time to Bob reached 350 ms", "cleared: 21:03:00 to 21:05:00 UTC", "Check Bob's VPN.")
}

func TestJumpingFromAnAlertShowsItsDiagnosis(t *testing.T) {
	m, _ := openAlerts(t, 80, 24)
	selectAlert(t, m, "loss-inbound", "c-wifi-001")
	hit(m, "enter")
	m.Update(frameMsg(frame(2, 40, "c-wifi-001")))
	if !m.call.Reading() {
		t.Fatalf("the alert's diagnosis is not shown:\n%s", screenText(m))
	}
	mustShow(t, m, "DIAGNOSIS 1 of 2", "Alice receives 12% packet loss")
	if p := m.call.participant(); p == nil || p.Name != "Alice" {
		t.Fatalf("the alert's participant is not selected: %v", p)
	}
}

func TestACallWatchedBrieflyIsNotCalledProblemFree(t *testing.T) {
	young := func(firstStats time.Duration) engine.Frame {
		f := frame(2, 40, "")
		c := f.Calls.Calls[0]
		c.Severity, c.TopFinding, c.TopRule, c.FirstStats = diagnose.None, "", "", feedTime().Add(-firstStats)
		d := wifiDetail(c)
		d.Findings = nil
		f.Calls.Focus = d
		return f
	}
	m, _ := newTestModel(80, 24, frame(1, 40, ""))
	hit(m, "enter")
	m.Update(frameMsg(young(5 * time.Second)))
	mustShow(t, m, "No diagnoses yet: warming up")
	mustNotShow(t, m, "No problems found")
	m.Update(frameMsg(young(time.Minute)))
	mustShow(t, m, "No problems found on this call.")
}
