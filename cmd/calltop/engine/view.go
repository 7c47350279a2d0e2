package engine

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/view"
	"github.com/calltop/calltop/feed"
)

// View mode (calltop --view): instead of the hub's every frame, the feed
// client (connected with ?view=1) gets windows of the hub's call index,
// the rows the calls list shows, and the frames of the one call the user
// has open. The engine sends the list's request (view.request) whenever
// the TUI changes it, at most once per ViewOptions.Debounce, and again
// on every new connection; it hands each window to the TUI in
// Frame.View. The open call's frames go through the Monitor as in full
// mode, so the call screen is the same.

// DefaultViewDebounce is the least time between two view requests: a
// held-down arrow key asks for the window where it stops, not for every
// row it passes.
const DefaultViewDebounce = 100 * time.Millisecond

// DefaultFilterPause is how long the filter must stay unchanged before
// it is sent: a filter the hub has not seen costs it a match and sort of
// every call (about 50 ms at 20,000), so it is asked for when the typing
// pauses, not for every key.
const DefaultFilterPause = 250 * time.Millisecond

// viewAnswerWait is how long the engine waits for the window its request
// asks for before it asks again: a hub answers a request at once (within
// about 125 ms), so a request lost on its way (a connection dropping as it
// was sent, a hub busy catching up) would otherwise leave the list on rows
// that never come.
const viewAnswerWait = time.Second

// DefaultViewKeepAlive is how long a window may stay the last before the
// engine asks for it again: the hub sends a window only when it changes,
// and a feed client that hears nothing for 30 s reports the feed stalled
// (a quiet filter, say one that matches only ended calls, is not a stall).
const DefaultViewKeepAlive = 15 * time.Second

// firstLimit is how many rows the first request asks for, before the
// TUI has said how many it shows.
const firstLimit = 60

// viewRetry is how long the engine waits to send a request again when the
// client is not connected (between a connection going live and its
// writer being ready, or while reconnecting).
const viewRetry = 250 * time.Millisecond

// ViewOptions turns the engine into a view client.
type ViewOptions struct {
	// Send writes one frame to the hub on the live connection (the feed
	// client's Send); it fails while there is none.
	Send func(frame []byte) error
	// Debounce is the least time between two requests (default
	// DefaultViewDebounce).
	Debounce time.Duration
	// FilterPause is how long a changed filter waits for the typing to
	// pause (default DefaultFilterPause).
	FilterPause time.Duration
	// KeepAlive is how long the engine waits after the last window before
	// it asks again (default DefaultViewKeepAlive); it must stay under the
	// feed client's StallAfter.
	KeepAlive time.Duration
	// Refused, when set, is called (on the engine's goroutine; it must not
	// block) when the hub has no call index (feed.NoIndexError): the
	// caller stops the feed client instead of letting it reconnect to be
	// refused again. The frames keep saying why.
	Refused func(reason string)
}

// ViewFrame is the hub's window of its call index, as the calls list
// shows it. Everything in it is immutable once sent.
type ViewFrame struct {
	// Query is the request in force (its Open is the focused call).
	Query feed.ViewQuery
	// Answers is the request the rows answer, as the hub says (nil from a
	// hub that does not): after a new filter or sort, rows of the last one
	// may come first.
	Answers *feed.ViewQuery
	// Seq is the window's sequence number (0 before the first window).
	Seq uint64
	// Total counts the calls the hub knows, Matched those the filter lets
	// through (the list's length); Counts are the hub's calls by state.
	Total, Matched int
	Counts         feed.ViewCounts
	// Offset is the place of Rows[0] in the list of Matched calls.
	Offset int
	Rows   []*diagnose.CallSummary
	// Lost holds the keys of the rows whose hub is lost (nil when none).
	Lost map[string]bool
	// FeedTime is the hub's feed time when it sent the window.
	FeedTime time.Time
	// OpenCallAlerts says the alert book is this engine's own: in view
	// mode it hears only the open call and the feed (a team hub's book,
	// Options.Remote, covers every call).
	OpenCallAlerts bool
	// Error is the hub's refusal (view.error), e.g. feed.NoIndexError;
	// "" once a window has come.
	Error string
}

// Row returns row i of the list (0 to Matched-1) when the window holds
// it, or nil.
func (v *ViewFrame) Row(i int) *diagnose.CallSummary {
	if v == nil || i < v.Offset || i >= v.Offset+len(v.Rows) {
		return nil
	}
	return v.Rows[i-v.Offset]
}

// SetView asks the hub for another window: the calls list's filter, sort
// and visible rows (q.Open is ignored: Focus says which call is open). It
// does nothing without ViewOptions.
func (e *Engine) SetView(q feed.ViewQuery) {
	e.send(func(l *loop) {
		if l.view != nil {
			q.Open = l.view.q.Open
			l.view.want(l, q)
		}
	})
}

// viewState is the engine's side of view mode, owned by its goroutine.
type viewState struct {
	opts     ViewOptions
	q        feed.ViewQuery // the request in force
	sent     feed.ViewQuery // the request last handed to the writer
	hasSent  bool
	lastSend time.Time
	timer    *time.Timer
	armed    bool
	out      chan []byte // the writer's next frame (the newest only)
	win      ViewFrame   // the newest window
	awaiting bool        // no window has answered the last request sent yet
	check    *time.Timer // fires viewAnswerWait after a send, to ask again if unanswered
	checking bool
	refused  bool // the hub has no index: the feed's state stays failed
}

func newViewState(o *ViewOptions) *viewState {
	if o == nil {
		return nil
	}
	v := &viewState{opts: *o, out: make(chan []byte, 1), timer: time.NewTimer(time.Hour), check: time.NewTimer(time.Hour)}
	v.check.Stop()
	if v.opts.Debounce <= 0 {
		v.opts.Debounce = DefaultViewDebounce
	}
	if v.opts.FilterPause <= 0 {
		v.opts.FilterPause = DefaultFilterPause
	}
	if v.opts.KeepAlive <= 0 {
		v.opts.KeepAlive = DefaultViewKeepAlive
	}
	v.timer.Stop()
	v.q = feed.ViewQuery{Sort: feed.SortWorst, Limit: firstLimit, Ended: true}
	v.win.Query = v.q
	return v
}

// timerC is the debounce timer's channel while it runs, else nil.
func (v *viewState) timerC() <-chan time.Time {
	if v == nil || !v.armed {
		return nil
	}
	return v.timer.C
}

// want takes a new request and sends it now or when the debounce allows.
func (v *viewState) want(l *loop, q feed.ViewQuery) {
	if q.Sort == "" {
		q.Sort = feed.SortWorst
	}
	typed := q.Filter != v.q.Filter
	v.q = q
	v.win.Query = q
	if v.hasSent && q == v.sent {
		return
	}
	if typed && q.Filter != v.sent.Filter { // wait for the typing to pause
		v.timer.Reset(v.opts.FilterPause)
		v.armed = true
		return
	}
	if v.armed {
		return // the timer sends the newest request
	}
	if wait := v.opts.Debounce - time.Since(v.lastSend); wait > 0 {
		v.timer.Reset(wait)
		v.armed = true
		return
	}
	v.flush()
	l.changed()
}

// flush hands the request in force to the writer, replacing one it has
// not written yet.
func (v *viewState) flush() {
	frame, err := feed.EncodeView(feed.ViewRequest{Type: feed.TypeViewRequest, View: v.q})
	if err != nil {
		return // a ViewRequest always encodes
	}
	select {
	case <-v.out:
	default:
	}
	v.out <- frame
	v.sent, v.hasSent, v.lastSend = v.q, true, time.Now()
	v.awaiting = true
	v.check.Reset(viewAnswerWait)
	v.checking = true
}

// checkC is the answer check's channel while it runs, else nil.
func (v *viewState) checkC() <-chan time.Time {
	if v == nil || !v.checking {
		return nil
	}
	return v.check.C
}

// checked asks again: the last request is still unanswered, or no window
// has come for KeepAlive.
func (v *viewState) checked() {
	v.checking = false
	if !v.refused {
		v.flush()
	}
}

// answers reports whether window p answers the request last sent: its
// offset is the request's, or the last page's when the list got shorter.
func (v *viewState) answers(p *feed.ViewPage) bool {
	return p.Offset == v.sent.Offset || v.sent.Offset >= p.Matched
}

// resend sends the request in force again: a new connection knows nothing
// of the last one's.
func (v *viewState) resend() {
	if v == nil {
		return
	}
	v.flush()
}

// write sends the requests the engine hands it until ctx ends; a request
// that cannot go (no connection yet) is tried again every viewRetry until
// a newer one replaces it.
func (v *viewState) write(ctx context.Context) {
	var pending []byte
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case pending = <-v.out:
		case <-retry.C:
		}
		if pending == nil {
			continue
		}
		if err := v.opts.Send(pending); err != nil {
			retry.Reset(viewRetry)
			continue
		}
		pending = nil
	}
}

// takeView reads a view.window or view.error frame; it reports false for
// a frame of another type.
func (l *loop) takeView(frame []byte) bool {
	v := l.view
	if v == nil {
		return false
	}
	switch frameType(frame) {
	case feed.TypeViewWindow:
		var w feed.ViewWindow
		if err := json.Unmarshal(frame, &w); err != nil {
			l.feed.BadFrames++
			l.feed.LastBad = "view.window: " + err.Error()
			l.changed()
			return true
		}
		v.win = windowFrame(v.q, &w)
		if v.answers(&w.Window) {
			v.awaiting = false
		}
		if !v.awaiting { // answered: the next check is the keep-alive
			v.check.Reset(v.opts.KeepAlive)
			v.checking = true
		}
		l.changed()
		return true
	case feed.TypeViewError:
		var e feed.ViewError
		if err := json.Unmarshal(frame, &e); err != nil || e.Error == "" {
			e.Error = "the hub refused the view request"
		}
		if l.e.opts.Logf != nil {
			l.e.opts.Logf("feed: view refused: %s", e.Error)
		}
		if e.Error != feed.NoIndexError {
			// A request the hub found bad: the last one stays in force
			// there, and its window here; asking again would not help.
			v.awaiting = false
			v.check.Reset(v.opts.KeepAlive)
			v.checking = true
			l.feed.BadFrames++
			l.feed.LastBad = e.Error
			l.changed()
			return true
		}
		// A hub without an index closes: say so and stop, rather than
		// reconnect to be refused again.
		v.win = ViewFrame{Query: v.q, Error: e.Error}
		v.refused = true
		l.feed.State, l.feed.Reason, l.feed.Since = "failed", e.Error, time.Now()
		if v.opts.Refused != nil {
			v.opts.Refused(e.Error)
		}
		l.changed()
		return true
	}
	return false
}

// setOpen makes callID the request's open call. A new open call starts a
// fresh Monitor: the hub streams the new call whole and stops the old
// one's frames, which would otherwise go stale in it.
func (v *viewState) setOpen(l *loop, callID string) {
	if v.q.Open == callID {
		return
	}
	q := v.q
	q.Open = callID
	l.mon = l.e.opts.NewMonitor()
	l.epoch.connected()
	v.want(l, q)
}

// wants reports whether a feed message belongs to the open call (or to no
// call): frames of a call closed a moment ago may still be on their way,
// and must not bring it back into the fresh Monitor.
func (v *viewState) wants(m *feed.Message) bool {
	switch {
	case m.Call != nil:
		return m.Call.ID == v.q.Open
	case m.CallID != "":
		return m.CallID == v.q.Open
	case len(m.Calls) > 0: // a snapshot: keep only the open call
		kept := m.Calls[:0]
		for _, c := range m.Calls {
			if c.ID == v.q.Open {
				kept = append(kept, c)
			}
		}
		m.Calls = kept
	}
	return true
}

// frameType is the top-level "type" of a JSON frame ("" when it is not
// a JSON object with a string type). Windows come at most four times a
// second and team frames seldom, so a full decode costs nothing worth a
// scanner of its own.
func frameType(frame []byte) string {
	var probe struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(frame, &probe) != nil {
		return ""
	}
	return probe.Type
}

// windowFrame turns a view.window into what the TUI shows.
func windowFrame(q feed.ViewQuery, w *feed.ViewWindow) ViewFrame {
	p := &w.Window
	f := ViewFrame{Query: q, Answers: p.For, Seq: p.Seq, Total: p.Total, Matched: p.Matched, Counts: p.Counts,
		Offset: max(p.Offset, 0), FeedTime: msTime(w.TS), Rows: make([]*diagnose.CallSummary, len(p.Rows))}
	for i := range p.Rows {
		r := &p.Rows[i]
		f.Rows[i] = view.FromWire(*r)
		if r.Source == "lost" {
			if f.Lost == nil {
				f.Lost = map[string]bool{}
			}
			f.Lost[r.Key] = true
		}
	}
	f.Matched = max(f.Matched, f.Offset+len(f.Rows))
	return f
}

// msTime is a feed time in ms as a time (zero for 0), as view.FromWire
// reads a row's.
func msTime(ms float64) time.Time {
	if ms <= 0 || math.IsNaN(ms) || math.IsInf(ms, 0) {
		return time.Time{}
	}
	return time.Unix(0, int64(ms*1e6))
}
