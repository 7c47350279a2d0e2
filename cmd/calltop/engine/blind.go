package engine

import (
	"time"
)

// While the feed is down no data moves the book's clock, so the engine
// ticks it on the wall clock once a second: a feed-down alert fires after
// its grace, and the alert pane's ages go on. And a watch that never got
// any data (the hub down at start, a wrong URL, an untrusted certificate,
// a hello without a time) is blind: after BlindAfter it raises feed-down
// on the wall clock, so it pages instead of staying silent.

// downTick is how often the book is ticked while the feed is down.
const downTick = time.Second

// watchdog holds the timers of the feed-down clock and blind detection.
type watchdog struct {
	tick    *time.Ticker
	ticking bool
	blind   *time.Timer
	isBlind bool // feed-down was raised on the wall clock, before any data
}

func newWatchdog(blindAfter time.Duration) watchdog {
	w := watchdog{tick: time.NewTicker(time.Hour)}
	w.tick.Stop()
	if blindAfter > 0 {
		w.blind = time.NewTimer(blindAfter)
	}
	return w
}

// tickC and blindC are the timers' channels, nil while not running.
func (w *watchdog) tickC() <-chan time.Time {
	if !w.ticking {
		return nil
	}
	return w.tick.C
}

func (w *watchdog) blindC() <-chan time.Time {
	if w.blind == nil {
		return nil
	}
	return w.blind.C
}

// ticking starts or stops the once-a-second book tick.
func (w *watchdog) setTicking(on bool) {
	if on == w.ticking {
		return
	}
	w.ticking = on
	if on {
		w.tick.Reset(downTick)
	} else {
		w.tick.Stop()
	}
}

func (w *watchdog) stop() {
	w.tick.Stop()
	if w.blind != nil {
		w.blind.Stop()
	}
}

// sawData ends blind detection: data came.
func (w *watchdog) sawData() {
	if w.blind != nil {
		w.blind.Stop()
		w.blind = nil
	}
}

// blindNow raises feed-down on the wall clock when no data has come
// since the start.
func (l *loop) blindNow() {
	l.dog.blind = nil
	if l.book == nil || !l.dataNow.IsZero() || !l.mon.Now().IsZero() {
		return
	}
	reason := "no data since calltop started"
	if l.feed.Reason != "" {
		reason += ": " + l.feed.Reason
	} else if l.feed.State != "" {
		reason += " (feed " + l.feed.State + ")"
	}
	now := time.Now()
	l.keep.restore(l.book, now)
	l.book.FeedDown(now, reason)
	l.dog.isBlind, l.feedDown = true, true
	l.dog.setTicking(true)
	l.keep.save(l.book, false)
	l.changed()
}

// downTicked moves the book on while the feed is down.
func (l *loop) downTicked() {
	if l.book == nil {
		return
	}
	now := l.bookNow()
	if l.dog.isBlind {
		now = time.Now()
	}
	if now.IsZero() {
		return
	}
	l.book.Tick(now)
	l.keep.save(l.book, false)
	l.changed()
}
