package engine

import (
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// A restarted hub or a replaced feed is not an incident: a participant is
// stale only once it has been seen live on the current connection. The
// epoch is the data time of the first message after the connection went
// live; participants whose last stats are from before it are not stale
// yet, whatever their age.
type epoch struct {
	since   time.Time // data time the current connection's data began at
	waiting bool      // the connection is live; its first message sets since
}

// connected notes that the feed went live on a new connection.
func (e *epoch) connected() { e.waiting = true }

// applied notes a message applied at data time now.
func (e *epoch) applied(now time.Time) {
	if e.waiting {
		e.since, e.waiting = now, false
	}
}

// stale returns the participants whose stats stopped for at least after
// and who sent stats on the current connection: the Monitor's stale list
// minus those silent since before the epoch (no diagnose change needed:
// both are its StaleParticipants).
func (e *epoch) stale(mon Monitor, after time.Duration) []diagnose.Subject {
	out := mon.StaleParticipants(after)
	if len(out) == 0 || e.since.IsZero() {
		return out
	}
	sinceEpoch := mon.Now().Sub(e.since)
	if sinceEpoch <= after {
		return nil // nobody seen on this connection can have stopped for after yet
	}
	before := map[diagnose.Subject]bool{}
	for _, s := range mon.StaleParticipants(sinceEpoch) {
		before[s] = true
	}
	kept := out[:0]
	for _, s := range out {
		if !before[s] {
			kept = append(kept, s)
		}
	}
	return kept
}

// namer looks rooms and names up in the Monitor's snapshot, indexed on
// first use; the Book asks only about alerts that lack them.
func (l *loop) namer() alert.Namer {
	var byKey map[string]*diagnose.CallSummary
	return func(callID, participantID string) (room, name string) {
		if byKey == nil {
			snap := l.mon.Snapshot(l.focus)
			byKey = make(map[string]*diagnose.CallSummary, len(snap.Calls))
			for _, c := range snap.Calls {
				byKey[c.Key] = c
			}
		}
		c := byKey[callID]
		if c == nil {
			return "", ""
		}
		for _, p := range c.People {
			if p.ID == participantID {
				return c.Room, p.Name
			}
		}
		return c.Room, ""
	}
}
