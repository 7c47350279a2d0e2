package alert

import (
	"fmt"
	"slices"
	"time"
)

// StateVersion is the version of the state file format.
const StateVersion = 1

// Persisted is what the state file holds: firing and acknowledged alerts
// (with their acks), silences and the resolved history. Times are in the
// Book's clock.
type Persisted struct {
	Version    int       `json:"version"`
	Saved      time.Time `json:"saved"`
	AlertSeq   uint64    `json:"alertSeq"`
	SilenceSeq uint64    `json:"silenceSeq"`
	Active     []Alert   `json:"active"`
	Silences   []Silence `json:"silences"`
	History    []Alert   `json:"history"`
	// Removed and Acks are people's actions, for another process on the
	// same state directory to take in (Book.Merge).
	Removed []Removed   `json:"removed,omitempty"`
	Acks    []AckAction `json:"acks,omitempty"`
}

// Persist returns the state to save: fired alerts (pending ones are not
// worth keeping; advice and evidence are left out), silences and history. Alerts restored at start that
// have not come back yet are kept too.
func (b *Book) Persist() Persisted {
	p := Persisted{Version: StateVersion, Saved: b.now, AlertSeq: b.alertSeq, SilenceSeq: b.silenceSeq,
		Active: []Alert{}, Silences: b.Silences(), History: append([]Alert{}, b.history...),
		Removed: append([]Removed(nil), b.removed...)}
	for _, act := range b.acks {
		p.Acks = append(p.Acks, act)
	}
	slices.SortFunc(p.Acks, func(x, y AckAction) int { return x.At.Compare(y.At) })
	for _, m := range []map[string]*Alert{b.active, b.restored} {
		for _, a := range m {
			if a.State != Pending {
				c := *a
				// Advice and evidence come back with the finding; leaving
				// them out keeps saves small when thousands of alerts fire.
				c.Advice, c.Evidence = "", nil
				p.Active = append(p.Active, c)
			}
		}
	}
	slices.SortFunc(p.Active, func(x, y Alert) int { return x.Start.Compare(y.Start) })
	return p
}

// Restore loads a saved state into an empty Book at now (the start).
// Silences and history come back at once; saved alerts wait up to
// RestoreGrace for their finding (or feed/stale condition) to come back,
// keeping their ack and notification record, and resolve otherwise.
func (b *Book) Restore(p Persisted, now time.Time) error {
	if p.Version != StateVersion {
		return fmt.Errorf("state version %d, want %d", p.Version, StateVersion)
	}
	if len(b.active) > 0 || len(b.silences) > 0 || len(b.history) > 0 {
		return fmt.Errorf("restore into a Book that already holds alerts")
	}
	now = b.advance(now)
	b.alertSeq, b.silenceSeq = p.AlertSeq, p.SilenceSeq
	for i := range p.Silences {
		s := p.Silences[i]
		b.silences = append(b.silences, &s)
	}
	b.history = append(b.history, p.History...)
	b.removed = append(b.removed, p.Removed...)
	for _, act := range p.Acks {
		b.acks[act.Key] = act
	}
	for _, h := range b.history { // newest first
		// Its resolved post was held when calltop stopped, or it resolved
		// within its re-open window: an until-resolved silence still waits
		// for it, as in the process that saved it, and it may re-open.
		if b.closing[h.Key] == nil && (h.ResolveDue || (b.opts.Reopen > 0 && now.Sub(h.End) < b.window(&h))) {
			b.closing[h.Key] = &h
		}
	}
	for i := range p.Active {
		a := p.Active[i]
		if a.State == Pending || a.State == Resolved || a.Key == "" {
			continue
		}
		b.restored[a.Key] = &a
	}
	b.restoreDeadline = now.Add(b.opts.RestoreGrace)
	b.version++
	b.log.add(Event{At: now, Kind: EvRestored, Text: fmt.Sprintf(
		"restored %s (%d acknowledged), %s, %d resolved from the state file",
		Plural(len(b.restored), "alert"), countAcked(b.restored), Plural(len(b.silences), "silence"), len(b.history))})
	b.Tick(now)
	return nil
}

// countAcked counts acknowledged alerts.
func countAcked(m map[string]*Alert) int {
	n := 0
	for _, a := range m {
		if a.State == Acknowledged {
			n++
		}
	}
	return n
}

// reclaim makes a restored alert active again when its condition returns.
func (b *Book) reclaim(now time.Time, key string) *Alert {
	a := b.restored[key]
	if a == nil {
		return nil
	}
	delete(b.restored, key)
	b.active[key] = a
	b.version++
	b.log.add(alertEvent(now, EvRestored, a, "still "+string(a.State)+" after restart: "+a.Message))
	return a
}

// expireRestored resolves restored alerts whose condition did not come
// back within RestoreGrace.
func (b *Book) expireRestored(now time.Time) {
	if len(b.restored) == 0 {
		return
	}
	if now.Before(b.restoreDeadline.Add(-b.opts.RestoreGrace)) {
		// The clock went back before the restore (wall time, then older
		// data time): give the alerts their grace in the new clock.
		b.restoreDeadline = now.Add(b.opts.RestoreGrace)
	}
	if now.Before(b.restoreDeadline) {
		return
	}
	for key, a := range b.restored {
		delete(b.restored, key)
		b.active[key] = a
		b.resolve(now, a, "cleared while calltop was stopped or did not come back after restart")
	}
}

// Restored returns copies of the alerts restored from the state file that
// are still waiting for their condition to come back.
func (b *Book) Restored() []Alert {
	out := make([]Alert, 0, len(b.restored))
	for _, a := range b.restored {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(x, y Alert) int { return x.Start.Compare(y.Start) })
	return out
}
