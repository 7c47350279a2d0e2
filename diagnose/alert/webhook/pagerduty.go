package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// PagerDutyURL is the Events API v2 endpoint, the default webhook for
// FormatPagerDuty.
const PagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

// PagerDutyKeyEnv names the environment variable that holds the routing
// key when no flag gives it.
const PagerDutyKeyEnv = "CALLTOP_PAGERDUTY_ROUTING_KEY"

// Events API v2 limits.
const (
	pdMaxDedupKey = 255
	pdMaxSummary  = 1024
)

// PagerDutyEvent is an Events API v2 event: trigger, acknowledge or
// resolve, one per request, tied to its incident by DedupKey.
type PagerDutyEvent struct {
	RoutingKey  string            `json:"routing_key"`
	EventAction string            `json:"event_action"`
	DedupKey    string            `json:"dedup_key"`
	Payload     *PagerDutyPayload `json:"payload,omitempty"`
	Client      string            `json:"client,omitempty"`
}

// PagerDutyPayload is a trigger event's payload.
type PagerDutyPayload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp,omitempty"`
	Component     string         `json:"component,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

// pagerDutyAction maps a notification to an event action ("" for none:
// silences are calltop's own and page nobody).
func pagerDutyAction(k alert.NotificationKind) string {
	switch k {
	case alert.NotifyFiring, alert.NotifyRepeat:
		return "trigger"
	case alert.NotifyAcked:
		return "acknowledge"
	case alert.NotifyResolved:
		return "resolve"
	}
	return ""
}

// DedupKey is an alert's stable PagerDuty dedup key: its id (one per
// incident; a re-opened alert keeps it), hashed when too long.
func DedupKey(a *alert.Alert) string {
	k := "calltop/" + clean(a.ID)
	if len(k) > pdMaxDedupKey {
		sum := sha256.Sum256([]byte(a.ID))
		k = "calltop/" + hex.EncodeToString(sum[:])
	}
	return k
}

// PagerDutyBody renders one notification as an Events API v2 event.
func PagerDutyBody(routingKey string, x alert.Notification) ([]byte, error) {
	action := pagerDutyAction(x.Kind)
	if action == "" || x.Alert == nil {
		return nil, fmt.Errorf("a %s notification is not sent to PagerDuty", x.Kind)
	}
	a := x.Alert
	ev := PagerDutyEvent{RoutingKey: routingKey, EventAction: action, DedupKey: DedupKey(a), Client: "calltop"}
	if action == "trigger" {
		summary := fmt.Sprintf("[%s] %s · %s: %s", a.Severity, a.Rule, a.Where(), clean(a.Message))
		if len(summary) > pdMaxSummary {
			summary = truncate(summary, pdMaxSummary)
		}
		details := map[string]any{"alert": clean(a.Key), "rule": a.Rule, "started": stamp(a.Start)}
		if len(a.Also) > 0 {
			details["also"] = cleanAll(a.Also)
		}
		if a.Advice != "" {
			details["advice"] = clean(a.Advice)
		}
		if x.Reason != "" {
			details["reason"] = clean(x.Reason)
		}
		ev.Payload = &PagerDutyPayload{Summary: summary, Source: "calltop", Severity: pagerDutySeverity(a.Severity),
			Timestamp: stamp(x.At), Component: clean(a.Subject.CallID), Group: clean(a.Room), Class: a.Rule,
			CustomDetails: details}
	}
	return json.Marshal(ev)
}

// pagerDutySeverity maps a severity to the API's critical/error/warning/info.
func pagerDutySeverity(s diagnose.Severity) string {
	switch s {
	case diagnose.Critical:
		return "critical"
	case diagnose.Warning:
		return "warning"
	}
	return "info"
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	cut := n - len("…")
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// cleanAll cleans every string.
func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}

// redactKey keeps a routing key out of an error text.
func redactKey(text, key string) string {
	if key == "" {
		return text
	}
	return strings.ReplaceAll(text, key, "[routing key]")
}
