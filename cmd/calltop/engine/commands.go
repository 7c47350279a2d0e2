package engine

import (
	"errors"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
)

// Focus asks for callID's detail (Snapshot.Focus) in the next frames;
// "" stops following a call.
func (e *Engine) Focus(callID string) {
	e.send(func(l *loop) {
		l.focus = callID
		if l.view != nil {
			l.view.setOpen(l, callID)
		}
	})
}

// ReplayPause pauses (true) or resumes (false) a replay.
func (e *Engine) ReplayPause(paused bool) {
	e.send(func(l *loop) {
		if l.replay != nil {
			l.replay.pause(l, paused, time.Now())
		}
	})
}

// ReplayTogglePause pauses a playing replay and resumes a paused one.
func (e *Engine) ReplayTogglePause() {
	e.send(func(l *loop) {
		if l.replay != nil {
			l.replay.pause(l, !l.replay.paused, time.Now())
		}
	})
}

// ReplaySeek moves a replay by d (negative: back), within its bounds.
// Seeks asked for before the engine gets to them add up into one (a seek
// back re-applies the recording from its start, so three presses of left
// cost one replay, not three).
func (e *Engine) ReplaySeek(d time.Duration) {
	e.seekBy.Add(int64(d))
	if e.seekQueued.Swap(true) {
		return
	}
	if !e.send(func(l *loop) {
		e.seekQueued.Store(false)
		d := time.Duration(e.seekBy.Swap(0))
		if l.replay != nil && d != 0 {
			l.replay.seek(l, d, time.Now())
		}
	}) {
		e.seekQueued.Store(false)
	}
}

// ReplaySpeed sets a replay's speed (a multiple of the recorded pace).
func (e *Engine) ReplaySpeed(speed float64) {
	e.send(func(l *loop) {
		if l.replay != nil {
			l.replay.setSpeed(l, speed, time.Now())
		}
	})
}

// ReplaySpeedStep moves a replay's speed one step of Speeds up (dir > 0)
// or down (dir < 0).
func (e *Engine) ReplaySpeedStep(dir int) {
	e.send(func(l *loop) {
		if l.replay != nil {
			l.replay.setSpeed(l, stepSpeed(l.replay.speed, dir), time.Now())
		}
	})
}

// Ack acknowledges the active alert with this key, as the OS user, with
// an optional note. A refusal (no such alert, still pending) goes to the
// event log.
func (e *Engine) Ack(alertKey, note string) {
	e.send(func(l *loop) {
		l.bookAction(func(b *alert.Book, now time.Time) error {
			return b.Ack(alertKey, "", note, now)
		})
	})
}

// Unack withdraws the acknowledgement of the alert with this key: it
// fires again, and repeat notifications resume.
func (e *Engine) Unack(alertKey string) {
	e.send(func(l *loop) {
		l.bookAction(func(b *alert.Book, now time.Time) error {
			return b.Unack(alertKey, "", now)
		})
	})
}

// Mute silences the alerts m selects for d, or until every alert it mutes
// now has resolved when untilResolved is set.
func (e *Engine) Mute(m alert.Matcher, d time.Duration, untilResolved bool, note string) {
	e.send(func(l *loop) {
		l.bookAction(func(b *alert.Book, now time.Time) error {
			if untilResolved {
				_, err := b.Mute(m, time.Time{}, true, "", note, now)
				return err
			}
			_, err := b.MuteFor(m, d, "", note, now)
			return err
		})
	})
}

// Unmute removes the silence with this id.
func (e *Engine) Unmute(silenceID string) {
	e.send(func(l *loop) {
		l.bookAction(func(b *alert.Book, now time.Time) error {
			return b.Unmute(silenceID, now)
		})
	})
}

// bookAction runs a user's action on the book (loop.act) and notes a
// refusal in the event log.
func (l *loop) bookAction(act func(*alert.Book, time.Time) error) {
	if err := l.act(act); err != nil && l.book != nil && !errors.Is(err, errNoData) {
		l.book.Note(l.bookNow(), err.Error())
	}
}
