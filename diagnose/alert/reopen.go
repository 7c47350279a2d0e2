package alert

import (
	"fmt"
	"slices"
	"time"
)

// Hysteresis: an alert that resolves and fires again within Options.Reopen
// re-opens the same incident (the alert comes back with its id, its ack and
// a flap count) and posts nothing. So that chat never reads "resolved" for
// an incident that is back a minute later, the resolved notification of a
// fired alert is held for that window and posted once it has passed. An
// alert that has flapped already gets a longer window (Reopen times one
// plus its flaps, at most four times): the more it flapped, the longer it
// must stay quiet before it counts as over.

// maxWindowFactor caps how far flaps stretch the re-open window.
const maxWindowFactor = 4

// window is the re-open window of a resolved alert.
func (b *Book) window(a *Alert) time.Duration {
	return b.opts.Reopen * time.Duration(min(1+a.Flaps, maxWindowFactor))
}

// closeWindow puts a resolved alert in its re-open window, holding its
// resolved notification; with no window it is posted at once.
func (b *Book) closeWindow(now time.Time, a *Alert, note string) {
	if b.opts.Reopen <= 0 {
		if a.Notified {
			b.send(now, NotifyResolved, a, note)
		}
		return
	}
	a.ResolveDue = a.Notified
	b.closing[a.Key] = a
}

// reopen brings back the alert with this key if it resolved within the
// window, and returns it (nil otherwise).
func (b *Book) reopen(now time.Time, key string) *Alert {
	a := b.closing[key]
	if a == nil || now.Sub(a.End) >= b.window(a) {
		return nil
	}
	delete(b.closing, key)
	if i := slices.IndexFunc(b.history, func(h Alert) bool { return h.ID == a.ID }); i >= 0 {
		b.history = slices.Delete(b.history, i, i+1)
	}
	gap := now.Sub(a.End).Round(time.Second)
	a.State, a.End, a.ResolveDue = Firing, time.Time{}, false
	if a.Ack != nil {
		a.State = Acknowledged
	}
	a.Flaps++
	a.Note = fmt.Sprintf("re-opened %s after it resolved (flap %d)", gap, a.Flaps)
	b.active[key] = a
	b.version++
	b.changes++
	b.log.add(alertEvent(now, EvReopened, a, a.Note+": "+a.Message))
	return a
}

// closeWindows ends the re-open windows that have passed, posting the
// resolved notifications they held.
func (b *Book) closeWindows(now time.Time) {
	for _, a := range b.closingOrdered() {
		if now.Sub(a.End) < b.window(a) {
			continue
		}
		delete(b.closing, a.Key)
		if a.ResolveDue {
			a.ResolveDue = false
			b.setHistoryFlag(a.ID)
			b.send(now, NotifyResolved, a, a.Note)
		}
	}
}

// setHistoryFlag clears the held flag on the history copy of alert id.
func (b *Book) setHistoryFlag(id string) {
	if i := slices.IndexFunc(b.history, func(h Alert) bool { return h.ID == id }); i >= 0 {
		b.history[i].ResolveDue = false
	}
}

// closingOrdered returns the alerts in their re-open window, oldest end
// first, so held notifications go out in the order the alerts resolved.
func (b *Book) closingOrdered() []*Alert {
	out := make([]*Alert, 0, len(b.closing))
	for _, a := range b.closing {
		out = append(out, a)
	}
	sortByTime(out, func(a *Alert) time.Time { return a.End })
	return out
}

// StartOver is a replay starting again from its beginning (data time goes
// back to an earlier pass's times): every alert from findings resolves at
// the book's current time with note "replay started over", and no re-open
// window is kept, so the next pass's alerts are new incidents rather than
// flaps of the last pass's. Held resolved notifications go out now. Then
// the book's clock moves to now.
func (b *Book) StartOver(now time.Time) {
	end := b.now
	for _, a := range b.ordered(func(a *Alert) bool { return sourceOf(a.Rule) == fromFindings }) {
		b.resolve(end, a, "replay started over")
	}
	for _, a := range b.closingOrdered() {
		delete(b.closing, a.Key)
		if a.ResolveDue {
			a.ResolveDue = false
			b.setHistoryFlag(a.ID)
			b.send(end, NotifyResolved, a, a.Note)
		}
	}
	b.advance(now)
}
