package alert

import (
	"slices"
	"strings"
	"time"
)

// Snapshot is an immutable picture of the Book for the alert pane and the
// event log pane. The Book never changes a Snapshot it has handed out.
type Snapshot struct {
	// Now is the Book's time when the snapshot was taken.
	Now time.Time
	// Active holds pending, firing and acknowledged alerts (muted and
	// inhibited ones included, see Alert.Status): unacknowledged firing
	// first, then acknowledged, then pending; worst severity first, then
	// oldest first.
	Active []Alert
	// History holds resolved alerts, newest first (bounded).
	History []Alert
	// Silences are the silences in force, oldest first, with time left.
	Silences []SilenceStatus
	// Counts summarises Active.
	Counts Counts
	// FeedDown is true while the feed-down alert is active.
	FeedDown bool
	// Events is the recent event log, oldest first (shared between
	// snapshots: read only); LastEvent is the newest event's sequence
	// number.
	Events    []Event
	LastEvent uint64
	// Whole, when not nil, counts the whole book of which Active holds
	// only the first (worst) alerts: a team hub's picture is cut to fit a
	// frame at a fleet's size, and a view client's to what its pane shows.
	Whole *Whole
}

// Whole counts the open alerts of a book whose picture was cut.
type Whole struct {
	// Active is how many open alerts there are in all.
	Active int
	// Alerting counts the firing alerts neither muted nor inhibited, by
	// severity (indexed by diagnose.Severity).
	Alerting [4]int
}

// SilenceStatus is a silence with what it does now.
type SilenceStatus struct {
	Silence
	// Left is the time left (0 for until-resolved silences).
	Left time.Duration
	// Muting counts the active alerts it mutes now.
	Muting int
	// Waiting lists, for an until-resolved silence, the alerts it still
	// waits for and their state ("firing", "resolved" while one may
	// re-open), e.g. "loss-inbound@c1/p1//0 (firing)".
	Waiting []string
}

// Counts summarises the active alerts. Muted and Inhibited overlap the
// state counts.
type Counts struct {
	Pending, Firing, Acknowledged, Muted, Inhibited int
}

// Snapshot returns the current picture; it is cached until something
// changes, so calling it every frame is cheap.
func (b *Book) Snapshot() Snapshot {
	if b.cache != nil && b.cache.Now.Equal(b.now) && b.cache.LastEvent == b.log.seq && b.cacheVersion == b.version {
		return *b.cache
	}
	s := Snapshot{Now: b.now, FeedDown: b.active[feedDownKey] != nil, LastEvent: b.log.seq}
	s.Active = make([]Alert, 0, len(b.active))
	for _, a := range b.active {
		s.Active = append(s.Active, *a)
		s.Counts.add(a)
	}
	slices.SortFunc(s.Active, compareActive)
	s.History = make([]Alert, len(b.history))
	for i := range b.history {
		s.History[len(b.history)-1-i] = b.history[i]
	}
	for _, sil := range b.silences {
		st := SilenceStatus{Silence: *sil, Left: sil.Left(b.now)}
		for _, id := range sil.Alerts {
			if state := b.waitingFor(id); state != "" {
				key, _, _ := cutLast(id, '#')
				st.Waiting = append(st.Waiting, key+" ("+state+")")
			}
		}
		for _, a := range b.active {
			if slices.Contains(a.SilencedBy, sil.ID) {
				st.Muting++
			}
		}
		s.Silences = append(s.Silences, st)
	}
	s.Events = b.log.recent()
	b.cache, b.cacheVersion = &s, b.version
	return s
}

// add counts one active alert.
func (c *Counts) add(a *Alert) {
	switch a.State {
	case Pending:
		c.Pending++
	case Firing:
		c.Firing++
	case Acknowledged:
		c.Acknowledged++
	}
	if a.Muted() {
		c.Muted++
	}
	if a.Inhibited() {
		c.Inhibited++
	}
}

// compareActive orders the alert pane: state rank, severity, start, key.
func compareActive(x, y Alert) int {
	rank := func(a *Alert) int {
		switch {
		case a.State == Firing && !a.Muted() && !a.Inhibited():
			return 0
		case a.State == Firing:
			return 1
		case a.State == Acknowledged:
			return 2
		}
		return 3
	}
	if r := rank(&x) - rank(&y); r != 0 {
		return r
	}
	if x.Severity != y.Severity {
		return int(y.Severity) - int(x.Severity)
	}
	if c := x.Start.Compare(y.Start); c != 0 {
		return c
	}
	return strings.Compare(x.Key, y.Key)
}
