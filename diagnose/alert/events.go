package alert

import (
	"time"

	"github.com/calltop/calltop/diagnose"
)

// EventKind names what happened in an Event.
type EventKind string

// Event kinds: every transition and every action.
const (
	EvPending        EventKind = "pending"         // a finding started its `for` wait
	EvPendingCleared EventKind = "pending-cleared" // it cleared before firing
	EvFiring         EventKind = "firing"          // pending -> firing, or back to firing
	EvEscalated      EventKind = "escalated"       // severity rose while firing or acked
	EvResolved       EventKind = "resolved"
	EvReopened       EventKind = "reopened" // fired again within the re-open window: same incident
	EvAcked          EventKind = "acknowledged"
	EvUnacked        EventKind = "unacknowledged"
	EvAckExpired     EventKind = "ack-expired"
	EvMuted          EventKind = "muted"           // a silence was created
	EvUnmuted        EventKind = "unmuted"         // a silence was removed by hand
	EvSilenceExpired EventKind = "silence-expired" // its time ran out or its alerts resolved
	EvInhibited      EventKind = "inhibited"
	EvUninhibited    EventKind = "uninhibited"
	EvNotified       EventKind = "notified"
	EvNotifyFailed   EventKind = "notify-failed"
	EvRestored       EventKind = "restored" // state loaded from the state file
	EvState          EventKind = "state"    // a note about the state file
)

// Event is one line of the event log. Times are in the Book's clock.
type Event struct {
	Seq      uint64            `json:"seq"`
	At       time.Time         `json:"time"`
	Kind     EventKind         `json:"event"`
	Key      string            `json:"alert,omitempty"`
	Rule     string            `json:"rule,omitempty"`
	Severity diagnose.Severity `json:"severity,omitempty"`
	Subject  diagnose.Subject  `json:"subject,omitzero"`
	Name     string            `json:"participantName,omitempty"`
	Who      string            `json:"who,omitempty"`
	Text     string            `json:"msg"`
}

// eventLog is a bounded ring of events with increasing sequence numbers.
type eventLog struct {
	max    int
	events []Event // oldest first, at most max
	seq    uint64
}

// add appends an event, dropping the oldest beyond the bound. Trimming
// moves the kept events to a new array, so slices handed out by recent
// never change.
func (l *eventLog) add(e Event) {
	l.seq++
	e.Seq = l.seq
	if len(l.events) >= 2*l.max { // trim in batches: amortised O(1)
		kept := make([]Event, l.max-1, 2*l.max)
		copy(kept, l.events[len(l.events)-l.max+1:])
		l.events = kept
	}
	l.events = append(l.events, e)
}

// recent returns the last max events, oldest first, without copying: the
// slice's capacity ends at its length, so later appends cannot show
// through, and it must not be modified.
func (l *eventLog) recent() []Event {
	from, n := max(len(l.events)-l.max, 0), len(l.events)
	return l.events[from:n:n]
}

// since returns a copy of the events with Seq > seq, oldest first.
func (l *eventLog) since(seq uint64) []Event {
	i, low := len(l.events), max(len(l.events)-l.max, 0)
	for i > low && l.events[i-1].Seq > seq {
		i--
	}
	return append([]Event(nil), l.events[i:]...)
}

// alertEvent builds an event about an alert.
func alertEvent(at time.Time, kind EventKind, a *Alert, text string) Event {
	return Event{At: at, Kind: kind, Key: a.Key, Rule: a.Rule, Severity: a.Severity,
		Subject: a.Subject, Name: a.ParticipantName, Text: text}
}
