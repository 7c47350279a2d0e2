package alert

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Two processes on one state directory (a TUI and a watch) share what
// people did: silences, their removal, acks and un-acks. Each process
// keeps its own alert lifecycle; the state file carries the people's
// actions, and Merge takes in those another process made.

// keepActions is how long removed silences and ack actions are remembered
// for merging.
const keepActions = 24 * time.Hour

// Removed records a silence removed by hand or expired, so that a process
// that still holds it drops it too.
type Removed struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Who     string    `json:"who,omitempty"`
	At      time.Time `json:"at"`
}

// AckAction is the latest acknowledgement or un-acknowledgement of an
// alert key by a person.
type AckAction struct {
	Key   string    `json:"key"`
	Who   string    `json:"who"`
	Note  string    `json:"note,omitempty"`
	At    time.Time `json:"at"`
	Unack bool      `json:"unack,omitempty"`
}

// sameSilence reports whether two silences are the same one: ids are
// given by each process, so the creation time and author tell them apart.
func sameSilence(a *Silence, id string, created time.Time) bool {
	return a.ID == id && a.Created.Equal(created)
}

// remember records a removed silence.
func (b *Book) remember(s *Silence, who string, now time.Time) {
	b.removed = append(b.removed, Removed{ID: s.ID, Created: s.Created, Who: who, At: now})
}

// recordAck records a person's ack or un-ack of key.
func (b *Book) recordAck(act AckAction) { b.acks[act.Key] = act }

// pruneActions forgets removals and ack actions older than keepActions.
func (b *Book) pruneActions(now time.Time) {
	b.removed = slices.DeleteFunc(b.removed, func(r Removed) bool { return now.Sub(r.At) > keepActions })
	for k, a := range b.acks {
		if now.Sub(a.At) > keepActions {
			delete(b.acks, k)
		}
	}
}

// Merge takes in the people's actions from another process's state:
// silences it made, silences it removed, and acks and un-acks newer than
// this Book's. The alert lifecycle (states, history, notifications) stays
// this Book's own. It reports whether anything changed.
func (b *Book) Merge(p Persisted, now time.Time) bool {
	now = b.advance(now)
	before := b.changes
	for _, r := range p.Removed {
		b.mergeRemoved(now, r)
	}
	for i := range p.Silences {
		b.mergeSilence(now, p.Silences[i])
	}
	for _, act := range p.Acks {
		b.mergeAck(now, act)
	}
	b.silenceSeq = max(b.silenceSeq, p.SilenceSeq)
	if b.changes == before {
		return false
	}
	for _, a := range b.active {
		b.refreshFlags(now, a)
	}
	b.Tick(now)
	return true
}

// mergeRemoved drops a silence another process removed.
func (b *Book) mergeRemoved(now time.Time, r Removed) {
	if slices.ContainsFunc(b.removed, func(x Removed) bool { return x.ID == r.ID && x.Created.Equal(r.Created) }) {
		return
	}
	b.removed = append(b.removed, r)
	b.changes++
	if i := slices.IndexFunc(b.silences, func(s *Silence) bool { return sameSilence(s, r.ID, r.Created) }); i >= 0 {
		b.removeSilence(i)
		b.log.add(Event{At: now, Kind: EvUnmuted, Who: r.Who, Text: r.ID + " removed in another calltop"})
	}
}

// mergeSilence adds a silence another process made, unless it is known or
// was removed; one whose id this Book already gave to another silence is
// renamed the same way in every process (the later one gets a suffix).
func (b *Book) mergeSilence(now time.Time, s Silence) {
	if slices.ContainsFunc(b.silences, func(x *Silence) bool { return sameSilence(x, s.ID, s.Created) }) ||
		slices.ContainsFunc(b.removed, func(x Removed) bool { return x.ID == s.ID && x.Created.Equal(s.Created) }) {
		return
	}
	if !s.UntilResolved && !now.Before(s.Ends) {
		return // over already
	}
	if s.UntilResolved {
		if s.Alerts = b.idsOf(s.Keys); len(s.Alerts) == 0 {
			return // none of its alerts is here (yet): nothing to mute
		}
	}
	if i := slices.IndexFunc(b.silences, func(x *Silence) bool { return x.ID == s.ID }); i >= 0 {
		renameLater(b.silences[i], &s)
	}
	b.silences = append(b.silences, &s)
	b.version++
	b.changes++
	b.log.add(Event{At: now, Kind: EvMuted, Who: s.Who, Text: fmt.Sprintf("%s muted %s in another calltop", s.ID, s.Describe(now))})
}

// idsOf returns this Book's ids of the alerts with these keys (active,
// restored or in their re-open window).
func (b *Book) idsOf(keys []string) []string {
	var ids []string
	for _, k := range keys {
		for _, m := range []map[string]*Alert{b.active, b.restored, b.closing} {
			if a := m[k]; a != nil {
				ids = append(ids, a.ID)
				break
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// renameLater gives the later of two silences that got the same id in two
// processes a suffix, the same in every process.
func renameLater(x, y *Silence) {
	if y.Created.Before(x.Created) {
		x, y = y, x
	}
	y.ID += "-" + strconv.FormatInt(y.Created.UnixMilli()%1000000, 36)
}

// WithActions returns p with the people's actions in q added (q's
// silences, removals and newer acks), for a process about to save over a
// file another process changed since it last read it. p's alerts and
// history are kept as they are.
func (p Persisted) WithActions(q Persisted) Persisted {
	out := p
	out.SilenceSeq = max(p.SilenceSeq, q.SilenceSeq)
	out.Removed = append([]Removed(nil), p.Removed...)
	gone := func(id string, created time.Time) bool {
		return slices.ContainsFunc(out.Removed, func(r Removed) bool { return r.ID == id && r.Created.Equal(created) })
	}
	for _, r := range q.Removed {
		if !gone(r.ID, r.Created) {
			out.Removed = append(out.Removed, r)
		}
	}
	out.Silences = nil
	for _, s := range append(append([]Silence(nil), p.Silences...), q.Silences...) {
		if gone(s.ID, s.Created) || slices.ContainsFunc(out.Silences, func(x Silence) bool { return sameSilence(&x, s.ID, s.Created) }) {
			continue
		}
		if i := slices.IndexFunc(out.Silences, func(x Silence) bool { return x.ID == s.ID }); i >= 0 {
			renameLater(&out.Silences[i], &s)
		}
		out.Silences = append(out.Silences, s)
	}
	latest := map[string]AckAction{}
	for _, act := range append(append([]AckAction(nil), p.Acks...), q.Acks...) {
		if cur, ok := latest[act.Key]; !ok || act.At.After(cur.At) {
			latest[act.Key] = act
		}
	}
	out.Acks = out.Acks[:0:0]
	for _, act := range latest {
		out.Acks = append(out.Acks, act)
	}
	slices.SortFunc(out.Acks, func(x, y AckAction) int { return x.At.Compare(y.At) })
	return out
}

// mergeAck applies an ack or un-ack made in another process, if newer.
func (b *Book) mergeAck(now time.Time, act AckAction) {
	if mine, ok := b.acks[act.Key]; ok && !act.At.After(mine.At) {
		return
	}
	b.acks[act.Key] = act
	b.changes++
	a := b.active[act.Key]
	if a == nil || a.State == Pending {
		return
	}
	switch {
	case act.Unack && a.State == Acknowledged:
		a.State, a.Ack = Firing, nil
		b.log.add(alertEvent(now, EvUnacked, a, "acknowledgement withdrawn by "+act.Who+" in another calltop"))
	case !act.Unack && (a.Ack == nil || !a.Ack.At.Equal(act.At)):
		a.State, a.Ack = Acknowledged, &Ack{Who: act.Who, Note: act.Note, At: act.At}
		b.log.add(alertEvent(now, EvAcked, a, "acknowledged by "+act.Who+" in another calltop"))
	}
	b.version++
}
