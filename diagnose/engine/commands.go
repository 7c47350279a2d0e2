package engine

import "time"

// Focus asks for callID's detail (Snapshot.Focus) in the next frames;
// "" stops following a call.
func (e *Engine) Focus(callID string) {
	e.send(func(l *loop) { l.focus = callID })
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
func (e *Engine) ReplaySeek(d time.Duration) {
	e.send(func(l *loop) {
		if l.replay != nil {
			l.replay.seek(l, d, time.Now())
		}
	})
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
