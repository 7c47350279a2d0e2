package webhook

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// hostileAlert is an alert whose every feed string tries markup or
// control characters.
func hostileAlert() *alert.Alert {
	return &alert.Alert{Key: "loss@c\x1b[31m1/p1//0", ID: "loss@c\x1b[31m1/p1//0#1", Rule: "loss-inbound",
		Severity: diagnose.Warning, Subject: diagnose.Subject{CallID: "c\x1b[31m1", ParticipantID: "p\x071"},
		ParticipantName: "<!channel> <https://evil|label>", Room: "r\u202eoom", Message: "loss <!here>", Start: t0}
}

// Slack's top-level text is escaped like the blocks (#22 item 6): no
// mention or link reaches Slack as markup.
func TestSlackTextEscapesMentionsAndLinks(t *testing.T) {
	body, err := Payload(FormatSlack, alert.Notification{Kind: alert.NotifyFiring, At: t0, Alert: hostileAlert()})
	if err != nil {
		t.Fatal(err)
	}
	var p SlackPayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{p.Text, p.Blocks[0].Text.Text} {
		if strings.Contains(s, "<!") || strings.Contains(s, "<https") || !strings.Contains(s, "&lt;!channel&gt;") {
			t.Errorf("markup reached Slack: %q", s)
		}
	}
}

// Every string of the JSON payload, keys and ids included, is stripped
// of control characters (#22 low).
func TestJSONPayloadStringsHaveNoControlCharacters(t *testing.T) {
	body, err := Payload(FormatJSON, alert.Notification{Kind: alert.NotifyFiring, At: t0, Alert: hostileAlert()})
	if err != nil {
		t.Fatal(err)
	}
	var p JSONPayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	a := p.Alert
	for _, s := range []string{a.Key, a.ID, a.Subject.CallID, a.Subject.ParticipantID, a.Room, a.ParticipantName} {
		if strings.ContainsAny(s, "\x1b\x07\u202e") {
			t.Errorf("control character in %q", s)
		}
	}
}
