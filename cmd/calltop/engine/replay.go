package engine

import (
	"fmt"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/recording"
)

// Speeds are the replay speed steps that ReplaySpeedStep moves between.
var Speeds = []float64{0.5, 1, 2, 4, 8, 16}

// replayBatch bounds how many records one replay tick applies before the
// loop looks at commands again.
const replayBatch = 4096

// Replay is a recording or dump to play at its recorded spacing.
type Replay struct {
	// Records in the order they were received.
	Records []recording.Record
	// Speed multiplies the recorded pace (default 1).
	Speed float64
	// Problems counts the file's lines that could not be read, and
	// LastProblem says why the last one was refused; both reach the header.
	Problems    int
	LastProblem string
	// Loop starts over from the beginning at the end (each pass takes at
	// least a second, so a recording of an instant does not spin).
	Loop bool
	// From starts the replay this far into the recording.
	From time.Duration
}

// minReplayPass is the least wall time one looping pass takes.
const minReplayPass = time.Second

// replayer plays a Replay inside the engine goroutine.
type replayer struct {
	recs []recording.Record
	at   []time.Time // Recv made non-decreasing
	next int         // index of the next record to apply
	seen int         // records applied at least once (bad frames counted once)
	pipe feed.Pipeline
	loop bool
	from time.Duration
	// passWall is when the current pass started playing (loop pacing).
	passWall time.Time

	pos        time.Time // position while paused, or at the anchor
	anchorWall time.Time
	speed      float64
	paused     bool
	ended      bool
	// catching is set while a seek applies the records up to pos, a batch
	// at a time between commands; frames wait until it is done.
	catching bool

	timer *time.Timer
	armed bool
}

func newReplayer(r *Replay) *replayer {
	p := &replayer{recs: r.Records, speed: r.Speed, loop: r.Loop, from: r.From, timer: time.NewTimer(time.Hour)}
	p.timer.Stop()
	if p.speed <= 0 {
		p.speed = 1
	}
	p.at = make([]time.Time, len(r.Records))
	for i, rec := range r.Records {
		p.at[i] = rec.Recv
		if i > 0 && p.at[i].Before(p.at[i-1]) {
			p.at[i] = p.at[i-1]
		}
	}
	if len(p.at) > 0 {
		p.pos = p.at[0]
	}
	return p
}

func (p *replayer) bounds() (start, end time.Time) {
	if len(p.at) == 0 {
		return time.Time{}, time.Time{}
	}
	return p.at[0], p.at[len(p.at)-1]
}

// position is where the replay is at wall time now.
func (p *replayer) position(now time.Time) time.Time {
	if p.paused || p.ended || p.catching {
		return p.pos
	}
	pos := p.pos.Add(time.Duration(float64(now.Sub(p.anchorWall)) * p.speed))
	if _, end := p.bounds(); pos.After(end) {
		pos = end
	}
	return pos
}

// anchor fixes the position at wall time now, so pace changes start there.
func (p *replayer) anchor(now time.Time) {
	p.pos = p.position(now)
	p.anchorWall = now
}

func (p *replayer) status(now time.Time) ReplayStatus {
	start, end := p.bounds()
	return ReplayStatus{Start: start, End: end, Position: p.position(now),
		Speed: p.speed, Paused: p.paused, Ended: p.ended}
}

func (p *replayer) start(l *loop, now time.Time) {
	p.anchorWall, p.passWall = now, now
	if p.from > 0 {
		p.seek(l, p.from, now)
		return
	}
	p.advance(l, now)
	l.changed()
}

// advance applies every record due by wall time now and arms the timer
// for the next one.
func (p *replayer) advance(l *loop, now time.Time) {
	if p.catching {
		p.catchUp(l, now)
		return
	}
	if p.ended && p.loop && !p.paused {
		p.restart(l, now)
		return
	}
	if p.paused || p.ended {
		return
	}
	pos := p.position(now)
	if n := p.applyUpTo(l, pos, replayBatch); n == replayBatch {
		p.arm(0)
		return
	}
	if p.next >= len(p.recs) {
		p.anchor(now)
		p.ended = true
		_, p.pos = p.bounds()
		l.changed()
		if p.loop {
			p.arm(max(0, minReplayPass-now.Sub(p.passWall))) // then over again
		}
		return
	}
	wait := time.Duration(float64(p.at[p.next].Sub(pos)) / p.speed)
	p.arm(wait)
}

func (p *replayer) arm(d time.Duration) {
	p.timer.Reset(d)
	p.armed = true
}

func (p *replayer) disarm() {
	p.timer.Stop()
	p.armed = false
}

// applyUpTo applies records whose time is at or before pos, at most max
// of them (max <= 0: no limit), and returns how many it applied.
func (p *replayer) applyUpTo(l *loop, pos time.Time, max int) int {
	n := 0
	for p.next < len(p.recs) && !p.at[p.next].After(pos) {
		if max > 0 && n == max {
			break
		}
		p.applyRecord(l, p.next)
		p.next++
		n++
	}
	if p.next > p.seen {
		p.seen = p.next
	}
	return n
}

// applyRecord takes record i through the feed pipeline (which joins the
// parts of a snapshot the hub split: one part alone would drop the calls
// the other parts hold) and applies the message it completes.
func (p *replayer) applyRecord(l *loop, i int) {
	ev, ok := p.pipe.Frame(p.recs[i].Msg, p.recs[i].Recv, false)
	switch {
	case !ok:
	case ev.Kind == feed.EventMessage:
		l.apply(ev.Msg)
	case ev.Kind == feed.EventBadFrame && i >= p.seen:
		l.feed.BadFrames++
		l.feed.LastBad = fmt.Sprintf("record %d: %s", i+1, ev.Reason)
	}
}

// restart plays the recording again from its start.
func (p *replayer) restart(l *loop, now time.Time) {
	p.passWall = now
	start, _ := p.bounds()
	p.seek(l, start.Sub(p.position(now)), now)
}

// pause stops or resumes the replay; resuming at the end plays it again
// from the start.
func (p *replayer) pause(l *loop, paused bool, now time.Time) {
	if p.ended && !p.catching { // space at the end: again from the start
		p.paused = false
		p.restart(l, now)
		return
	}
	if paused == p.paused || p.ended {
		return
	}
	p.anchor(now)
	p.paused = paused
	if p.catching {
		return // the catch-up carries on, then plays or not
	}
	if paused {
		p.disarm()
		return
	}
	p.advance(l, now)
}

// seek moves the position by d: forward applies the records in between;
// backward starts over with a fresh Monitor and Book and re-applies from
// the start up to the target. Either way no frame shows a half-applied
// state: the records are applied a batch at a time between commands (so a
// long recording never stops the engine listening) and frames wait until
// the target is reached.
func (p *replayer) seek(l *loop, d time.Duration, now time.Time) {
	if len(p.recs) == 0 {
		return
	}
	start, end := p.bounds()
	cur := p.position(now)
	target := cur.Add(d)
	if target.Before(start) {
		target = start
	}
	if target.After(end) {
		target = end
	}
	if target.Before(cur) {
		l.reset()
		p.next = 0
		p.pipe.Reset()
	}
	p.pos, p.ended, p.catching = target, false, true
	p.disarm()
	p.catchUp(l, now)
}

// catchUp applies the next batch of records up to the seek target; once
// there, it lets frames out again and plays on from the target unless
// paused.
func (p *replayer) catchUp(l *loop, now time.Time) {
	if n := p.applyUpTo(l, p.pos, replayBatch); n == replayBatch {
		p.arm(0)
		return
	}
	p.catching = false
	l.evaluate(l.mon.Now(), true)
	p.anchorWall = now
	_, end := p.bounds()
	p.ended = p.next >= len(p.recs) && !p.pos.Before(end)
	l.changed()
	if !p.paused && !p.ended {
		p.advance(l, now)
	}
}

// setSpeed changes the pace from the current position on.
func (p *replayer) setSpeed(l *loop, speed float64, now time.Time) {
	if speed <= 0 || speed == p.speed {
		return
	}
	p.anchor(now)
	p.speed = speed
	if !p.paused && !p.ended && !p.catching {
		p.disarm()
		p.advance(l, now)
	}
}

// stepSpeed returns the next speed step above (dir > 0) or below the
// current speed, staying within Speeds.
func stepSpeed(cur float64, dir int) float64 {
	if dir > 0 {
		for _, s := range Speeds {
			if s > cur {
				return s
			}
		}
		return Speeds[len(Speeds)-1]
	}
	for i := len(Speeds) - 1; i >= 0; i-- {
		if Speeds[i] < cur {
			return Speeds[i]
		}
	}
	return Speeds[0]
}
