package engine

import (
	"context"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
)

// drainBatch bounds how many queued feed events are applied before the
// loop looks at commands and timers again.
const drainBatch = 512

// loop is the state owned by the engine goroutine.
type loop struct {
	e     *Engine
	mon   Monitor
	book  *alert.Book
	keep  keeper
	fleet fleetTracker
	epoch epoch
	dog   watchdog

	dataNow  time.Time // newest data time seen
	dataWall time.Time // wall time when dataNow last moved

	focus     string
	feed      FeedStatus
	feedDown  bool
	lastEval  time.Time // data time of the last book evaluation
	epochSeen int       // the Monitor's Epoch at the last evaluation

	findingsAt time.Time // wall time the open findings last went in a frame

	seq      uint64
	pending  int
	first    time.Time // wall time of the oldest change not yet sent
	lastSent time.Time // wall time of the last frame
	timer    *time.Timer
	armed    bool

	replay *replayer
	view   *viewState // view mode's request and window (nil: full feed)
}

func newLoop(e *Engine) *loop {
	l := &loop{e: e, timer: time.NewTimer(time.Hour), keep: newKeeper(e.opts.Store, e.opts.SharedStore)}
	l.keep.problem = e.opts.StoreProblem
	if l.keep.sync != nil {
		e.stateSync.Store(&syncHolder{l.keep.sync})
	}
	if e.opts.Replay == nil {
		l.dog = newWatchdog(e.opts.BlindAfter)
	} else {
		l.dog = newWatchdog(0)
	}
	l.timer.Stop()
	l.view = newViewState(e.opts.View)
	l.reset()
	l.feed = FeedStatus{Source: e.opts.Source, State: "connecting", Since: time.Now()}
	if e.opts.Replay != nil {
		l.replay = newReplayer(e.opts.Replay)
		l.feed.State = "replay"
		l.feed.BadFrames = e.opts.Replay.Problems
		l.feed.LastBad = e.opts.Replay.LastProblem
	}
	return l
}

// reset starts over with a fresh Monitor and Book.
func (l *loop) reset() {
	l.mon = l.e.opts.NewMonitor()
	l.book = nil
	if l.e.opts.NewBook != nil && l.e.opts.Remote == nil {
		l.book = l.e.opts.NewBook()
	}
	l.lastEval, l.epochSeen = time.Time{}, 0
	l.fleet = fleetTracker{}
	l.dataNow = time.Time{}
	l.feedDown = false
}

func (l *loop) stopTimers() {
	l.timer.Stop()
	l.dog.stop()
	if l.replay != nil {
		l.replay.timer.Stop()
	}
	if l.view != nil {
		l.view.timer.Stop()
		l.view.check.Stop()
	}
}

func (l *loop) run(ctx context.Context) error {
	events, deliveries := l.e.opts.Events, l.e.opts.Deliveries
	l.keep.start()
	defer func() { l.keep.finish(l.book) }()
	if l.replay != nil {
		l.replay.start(l, time.Now())
	}
	if l.view != nil {
		wctx, stop := context.WithCancel(ctx)
		defer stop()
		go l.view.write(wctx)
		l.view.flush() // the first request; the writer sends it once connected
	}
	l.changed() // a first frame, so the header shows the feed at once
	for {
		l.frameDue() // a due frame goes before more input
		var frameC, replayC, saveC <-chan time.Time
		if l.armed {
			frameC = l.timer.C
		}
		if l.replay != nil && l.replay.armed {
			replayC = l.replay.timer.C
		}
		if l.keep.armed {
			saveC = l.keep.timer.C
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-events:
			if !ok || !l.drain(ev, events) {
				l.emit(time.Now())
				return nil
			}
		case c := <-l.e.cmds:
			c(l)
			l.changed()
		case d, ok := <-deliveries:
			if !ok {
				deliveries = nil
				continue
			}
			if l.book != nil {
				l.book.Delivered(d)
				l.changed()
			}
		case p := <-l.keep.changes():
			if l.keep.merge(l.book, p, l.bookNow()) {
				l.keep.save(l.book, true)
				l.changed()
			}
		case msg := <-l.keep.notes():
			if l.book != nil {
				l.book.Note(l.bookNow(), msg)
				l.changed()
			}
		case <-l.dog.tickC():
			l.downTicked()
		case <-l.dog.blindC():
			l.blindNow()
		case <-saveC:
			l.keep.armed = false
			l.keep.save(l.book, true)
		case <-frameC:
			l.armed = false
			l.emit(time.Now())
		case <-replayC:
			l.replay.armed = false
			l.replay.advance(l, time.Now())
		case <-l.view.timerC():
			l.view.armed = false
			l.view.flush()
			l.changed()
		case <-l.view.checkC():
			l.view.checked()
		}
	}
}

// frameDue sends the frame whose time has come, if any, and reports
// whether it did.
func (l *loop) frameDue() bool {
	if !l.armed {
		return false
	}
	select {
	case <-l.timer.C:
		l.armed = false
		l.emit(time.Now())
		return true
	default:
		return false
	}
}

// drain handles ev and whatever else is already queued (up to a batch,
// and only until a frame falls due); it reports false when the events
// channel was closed.
func (l *loop) drain(ev feed.Event, events <-chan feed.Event) bool {
	l.handle(ev)
	for i := 1; i < drainBatch; i++ {
		if i%64 == 0 && l.frameDue() {
			return true
		}
		select {
		case ev, ok := <-events:
			if !ok {
				return false
			}
			l.handle(ev)
		default:
			return true
		}
	}
	return true
}

// handle applies one live event.
func (l *loop) handle(ev feed.Event) {
	switch ev.Kind {
	case feed.EventMessage:
		if ev.Msg != nil && l.view != nil && !l.view.wants(ev.Msg) {
			ev.Release() // a call no longer open
			return
		}
		if ev.Msg != nil {
			l.apply(ev.Msg)
			ev.Release() // the Monitor keeps no reference into a message
		}
	case feed.EventBadFrame:
		l.feed.BadFrames++
		l.feed.LastBad = ev.Reason
		l.changed()
	case feed.EventState:
		l.setFeedState(ev.Status)
	case feed.EventUnknown:
		l.takeRemote(ev)
	}
}

// apply hands one message to the Monitor and evaluates the book when a
// second of data time has passed.
func (l *loop) apply(m *feed.Message) {
	l.mon.Apply(m)
	l.pending++
	now := l.mon.Now()
	l.epoch.applied(now)
	if !now.IsZero() {
		l.sawData(now)
	}
	// Only a live feed's book clock runs on from the wall clock (bookNow);
	// a replay, re-applying thousands of records on a seek, never reads it.
	if l.replay == nil && now.After(l.dataNow) {
		l.dataNow, l.dataWall = now, time.Now()
	}
	l.evaluate(now, false)
	l.handEnded()
	l.changed()
}

// evaluate runs the alert book at data time now (the Monitor's): at most
// once per EvalInterval unless forced, and again whenever data time goes
// back.
func (l *loop) evaluate(now time.Time, force bool) {
	if l.book == nil || now.IsZero() {
		return
	}
	if !force && !l.lastEval.IsZero() && now.Sub(l.lastEval) < l.e.opts.EvalInterval && !now.Before(l.lastEval) {
		return
	}
	l.lastEval = now
	if ep, ok := l.mon.(interface{ Epoch() int }); ok && ep.Epoch() != l.epochSeen {
		l.epochSeen = ep.Epoch()
		l.book.StartOver(now) // a looping replay's next pass: new incidents, not flaps
	}
	l.keep.restore(l.book, now)
	l.fleet.observe(l.mon, l.book, now)
	l.book.SetNamer(l.namer())
	l.book.Observe(now, l.mon.OpenFindings())
	l.book.Stale(now, l.epoch.stale(l.mon, l.e.opts.StaleAfter))
	l.keep.save(l.book, false)
}

// bookNow is the time the book hears events that do not come with data
// (the feed going down or back, a user's ack or mute): data time, moved on
// by the wall clock while no data arrives (live feeds' data time is about
// wall time). Before any data it is zero: the book's clock is data time,
// and a feed replaying old data must not find it already in the future.
// A replay uses data time only.
func (l *loop) bookNow() time.Time {
	if l.replay != nil || l.dataNow.IsZero() {
		return l.mon.Now()
	}
	return l.dataNow.Add(time.Since(l.dataWall))
}

// setFeedState records a live connection state and tells the book when
// the feed goes down or comes back.
func (l *loop) setFeedState(cs feed.Status) {
	st := FeedStatus{Source: l.e.opts.Source, State: cs.State.String(), Reason: cs.Reason, Problem: string(cs.Problem),
		URL: cs.URL, Connects: cs.Connects, Since: cs.Since, NextRetry: cs.NextAttempt, BadFrames: l.feed.BadFrames, LastBad: l.feed.LastBad}
	if st.Source == "" {
		st.Source = cs.URL
	}
	if n := int(cs.BadFrames); n > st.BadFrames {
		st.BadFrames, st.LastBad = n, cs.LastBadReason
	}
	if l.view != nil && l.view.refused {
		return // the hub has no index: failed, whatever the client does next
	}
	logFeedChange(l.e.opts.Logf, l.feed, st)
	if cs.State == feed.StateLive && l.feed.State != st.State {
		l.epoch.connected() // a new connection: stale detection starts over
	}
	if cs.State == feed.StateLive && cs.Connects != l.feed.Connects {
		l.view.resend() // a new connection knows nothing of the last one's request
	}
	l.feed = st
	down := cs.State == feed.StateReconnecting || cs.State == feed.StateStalled || cs.State == feed.StateFailed
	l.changed()
	if l.book == nil || down == l.feedDown || (!down && cs.State != feed.StateLive) {
		return
	}
	now := l.bookNow()
	if now.IsZero() {
		return // no data yet: the header says it; the book has no clock
	}
	l.keep.restore(l.book, now)
	if down {
		reason := st.Reason
		if reason == "" {
			reason = "feed " + st.State
		}
		l.book.FeedDown(now, reason)
	} else {
		l.book.FeedUp(now)
	}
	l.feedDown = down
	l.dog.setTicking(down)
	l.keep.save(l.book, false)
}

// sawData ends blindness: the first data after a blind start brings the
// feed back.
func (l *loop) sawData(now time.Time) {
	l.dog.sawData()
	if !l.dog.isBlind {
		return
	}
	l.dog.isBlind = false
	if l.book != nil && l.feedDown && l.feed.State == "live" {
		l.book.FeedUp(now)
		l.feedDown = false
		l.dog.setTicking(false)
	}
}

// changed notes that the next frame differs from the last one, and arms
// the coalescing timer if it is not running: it never runs while nothing
// has changed.
func (l *loop) changed() {
	if l.first.IsZero() {
		l.first = time.Now()
	}
	if l.armed {
		return
	}
	wait := l.e.opts.FrameInterval - time.Since(l.lastSent)
	if wait < 0 {
		wait = 0
	}
	l.timer.Reset(wait)
	l.armed = true
}

// emit builds a frame and puts it on the channel, replacing a frame the
// TUI has not read yet (whose pending count carries over).
func (l *loop) emit(now time.Time) {
	if l.replay != nil && l.replay.catching {
		return // the seek's catch-up sends the frame when it is done
	}
	l.seq++
	f := Frame{
		Seq:         l.seq,
		Calls:       l.mon.Snapshot(l.focus),
		Feed:        l.feed,
		Pending:     l.pending,
		FirstChange: l.first,
	}
	if l.replay != nil {
		st := l.replay.status(now)
		f.Replay = &st
		f.Feed.State = "replay"
		if st.Ended {
			f.Feed.State = "ended"
		}
	}
	l.fillAlerts(&f)
	if l.view != nil {
		w := l.view.win
		w.OpenCallAlerts = l.e.opts.Remote == nil
		f.View = &w
	}
	select {
	case old := <-l.e.frames:
		f.Pending += old.Pending
		if f.Findings == nil {
			f.Findings = old.Findings // an unread frame's findings are still the newest
		}
		if !old.FirstChange.IsZero() {
			f.FirstChange = old.FirstChange
		}
	default:
	}
	l.e.frames <- f
	l.pending = 0
	l.first = time.Time{}
	l.lastSent = now
}

// fillAlerts adds the book's picture to f.
func (l *loop) fillAlerts(f *Frame) {
	switch {
	case l.e.opts.Remote != nil:
		f.Alerts = l.e.opts.Remote.Snapshot()
	case l.book != nil:
		f.Alerts = l.book.Snapshot()
	}
	if l.e.opts.Findings && time.Since(l.findingsAt) >= findingsEvery {
		f.Findings, l.findingsAt = l.mon.OpenFindings(), time.Now()
	}
}
