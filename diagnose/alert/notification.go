package alert

import "time"

// NotificationKind says why a notification is sent.
type NotificationKind string

// Notification kinds.
const (
	NotifyFiring   NotificationKind = "firing"   // fired, escalated, ack expired, or un-muted while firing
	NotifyRepeat   NotificationKind = "repeat"   // still firing and unacknowledged after RenotifyEvery
	NotifyResolved NotificationKind = "resolved" // resolved after a firing notification
	NotifyAcked    NotificationKind = "acknowledged"
	NotifyMuted    NotificationKind = "muted" // a silence was created
)

// Notification is one message for the webhooks: an alert transition, or a
// new silence (Alert nil, Silence set). Values are copies; the Notifier
// may keep them.
type Notification struct {
	Kind NotificationKind
	// At is the Book's time of the transition.
	At time.Time
	// Alert is a copy of the alert (nil for NotifyMuted).
	Alert *Alert
	// Silence is the new silence (NotifyMuted only), with Matched the
	// number of active alerts it mutes.
	Silence *Silence
	Matched int
	// Reason adds context: "escalated to critical", "ack timed out", ...
	Reason string
}

// Delivery reports what happened to one notification on one webhook: sent,
// failed (and being retried), given up on, or dropped from a full queue.
type Delivery struct {
	At       time.Time
	Webhook  string // scheme://host/… (the path, often a secret, is hidden)
	Kind     NotificationKind
	Key      string // the alert's key, or the silence id
	OK       bool
	Retrying bool // failed, another attempt follows
	Dropped  bool // the queue was full
	Attempt  int
	Status   int // HTTP status, 0 if none
	Err      string
}

// Key is the alert key or the silence id the notification is about.
func (x Notification) Key() string {
	switch {
	case x.Alert != nil:
		return x.Alert.Key
	case x.Silence != nil:
		return x.Silence.ID
	}
	return ""
}
