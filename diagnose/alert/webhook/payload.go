package webhook

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// Format is a webhook payload format.
type Format string

// Payload formats: Slack incoming-webhook messages (text and blocks) or
// calltop's plain JSON (docs/alerts.md).
const (
	FormatSlack Format = "slack"
	FormatJSON  Format = "json"
	// FormatPagerDuty is PagerDuty Events API v2 (pagerduty.go).
	FormatPagerDuty Format = "pagerduty"
)

// JSONVersion names the plain JSON payload's schema.
const JSONVersion = "calltop.alert.v1"

// Payload renders one notification, or a batch of several as one post,
// in the given format.
func Payload(f Format, xs ...alert.Notification) ([]byte, error) {
	if len(xs) == 0 {
		return nil, fmt.Errorf("no notification to render")
	}
	switch f {
	case FormatSlack:
		if len(xs) == 1 {
			return json.Marshal(slackMessage(xs[0]))
		}
		return json.Marshal(slackBatch(xs))
	case FormatJSON:
		if len(xs) == 1 {
			return json.Marshal(jsonMessage(xs[0]))
		}
		b := JSONBatch{Version: JSONVersion, Kind: "batch"}
		for _, x := range xs {
			b.Notifications = append(b.Notifications, jsonMessage(x))
		}
		return json.Marshal(b)
	}
	return nil, fmt.Errorf("webhook format %q: want slack or json", f)
}

// JSONBatch is the plain JSON body of a post carrying several
// notifications (kind "batch"), oldest first.
type JSONBatch struct {
	Version       string        `json:"version"`
	Kind          string        `json:"kind"`
	Notifications []JSONPayload `json:"notifications"`
}

// slackBatch renders several notifications as one Slack message: a
// summary line, then one section per notification.
func slackBatch(xs []alert.Notification) SlackPayload {
	counts := map[alert.NotificationKind]int{}
	var order []alert.NotificationKind
	for _, x := range xs {
		if counts[x.Kind] == 0 {
			order = append(order, x.Kind)
		}
		counts[x.Kind]++
	}
	var parts []string
	for _, k := range order {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	summary := fmt.Sprintf("calltop: %d alert notifications (%s)", len(xs), strings.Join(parts, ", "))
	p := SlackPayload{Text: summary, Blocks: []slackBlock{{Type: "section", Text: &slackText{Type: "mrkdwn", Text: "*" + summary + "*"}}}}
	for _, x := range xs {
		one := slackMessage(x)
		text := one.Blocks[0].Text.Text + "\n_" + one.Blocks[1].Elements[0].Text + "_"
		p.Blocks = append(p.Blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: text}})
	}
	return p
}

// JSONPayload is the plain JSON webhook body.
type JSONPayload struct {
	Version string                 `json:"version"`
	Kind    alert.NotificationKind `json:"kind"`
	Time    string                 `json:"time"`
	Reason  string                 `json:"reason,omitempty"`
	Alert   *JSONAlert             `json:"alert,omitempty"`
	Silence *JSONSilence           `json:"silence,omitempty"`
}

// JSONAlert is an alert in the plain JSON payload.
type JSONAlert struct {
	Key             string              `json:"key"`
	ID              string              `json:"id"`
	Rule            string              `json:"rule"`
	Severity        diagnose.Severity   `json:"severity"`
	State           alert.State         `json:"state"`
	Subject         diagnose.Subject    `json:"subject"`
	ParticipantName string              `json:"participantName,omitempty"`
	Room            string              `json:"room,omitempty"`
	Message         string              `json:"message"`
	Advice          string              `json:"advice,omitempty"`
	Also            []string            `json:"also,omitempty"`
	Flaps           int                 `json:"flaps,omitempty"`
	Evidence        []diagnose.Evidence `json:"evidence,omitempty"`
	Start           string              `json:"start"`
	FiredAt         string              `json:"firedAt,omitempty"`
	End             *string             `json:"end"`
	DurationSec     float64             `json:"durationSec"`
	Ack             *JSONAck            `json:"ack,omitempty"`
}

// JSONAck is an acknowledgement in the plain JSON payload.
type JSONAck struct {
	Who  string `json:"who"`
	Note string `json:"note,omitempty"`
	At   string `json:"at"`
}

// JSONSilence is a new silence in the plain JSON payload.
type JSONSilence struct {
	ID            string  `json:"id"`
	Matcher       string  `json:"matcher"`
	Who           string  `json:"who"`
	Why           string  `json:"why,omitempty"`
	Ends          *string `json:"ends"`
	UntilResolved bool    `json:"untilResolved"`
	Matched       int     `json:"matched"`
}

func jsonMessage(x alert.Notification) JSONPayload {
	p := JSONPayload{Version: JSONVersion, Kind: x.Kind, Time: stamp(x.At), Reason: clean(x.Reason)}
	if a := x.Alert; a != nil {
		subj := a.Subject
		subj.CallID, subj.ParticipantID, subj.ConnectionID = clean(subj.CallID), clean(subj.ParticipantID), clean(subj.ConnectionID)
		ja := &JSONAlert{Key: clean(a.Key), ID: clean(a.ID), Rule: a.Rule, Severity: a.Severity, State: a.State,
			Subject: subj, ParticipantName: clean(a.ParticipantName), Room: clean(a.Room), Message: clean(a.Message),
			Advice: clean(a.Advice), Also: cleanAll(a.Also), Flaps: a.Flaps,
			Evidence: a.Evidence, Start: stamp(a.Start), DurationSec: a.Duration(x.At).Seconds()}
		if a.Ack != nil {
			ja.Ack = &JSONAck{Who: clean(a.Ack.Who), Note: clean(a.Ack.Note), At: stamp(a.Ack.At)}
		}
		if !a.FiredAt.IsZero() {
			ja.FiredAt = stamp(a.FiredAt)
		}
		if !a.End.IsZero() {
			e := stamp(a.End)
			ja.End = &e
		}
		p.Alert = ja
	}
	if s := x.Silence; s != nil {
		js := &JSONSilence{ID: clean(s.ID), Matcher: clean(s.Matcher.String()), Who: clean(s.Who), Why: clean(s.Why),
			UntilResolved: s.UntilResolved, Matched: x.Matched}
		if !s.UntilResolved {
			e := stamp(s.Ends)
			js.Ends = &e
		}
		p.Silence = js
	}
	return p
}

// slackText is a Slack mrkdwn text object.
type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackBlock is a section or context block.
type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

// SlackPayload is a Slack incoming-webhook body: a fallback text for
// notifications and blocks for the channel.
type SlackPayload struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

var kindIcon = map[alert.NotificationKind]string{
	alert.NotifyFiring: ":red_circle: FIRING", alert.NotifyRepeat: ":red_circle: STILL FIRING",
	alert.NotifyResolved: ":large_green_circle: RESOLVED", alert.NotifyAcked: ":eyes: ACKNOWLEDGED",
	alert.NotifyMuted: ":no_bell: MUTED",
}

func slackMessage(x alert.Notification) SlackPayload {
	head := kindIcon[x.Kind]
	if a := x.Alert; a != nil {
		who := a.Where()
		text := fmt.Sprintf("%s [%s] %s · %s: %s", head, a.Severity, a.Rule, esc(who), esc(clean(a.Message)))
		body := fmt.Sprintf("*%s* · %s · `%s`\n%s\n%s", head, a.Severity, a.Rule, esc(who), esc(clean(a.Message)))
		if x.Reason != "" {
			body += "\n_" + esc(clean(x.Reason)) + "_"
		}
		if len(a.Also) > 0 {
			body += "\n*Also:* " + esc(strings.Join(cleanAll(a.Also), "; "))
		}
		if a.Advice != "" && x.Kind != alert.NotifyResolved {
			body += "\n*Advice:* " + esc(clean(a.Advice))
		}
		ctx := fmt.Sprintf("alert `%s` · started %s", esc(clean(a.Key)), stamp(a.Start))
		if a.State == alert.Resolved {
			ctx += fmt.Sprintf(" · lasted %s", a.Duration(x.At).Round(time.Second))
		}
		if a.Ack != nil {
			ctx += " · acknowledged by " + esc(clean(a.Ack.Who))
		}
		return slackPayload(text, body, ctx)
	}
	s := x.Silence
	if s == nil {
		return slackPayload(head, head, "calltop")
	}
	what := s.Describe(x.At)
	text := fmt.Sprintf("%s %s by %s (%s)", head, esc(clean(what)), esc(clean(s.Who)), plural(x.Matched, "active alert"))
	body := fmt.Sprintf("*%s* %s by %s · %s", head, esc(clean(what)), esc(clean(s.Who)), plural(x.Matched, "active alert"))
	if s.Why != "" {
		body += "\n" + esc(clean(s.Why))
	}
	return slackPayload(text, body, "silence `"+s.ID+"` · created "+stamp(s.Created))
}

func slackPayload(text, body, ctx string) SlackPayload {
	return SlackPayload{Text: text, Blocks: []slackBlock{
		{Type: "section", Text: &slackText{Type: "mrkdwn", Text: body}},
		{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: ctx}}},
	}}
}

// esc escapes Slack's mrkdwn control characters.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// The alert package's text helpers, by their short names here.
var (
	clean  = alert.CleanText
	stamp  = alert.Stamp
	plural = alert.Plural
)
