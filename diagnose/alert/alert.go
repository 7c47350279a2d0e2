package alert

import (
	"time"

	"github.com/calltop/calltop/diagnose"
)

// State is where an alert is in its lifecycle.
type State string

// Alert states. Muted and inhibited are flags on top of a state, not states.
const (
	Pending      State = "pending"
	Firing       State = "firing"
	Acknowledged State = "acknowledged"
	Resolved     State = "resolved"
)

// Rule ids of the alerts the Book raises itself (no-data and fleet-level).
const (
	RuleFeedDown          = "feed-down"
	RuleParticipantStale  = "participant-stale"
	RuleNoNewCalls        = "fleet-no-new-calls"
	RuleSetupFailures     = "fleet-setup-failures"
	feedDownKey           = RuleFeedDown + "@feed"
	noNewCallsKey         = RuleNoNewCalls + "@fleet"
	setupFailuresKey      = RuleSetupFailures + "@fleet"
	participantStalePrefx = RuleParticipantStale + "@"
)

// Ack records who acknowledged an alert, when (in the Book's clock) and why.
type Ack struct {
	Who  string    `json:"who"`
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"`
}

// Alert is one alert: a rule holding for a subject. At most one alert per
// Key is active (pending, firing or acknowledged) at a time. Times other
// than FindingStart are in the Book's clock (see docs/alerts.md).
type Alert struct {
	// Key is rule@subject; it identifies the alert for Ack and matchers.
	Key string `json:"key"`
	// ID is unique per alert instance: Key plus a sequence number.
	ID              string            `json:"id"`
	Rule            string            `json:"rule"`
	Severity        diagnose.Severity `json:"severity"`
	Subject         diagnose.Subject  `json:"subject"`
	ParticipantName string            `json:"participantName,omitempty"`
	// Room is the call's room (or its id when it has none), so an alert
	// names where the person is even after the call is gone.
	Room     string              `json:"room,omitempty"`
	Message  string              `json:"message"`
	Advice   string              `json:"advice,omitempty"`
	Evidence []diagnose.Evidence `json:"evidence,omitempty"`
	// Also lists the messages of symptoms folded into this alert (a
	// mos-low under an rtt-high): one problem, one alert.
	Also []string `json:"also,omitempty"`
	// FindingStart is when the finding opened, in data time.
	FindingStart time.Time `json:"findingStart,omitzero"`

	State State `json:"state"`
	// Start is when the Book first saw the condition (pending since).
	Start time.Time `json:"start"`
	// FiredAt is when the alert went from pending to firing.
	FiredAt time.Time `json:"firedAt,omitzero"`
	// End is when the alert resolved (zero while active).
	End time.Time `json:"end,omitzero"`
	// Ack is set while the alert is acknowledged.
	Ack *Ack `json:"ack,omitempty"`

	// SilencedBy lists the ids of the silences muting the alert.
	SilencedBy []string `json:"silencedBy,omitempty"`
	// InhibitedBy is the key of the alert hiding this one (feed-down).
	InhibitedBy string `json:"inhibitedBy,omitempty"`

	// Notified is true once a firing notification went out for this
	// instance; LastNotified is when the last notification did. NotifyDue
	// is set while a firing notification is held back by a silence or
	// inhibition, to go out when that lifts.
	Notified     bool      `json:"notified,omitempty"`
	LastNotified time.Time `json:"lastNotified,omitzero"`
	NotifyDue    bool      `json:"notifyDue,omitempty"`
	// ResolveDue is set while the resolved notification of a fired alert
	// is held for its re-open window (Options.Reopen).
	ResolveDue bool `json:"resolveDue,omitempty"`
	// NotifyFailures counts firing posts given up on in a row; the next
	// try is at RetryAt.
	NotifyFailures int       `json:"notifyFailures,omitempty"`
	RetryAt        time.Time `json:"retryAt,omitzero"`
	// Note explains how the alert resolved or returned ("ack timed out",
	// "escalated to critical", "resolved while calltop was stopped").
	Note string `json:"note,omitempty"`
	// Flaps counts how often the alert resolved and fired again within
	// Options.Reopen: one incident, re-opened, not a new alert.
	Flaps int `json:"flaps,omitempty"`
}

// Muted reports whether a silence matches the alert.
func (a *Alert) Muted() bool { return len(a.SilencedBy) > 0 }

// Inhibited reports whether a root-cause alert hides this one.
func (a *Alert) Inhibited() bool { return a.InhibitedBy != "" }

// Active reports whether the alert is pending, firing or acknowledged.
func (a *Alert) Active() bool { return a.State != Resolved }

// Status is the word the alert pane shows: "inhibited", "muted" or the state.
func (a *Alert) Status() string {
	switch {
	case a.State == Resolved || a.State == Pending:
		return string(a.State)
	case a.Inhibited():
		return "inhibited"
	case a.Muted():
		return "muted"
	}
	return string(a.State)
}

// Duration is how long the alert has lasted: from Start to End, or to now
// while it is active.
func (a *Alert) Duration(now time.Time) time.Duration {
	end := a.End
	if end.IsZero() {
		end = now
	}
	if end.Before(a.Start) {
		return 0
	}
	return end.Sub(a.Start)
}

// source says which input raises and resolves an alert.
type source int

const (
	fromFindings source = iota
	fromFeed
	fromStale
	fromFleet
)

// sourceOf tells which input owns an alert of the given rule.
func sourceOf(rule string) source {
	switch rule {
	case RuleFeedDown:
		return fromFeed
	case RuleParticipantStale:
		return fromStale
	case RuleNoNewCalls, RuleSetupFailures, RuleFleetGroup:
		return fromFleet
	}
	return fromFindings
}
