package alert

import (
	"os"
	"os/user"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// Options configure a Book. The zero value of a field means its default,
// as DefaultOptions fills in; use a negative duration to disable a timer
// whose zero means "default".
type Options struct {
	// MinSeverity is the lowest finding severity that raises an alert
	// (default warning).
	MinSeverity diagnose.Severity
	// DefaultFor is how long a finding must hold before its alert fires
	// (default 10 s). For overrides it per rule; DefaultFor's table
	// (RuleFor) sets 0 for the critical connectivity rules.
	DefaultFor time.Duration
	For        map[string]time.Duration
	// RenotifyEvery re-sends unacknowledged firing alerts (default 30 m;
	// negative disables).
	RenotifyEvery time.Duration
	// FeedDownAfter is how long the feed must stay down before the
	// feed-down alert fires (default 10 s; negative: at once), so a quick
	// reconnect is not an incident. Per-call alerts are held from the
	// first moment either way.
	FeedDownAfter time.Duration
	// Reopen is the hysteresis window: an alert that fires again within
	// this long of resolving re-opens the same incident, posting nothing,
	// and its resolved notification waits this long (default 5 m;
	// negative disables).
	Reopen time.Duration
	// AckTimeout returns an acknowledged alert to firing after this long
	// (default 0: never).
	AckTimeout time.Duration
	// InhibitGrace keeps per-call alerts inhibited this long after the
	// feed comes back, while stale findings clear (default 15 s;
	// negative disables).
	InhibitGrace time.Duration
	// HistoryMax and HistoryAge bound the resolved history (default 500
	// alerts, 24 h).
	HistoryMax int
	HistoryAge time.Duration
	// EventMax bounds the event log (default 1000 events).
	EventMax int
	// RestoreGrace is how long alerts restored from the state file wait
	// for their finding to come back before they are resolved (default 2 m).
	RestoreGrace time.Duration
	// User is who acts when Ack or Mute is given no name (default the OS
	// user, see DefaultUser).
	User string
	// Sender receives notifications; it must not block (a Notifier does
	// not). Nil sends nothing.
	Sender Sender
	// Fleet configures the optional fleet-level alerts (off by default).
	Fleet FleetOptions
}

// FleetOptions configure the fleet-level alerts. Both are off by default.
type FleetOptions struct {
	// NoNewCallsFor raises an alert when no call has started for this
	// long (0: off).
	NoNewCallsFor time.Duration
	// SetupFailurePct raises an alert when more than this percentage of
	// the last SetupWindow calls failed to set up (0: off).
	SetupFailurePct float64
	// SetupWindow is how many recent calls the percentage is over
	// (default 20).
	SetupWindow int
	// Groups raises a fleet-group alert while a group of participants
	// stands out for a finding (Book.FleetGroups; docs/fleet.md).
	Groups bool
}

// Sender takes notifications from the Book. Send must not block.
type Sender interface {
	Send(n Notification)
}

// defaultFor is the built-in per-rule `for` table: 0 for the critical
// connectivity rules and the Book's own alerts, which are already delayed
// by their detection.
var defaultFor = map[string]time.Duration{
	diagnose.RuleICEFailed: 0,
	diagnose.RuleSlowSetup: 0,
	RuleParticipantStale:   0,
	RuleNoNewCalls:         0,
	RuleSetupFailures:      0,
}

// DefaultOptions returns the defaults: warning and above, 10 s `for`,
// re-notify every 30 m, no ack timeout, 500 alerts or 24 h of history.
func DefaultOptions() Options {
	return Options{
		MinSeverity:   diagnose.Warning,
		DefaultFor:    10 * time.Second,
		RenotifyEvery: 30 * time.Minute,
		InhibitGrace:  15 * time.Second,
		Reopen:        5 * time.Minute,
		FeedDownAfter: 10 * time.Second,
		HistoryMax:    500,
		HistoryAge:    24 * time.Hour,
		EventMax:      1000,
		RestoreGrace:  2 * time.Minute,
		User:          DefaultUser(),
		Fleet:         FleetOptions{SetupWindow: 20},
	}
}

// withDefaults fills zero fields from DefaultOptions.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MinSeverity == diagnose.None {
		o.MinSeverity = d.MinSeverity
	}
	if o.DefaultFor == 0 {
		o.DefaultFor = d.DefaultFor
	}
	if o.RenotifyEvery == 0 {
		o.RenotifyEvery = d.RenotifyEvery
	}
	if o.FeedDownAfter == 0 {
		o.FeedDownAfter = d.FeedDownAfter
	}
	if o.Reopen == 0 {
		o.Reopen = d.Reopen
	}
	if o.InhibitGrace == 0 {
		o.InhibitGrace = d.InhibitGrace
	}
	if o.HistoryMax <= 0 {
		o.HistoryMax = d.HistoryMax
	}
	if o.HistoryAge <= 0 {
		o.HistoryAge = d.HistoryAge
	}
	if o.EventMax <= 0 {
		o.EventMax = d.EventMax
	}
	if o.RestoreGrace <= 0 {
		o.RestoreGrace = d.RestoreGrace
	}
	if o.User == "" {
		o.User = d.User
	}
	if o.Fleet.SetupWindow <= 0 {
		o.Fleet.SetupWindow = d.Fleet.SetupWindow
	}
	return o
}

// RuleFor returns how long a finding of the rule must hold before its
// alert fires: the Options.For override, else the built-in table, else
// DefaultFor. A negative DefaultFor means 0.
func (o Options) RuleFor(rule string) time.Duration {
	if d, ok := o.For[rule]; ok {
		return max(d, 0)
	}
	if rule == RuleFeedDown {
		return max(o.FeedDownAfter, 0)
	}
	if d, ok := defaultFor[rule]; ok {
		return d
	}
	return max(o.DefaultFor, 0)
}

// DefaultUser is who acts when nobody is named: $USER, else the OS user
// name, else "unknown" (--user overrides it in the commands).
func DefaultUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
