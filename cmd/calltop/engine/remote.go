package engine

import (
	"errors"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
)

// RemoteBook is an alert book kept elsewhere: a team hub's, whose picture
// comes on the feed as team frames (feed.TypeTeamAlerts and the answers to
// commands). With Options.Remote set the engine keeps no book of its own;
// frames carry the remote book's picture.
type RemoteBook interface {
	// Take reads one team frame from the feed (delivered as an unknown
	// type) and reports whether the picture changed. Called on the
	// engine's goroutine.
	Take(frame []byte) bool
	// Snapshot returns the current picture of the remote book.
	Snapshot() alert.Snapshot
}

// takeRemote hands a frame of an unknown type to the remote book.
func (l *loop) takeRemote(ev feed.Event) {
	r := l.e.opts.Remote
	for _, f := range ev.Frames {
		if l.takeView(f) || r == nil {
			continue
		}
		if r.Take(f) {
			l.changed()
		}
	}
}

// findingsEvery is how often, at most, Options.Findings puts the open
// findings in a frame: listing and sorting them costs too much for every
// frame of a big feed, and a team hub streams them at this pace.
const findingsEvery = time.Second

// errNoBook and errNoData are Act's refusals when there is nothing to act on.
var (
	errNoBook = errors.New("no alert book")
	errNoData = errors.New("no data yet: no stats have arrived, so there is no alert to act on")
)

// Act runs act on the book on the engine's goroutine, at the book's time,
// saves the state at once and calls done (on that goroutine; it must not
// block) with act's error, or why it could not run. It reports false,
// calling nothing, when the command queue is full.
func (e *Engine) Act(act func(b *alert.Book, now time.Time) error, done func(error)) bool {
	return e.send(func(l *loop) { done(l.act(act)) })
}

// act runs a user's action on the book at the book's time and saves the
// state at once.
func (l *loop) act(act func(*alert.Book, time.Time) error) error {
	if l.book == nil {
		return errNoBook
	}
	now := l.bookNow()
	if now.IsZero() {
		return errNoData
	}
	l.keep.restore(l.book, now)
	err := act(l.book, now)
	l.keep.save(l.book, true)
	return err
}
