package alert

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Ack acknowledges the active alert with the given key: it stops repeat
// notifications until the alert resolves, escalates, or the ack times out.
// who defaults to Options.User. Acknowledging again replaces the ack.
func (b *Book) Ack(key string, who, note string, now time.Time) error {
	now = b.advance(now)
	a := b.active[key]
	if a == nil {
		return fmt.Errorf("no active alert %q to acknowledge", key)
	}
	if a.State == Pending {
		return fmt.Errorf("alert %q is still pending (not firing yet); nothing to acknowledge", key)
	}
	if who == "" {
		who = b.opts.User
	}
	a.State, a.Ack, a.Note = Acknowledged, &Ack{Who: who, Note: note, At: now}, ""
	b.recordAck(AckAction{Key: key, Who: who, Note: note, At: now})
	b.version++
	b.changes++
	text := "acknowledged by " + who
	if note != "" {
		text += ": " + note
	}
	e := alertEvent(now, EvAcked, a, text)
	e.Who = who
	b.log.add(e)
	b.send(now, NotifyAcked, a, text)
	return nil
}

// Unack returns an acknowledged alert to firing (repeat notifications
// resume from now).
func (b *Book) Unack(key string, who string, now time.Time) error {
	now = b.advance(now)
	a := b.active[key]
	if a == nil || a.State != Acknowledged {
		return fmt.Errorf("no acknowledged alert %q", key)
	}
	if who == "" {
		who = b.opts.User
	}
	a.State, a.Ack, a.LastNotified = Firing, nil, now
	b.recordAck(AckAction{Key: key, Who: who, At: now, Unack: true})
	b.version++
	b.changes++
	e := alertEvent(now, EvUnacked, a, "acknowledgement withdrawn by "+who)
	e.Who = who
	b.log.add(e)
	return nil
}

// Mute creates a silence for the alerts m selects, until the time until
// or, when untilResolved, until every alert it mutes now has resolved (it
// also mutes alerts that match later, while it lasts). who defaults to
// Options.User.
func (b *Book) Mute(m Matcher, until time.Time, untilResolved bool, who, why string, now time.Time) (Silence, error) {
	now = b.advance(now)
	if m.Empty() {
		return Silence{}, fmt.Errorf("empty matcher: name a call, participant, rule or alert, or mute everything")
	}
	s := &Silence{Matcher: m, Who: who, Why: why, Created: now, UntilResolved: untilResolved}
	if s.Who == "" {
		s.Who = b.opts.User
	}
	if untilResolved {
		for _, a := range b.active {
			if m.Matches(a) {
				s.Alerts = append(s.Alerts, a.ID)
				s.Keys = append(s.Keys, a.Key)
			}
		}
		if len(s.Alerts) == 0 {
			return Silence{}, fmt.Errorf("no active alert matches %s; nothing to mute until resolved", m)
		}
		slices.Sort(s.Alerts)
		slices.Sort(s.Keys)
	} else {
		if !until.After(now) {
			return Silence{}, fmt.Errorf("silence for %s would end at %s, not after now (%s)", m,
				until.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		s.Ends = until
	}
	b.silenceSeq++
	s.ID = "s" + strconv.FormatUint(b.silenceSeq, 10)
	b.silences = append(b.silences, s)
	b.version++
	b.changes++
	matched := 0
	for _, a := range b.active {
		b.refreshFlags(now, a)
		if m.Matches(a) {
			matched++
		}
	}
	text := fmt.Sprintf("%s muted %s (%s)", s.ID, s.Describe(now), Plural(matched, "active alert"))
	if why != "" {
		text += ": " + why
	}
	b.log.add(Event{At: now, Kind: EvMuted, Who: s.Who, Text: text})
	if b.opts.Sender != nil {
		c := *s
		b.opts.Sender.Send(Notification{Kind: NotifyMuted, At: now, Silence: &c, Matched: matched})
	}
	return *s, nil
}

// MuteFor is Mute for a duration from now (15m, 1h, 4h, ...).
func (b *Book) MuteFor(m Matcher, d time.Duration, who, why string, now time.Time) (Silence, error) {
	if d <= 0 {
		return Silence{}, fmt.Errorf("mute duration %s: must be positive", d)
	}
	return b.Mute(m, now.Add(d), false, who, why, now)
}

// Unmute removes the silence with the given id; alerts it muted that are
// still firing and were never notified notify now.
func (b *Book) Unmute(id string, now time.Time) error { return b.UnmuteBy(id, "", now) }

// UnmuteBy is Unmute attributed to who (default Options.User): a team
// hub's user expiring a silence.
func (b *Book) UnmuteBy(id, who string, now time.Time) error {
	if who == "" {
		who = b.opts.User
	}
	now = b.advance(now)
	i := slices.IndexFunc(b.silences, func(s *Silence) bool { return s.ID == id })
	if i < 0 {
		return fmt.Errorf("no silence %q (see the silences list for ids)", id)
	}
	s := b.silences[i]
	b.removeSilence(i)
	b.remember(s, who, now)
	b.log.add(Event{At: now, Kind: EvUnmuted, Who: who, Text: s.ID + " removed by " + who + ": " + s.Matcher.String()})
	b.Tick(now)
	return nil
}

// Silences returns copies of the silences in force, oldest first.
func (b *Book) Silences() []Silence {
	out := make([]Silence, len(b.silences))
	for i, s := range b.silences {
		out[i] = *s
	}
	return out
}

// removeSilence deletes silence i.
func (b *Book) removeSilence(i int) {
	b.silences = slices.Delete(b.silences, i, i+1)
	b.version++
	b.changes++
}

// expireSilences drops silences whose time is up, and until-resolved
// silences none of whose alerts is still active.
func (b *Book) expireSilences(now time.Time) {
	for i := 0; i < len(b.silences); {
		s := b.silences[i]
		why := ""
		switch {
		case s.UntilResolved && !b.anyActive(s.Alerts):
			why = "its alerts resolved"
		case !s.UntilResolved && !now.Before(s.Ends):
			why = "its time ran out"
		}
		if why == "" {
			i++
			continue
		}
		b.removeSilence(i) // each process expires its own: nothing to remember
		b.log.add(Event{At: now, Kind: EvSilenceExpired, Who: s.Who, Text: s.ID + " (" + s.Matcher.String() + ") expired: " + why})
	}
}

// anyActive reports whether an alert with one of the ids is active,
// restored and waiting for its finding, or resolved but still in its
// re-open window (the same incident may come back).
func (b *Book) anyActive(ids []string) bool {
	for _, id := range ids {
		if b.waitingFor(id) != "" {
			return true
		}
	}
	return false
}

// waitingFor says what became of the alert with this id for an
// until-resolved silence: "" once it is over, else its state.
func (b *Book) waitingFor(id string) string {
	key, _, _ := cutLast(id, '#')
	for _, m := range []map[string]*Alert{b.active, b.restored, b.closing} {
		if a := m[key]; a != nil && a.ID == id {
			return a.Status()
		}
	}
	return ""
}

// refreshFlags recomputes which silences mute an alert and what inhibits it.
func (b *Book) refreshFlags(now time.Time, a *Alert) {
	var by []string
	for _, s := range b.silences {
		if s.Mutes(a) {
			by = append(by, s.ID)
		}
	}
	inh := b.inhibitor(now, a)
	if !slices.Equal(by, a.SilencedBy) || inh != a.InhibitedBy {
		a.SilencedBy, a.InhibitedBy = by, inh
		b.version++
	}
}

// cutLast splits s around the last sep.
func cutLast(s string, sep byte) (before, after string, found bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// Delivered records a Notifier report in the event log, at the Book's
// time (the report's own wall-clock time is in d.At).
func (b *Book) Delivered(d Delivery) {
	kind, text := EvNotified, fmt.Sprintf("%s sent to %s", d.Kind, d.Webhook)
	switch {
	case d.Dropped:
		kind, text = EvNotifyFailed, fmt.Sprintf("%s to %s dropped: %s", d.Kind, d.Webhook, d.Err)
	case !d.OK && d.Retrying:
		kind, text = EvNotifyFailed, fmt.Sprintf("%s to %s failed (attempt %d, retrying): %s", d.Kind, d.Webhook, d.Attempt, d.Err)
	case !d.OK:
		kind, text = EvNotifyFailed, fmt.Sprintf("%s to %s failed, gave up after attempt %d: %s", d.Kind, d.Webhook, d.Attempt, d.Err)
	}
	e := Event{At: b.now, Kind: kind, Key: d.Key, Text: text}
	if a := b.active[d.Key]; a != nil {
		e.Rule, e.Severity, e.Subject, e.Name = a.Rule, a.Severity, a.Subject, a.ParticipantName
		firing := d.Kind == NotifyFiring || d.Kind == NotifyRepeat
		switch {
		case firing && d.OK:
			a.NotifyFailures = 0
		case firing && !d.Retrying:
			b.retryLater(a)
			e.Text += fmt.Sprintf("; posting again at %s", Stamp(a.RetryAt))
		}
	}
	b.log.add(e)
	b.version++
}

// retryLater marks a firing alert whose post was given up on as not
// posted, to be posted again after a backoff (1 m, doubling, at most
// RenotifyEvery or 30 m), so it is never taken as posted when it was not.
func (b *Book) retryLater(a *Alert) {
	a.Notified, a.NotifyFailures = false, a.NotifyFailures+1
	wait := time.Minute << min(a.NotifyFailures-1, 5)
	limit := b.opts.RenotifyEvery
	if limit <= 0 {
		limit = 30 * time.Minute
	}
	a.RetryAt = b.now.Add(min(wait, limit))
	b.changes++
}
