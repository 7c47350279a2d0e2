package alert

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// Book holds every alert, silence and the event log. It is driven by plain
// calls that carry the time; it never reads the wall clock. It is not safe
// for concurrent use: one goroutine (the engine) owns it.
type Book struct {
	opts Options
	now  time.Time

	alertSeq   uint64
	silenceSeq uint64
	active     map[string]*Alert
	history    []Alert // resolved, oldest first
	silences   []*Silence
	log        eventLog

	feedUpAt time.Time // when the feed last came back, for InhibitGrace

	closing         map[string]*Alert // resolved, within their re-open window
	restored        map[string]*Alert // from the state file, awaiting their finding
	restoreDeadline time.Time

	fleet fleetState

	removed []Removed            // silences removed, for other processes
	acks    map[string]AckAction // people's latest ack or un-ack per key
	namer   Namer

	version      uint64 // bumps on any change, for the snapshot cache
	cacheVersion uint64
	changes      uint64 // bumps on changes worth saving
	cache        *Snapshot
}

// NewBook returns an empty Book; zero Options fields take their defaults.
func NewBook(opts Options) *Book {
	opts = opts.withDefaults()
	return &Book{
		opts:     opts,
		active:   map[string]*Alert{},
		restored: map[string]*Alert{},
		closing:  map[string]*Alert{},
		acks:     map[string]AckAction{},
		log:      eventLog{max: opts.EventMax},
	}
}

// Options returns the Book's options with defaults filled in.
func (b *Book) Options() Options { return b.opts }

// Now is the latest time the Book was given.
func (b *Book) Now() time.Time { return b.now }

// advance sets the Book's clock. Time may go backwards (the engine moved
// from the wall clock to an older data time, or a replay restarted): the
// Book follows, and timers measured from later times simply wait.
func (b *Book) advance(now time.Time) time.Time {
	if now.IsZero() {
		return b.now
	}
	if !now.Equal(b.now) {
		b.now = now
		b.version++
	}
	return b.now
}

// Observe takes the findings open at now (the Monitor's OpenFindings):
// new ones start pending, held ones fire after their rule's `for`, and
// alerts whose finding is gone resolve. It then runs Tick.
func (b *Book) Observe(now time.Time, open []diagnose.Finding) {
	now = b.advance(now)
	b.closeWindows(now) // an alert past its window comes back as a new incident
	seen := make(map[string]bool, len(open))
	fo := fold(open, b.opts.MinSeverity)
	for i := range open {
		f := &open[i]
		if !f.Open() || f.Severity < b.opts.MinSeverity {
			continue
		}
		key := f.Key()
		if fo.into[key] != "" {
			continue
		}
		seen[key] = true
		a := b.raise(now, key, f.Rule, f.Severity, f.Subject, f.ParticipantName, f.Message, f.Advice, f.Evidence, f.Start)
		b.setAlso(a, fo.also[key])
	}
	gone := b.ordered(func(a *Alert) bool { return sourceOf(a.Rule) == fromFindings && !seen[a.Key] })
	for _, a := range gone {
		note := ""
		if into := fo.into[a.Key]; into != "" {
			note = "folded into " + into
		}
		b.resolve(now, a, note)
	}
	b.Tick(now)
}

// Tick runs the timers at now without new findings: pending alerts whose
// `for` has passed fire, silences and acks expire, inhibition lifts,
// firing alerts are re-notified, history is pruned.
func (b *Book) Tick(now time.Time) {
	now = b.advance(now)
	b.expireSilences(now)
	b.expireRestored(now)
	b.closeWindows(now)
	b.evaluateFleet(now)
	for _, a := range b.ordered(nil) {
		b.step(now, a)
	}
	b.pruneHistory(now)
	b.pruneActions(now)
}

// raise creates or updates the active alert for key.
func (b *Book) raise(now time.Time, key, rule string, sev diagnose.Severity, subj diagnose.Subject,
	name, msg, advice string, ev []diagnose.Evidence, findingStart time.Time) *Alert {
	a := b.active[key]
	if a == nil {
		a = b.reclaim(now, key)
	}
	if a == nil {
		a = b.reopen(now, key)
	}
	fresh := a == nil
	if fresh {
		b.alertSeq++
		a = &Alert{Key: key, ID: key + "#" + strconv.FormatUint(b.alertSeq, 10), Rule: rule,
			Severity: sev, State: Pending, Start: now}
		b.active[key] = a
	}
	if a.Message != msg || a.Advice != advice || a.ParticipantName != name || !a.FindingStart.Equal(findingStart) {
		b.version++
	}
	a.Subject, a.Message, a.Advice = subj, msg, advice
	if name != "" {
		a.ParticipantName = name
	}
	b.names(a)
	a.Evidence, a.FindingStart = ev, findingStart
	if fresh {
		if d := b.opts.RuleFor(rule); d > 0 { // else it fires in this tick
			b.log.add(alertEvent(now, EvPending, a, fmt.Sprintf("%s (fires after %s)", msg, d)))
		}
	} else if sev > a.Severity {
		b.escalate(now, a, sev)
	}
	return a
}

// escalate raises an alert's severity; a firing or acknowledged alert
// fires again (an ack does not cover the worse condition).
func (b *Book) escalate(now time.Time, a *Alert, sev diagnose.Severity) {
	a.Severity = sev
	b.version++
	if a.State == Pending {
		return
	}
	reason := "escalated to " + sev.String()
	if a.Ack != nil {
		reason += " (was acknowledged by " + a.Ack.Who + ")"
	}
	a.State, a.Ack, a.Note = Firing, nil, reason
	b.changes++
	b.log.add(alertEvent(now, EvEscalated, a, reason+": "+a.Message))
	b.refreshFlags(now, a)
	b.notifyFiring(now, a, reason)
}

// ackedElsewhere applies to a just-fired alert the ack another process
// made of this incident before it fired here (its clock or its evaluation
// ran ahead: a team hub beside another on the bus, a watch beside a
// TUI), which Merge could only record while the alert was not firing
// here. An ack older than the incident's start was of an earlier one.
func (b *Book) ackedElsewhere(now time.Time, a *Alert) bool {
	act, ok := b.acks[a.Key]
	if !ok || act.Unack || act.At.Before(a.Start) {
		return false
	}
	a.State, a.Ack = Acknowledged, &Ack{Who: act.Who, Note: act.Note, At: act.At}
	b.log.add(alertEvent(now, EvAcked, a, "acknowledged by "+act.Who+" in another calltop"))
	return true
}

// step runs one alert's timers: flags, pending -> firing, ack timeout,
// re-notification.
func (b *Book) step(now time.Time, a *Alert) {
	b.refreshFlags(now, a)
	switch a.State {
	case Pending:
		if now.Sub(a.Start) >= b.opts.RuleFor(a.Rule) {
			a.State, a.FiredAt = Firing, now
			b.version++
			b.changes++
			b.log.add(alertEvent(now, EvFiring, a, a.Message))
			if b.ackedElsewhere(now, a) {
				return
			}
			b.notifyFiring(now, a, "")
		}
	case Acknowledged:
		if t := b.opts.AckTimeout; t > 0 && a.Ack != nil && now.Sub(a.Ack.At) >= t {
			reason := "acknowledgement by " + a.Ack.Who + " timed out after " + t.String()
			a.State, a.Ack, a.Note = Firing, nil, reason
			b.version++
			b.changes++
			b.log.add(alertEvent(now, EvAckExpired, a, reason))
			b.notifyFiring(now, a, reason)
		}
	case Firing:
		switch {
		case b.opts.Sender == nil:
		case !a.Notified && a.NotifyFailures > 0:
			if !now.Before(a.RetryAt) {
				b.notifyFiring(now, a, fmt.Sprintf("posting again after %s", Plural(a.NotifyFailures, "failed attempt")))
			}
		case a.NotifyDue || !a.Notified:
			b.notifyFiring(now, a, "no longer muted or inhibited")
		case b.opts.RenotifyEvery > 0 && now.Sub(a.LastNotified) >= b.opts.RenotifyEvery:
			b.send(now, NotifyRepeat, a, "still firing, unacknowledged")
		}
	}
}

// notifyFiring sends a firing notification unless the alert is muted or
// inhibited; it is then due, and sent when that lifts (step).
func (b *Book) notifyFiring(now time.Time, a *Alert, reason string) {
	if b.opts.Sender == nil {
		return // nothing is posted, so nothing is marked posted
	}
	if a.Muted() || a.Inhibited() {
		a.NotifyDue = true
		return
	}
	b.send(now, NotifyFiring, a, reason)
	a.Notified, a.NotifyDue = true, false
}

// send hands a notification about a to the Sender, unless the alert is
// muted or inhibited.
func (b *Book) send(now time.Time, kind NotificationKind, a *Alert, reason string) {
	if a.Muted() || a.Inhibited() || b.opts.Sender == nil {
		return
	}
	a.LastNotified = now
	b.version++
	b.changes++
	c := *a
	b.opts.Sender.Send(Notification{Kind: kind, At: now, Alert: &c, Reason: reason})
}

// resolve ends an active alert: a pending one is dropped, a fired one goes
// to history and sends a resolved notification if its firing went out.
func (b *Book) resolve(now time.Time, a *Alert, note string) {
	delete(b.active, a.Key)
	b.version++
	if a.State == Pending {
		b.log.add(alertEvent(now, EvPendingCleared, a, "cleared before firing: "+a.Message))
		return
	}
	b.changes++
	a.State, a.End = Resolved, now
	if note != "" {
		a.Note = note
	}
	b.log.add(alertEvent(now, EvResolved, a, fmt.Sprintf("resolved after %s: %s", a.Duration(now).Round(time.Second), a.Message)))
	b.closeWindow(now, a, note)
	b.history = append(b.history, *a)
	b.pruneHistory(now)
}

// pruneHistory keeps at most HistoryMax resolved alerts, none older than
// HistoryAge.
func (b *Book) pruneHistory(now time.Time) {
	drop := max(len(b.history)-b.opts.HistoryMax, 0)
	for drop < len(b.history) && now.Sub(b.history[drop].End) > b.opts.HistoryAge {
		drop++
	}
	if drop > 0 {
		b.history = append(b.history[:0:0], b.history[drop:]...)
		b.version++
		b.changes++
	}
}

// Note adds a free-text line to the event log (e.g. about the state file).
func (b *Book) Note(now time.Time, text string) {
	b.log.add(Event{At: b.advance(now), Kind: EvState, Text: text})
	b.version++
}

// EventsSince returns the events after seq (0 for all kept), oldest first.
func (b *Book) EventsSince(seq uint64) []Event { return b.log.since(seq) }

// Changes increases whenever something worth saving changed (acks,
// silences, transitions, history); the engine saves when it moves.
func (b *Book) Changes() uint64 { return b.changes }

// ordered returns the active alerts that pass keep (all if nil) in a
// stable order (oldest first, then by key), so that transitions in one
// tick are logged and notified in the same order every run.
func (b *Book) ordered(keep func(*Alert) bool) []*Alert {
	out := make([]*Alert, 0, len(b.active))
	for _, a := range b.active {
		if keep == nil || keep(a) {
			out = append(out, a)
		}
	}
	sortByTime(out, func(a *Alert) time.Time { return a.Start })
	return out
}

// sortByTime orders alerts by the time at gives them, then by key: the
// same order every run, whatever the map's.
func sortByTime(out []*Alert, at func(*Alert) time.Time) {
	slices.SortFunc(out, func(x, y *Alert) int {
		if c := at(x).Compare(at(y)); c != 0 {
			return c
		}
		return strings.Compare(x.Key, y.Key)
	})
}
