package engine

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
	"github.com/calltop/calltop/feed"
)

// Monitor is what the engine needs from diagnose.Monitor (which satisfies
// it); the engine is its only user while Run is going.
type Monitor interface {
	Apply(msg *feed.Message)
	Now() time.Time
	OpenFindings() []diagnose.Finding
	Snapshot(focusCallID string) diagnose.Snapshot
	StaleParticipants(after time.Duration) []diagnose.Subject
}

// Defaults for Options.
const (
	DefaultFrameInterval = 50 * time.Millisecond
	DefaultEvalInterval  = time.Second
	DefaultStaleAfter    = 15 * time.Second
	commandQueue         = 256
)

// Options configures an Engine. Either Events (a live feed) or Replay (a
// recording) is the input.
type Options struct {
	// NewMonitor makes the Monitor; it is called again when a replay seeks
	// backwards and everything is re-applied from the start.
	NewMonitor func() Monitor
	// NewBook makes the alert book (nil: no alerts). Called again, like
	// NewMonitor, when a replay seeks backwards.
	NewBook func() *alert.Book
	// Store, when set, holds the book's acks, silences and history: loaded
	// into the first book when the first data arrives, saved after every
	// ack or mute and at most once a second after other changes.
	Store *statefile.Store
	// SharedStore, when set, is used instead of Store: the state shared
	// by team hubs in a JetStream bucket (natsstate.Store).
	SharedStore StateStore
	// StoreProblem, when Store is nil because the state directory cannot
	// be used, is said in the book's event log once data arrives.
	StoreProblem string
	// Deliveries carries the webhook Notifier's reports into the book's
	// event log (nil: none).
	Deliveries <-chan alert.Delivery
	// Source names the feed in the header: "demo", a file path, or ""
	// for a live feed named by the URL in use (which failover changes).
	Source string
	// Events is a live feed: a client.Client's Events channel. The engine
	// releases each event (feed.Event.Release) once the Monitor has
	// applied its message: a Monitor copies what it keeps of it.
	Events <-chan feed.Event
	// Replay, when set, is played instead of Events.
	Replay *Replay
	// FrameInterval is the least time between two frames (default 50 ms:
	// a change waits at most that long for its frame, and the budget from
	// feed message to screen is 150 ms at the 99th percentile).
	FrameInterval time.Duration
	// EvalInterval is how often, in data time, alerts are evaluated
	// (default 1 s).
	EvalInterval time.Duration
	// BlindAfter, when set, raises feed-down on the wall clock if no data
	// has arrived this long after Run started (a hub down at start, a
	// wrong URL, an untrusted certificate): `watch` pages instead of
	// staying silent. Zero: off.
	BlindAfter time.Duration
	// Remote, when set, is the alert book of a team hub: the engine keeps
	// none of its own (NewBook and Store are unused) and frames carry the
	// remote book's picture.
	Remote RemoteBook
	// Findings puts the Monitor's open findings in a frame once a second
	// (a team hub streams them).
	Findings bool
	// Logf, when set, receives a line when the feed connects, fails,
	// stalls or goes to reconnect (the TUI's calltop.log); nil logs
	// nothing (watch prints the feed's state itself).
	Logf func(format string, args ...any)
	// StaleAfter is how long a participant's stats may stop, in data time,
	// before the book hears about it (default 15 s).
	StaleAfter time.Duration
	// View, when set, makes the engine a view client (calltop --view):
	// Events come from a feed client connected with ?view=1 that keeps
	// unknown frames, and View.Send writes to it.
	View *ViewOptions
	// Ended, when set, receives the calls that left the Monitor (a
	// Monitor made with diagnose.Options.CollectEnded), on the engine's
	// goroutine: it must not block (history.Writer.Add queues).
	Ended func([]diagnose.EndedCall)
}

// Engine owns the Monitor and the Book on one goroutine (Run) and hands
// the TUI coalesced frames. Its command methods may be called from any
// goroutine and return at once.
type Engine struct {
	opts   Options
	frames chan Frame
	cmds   chan func(*loop)

	seekBy     atomic.Int64 // replay seeks not yet done, summed
	seekQueued atomic.Bool  // a seek command is in the queue

	stateSync atomic.Pointer[syncHolder] // the keeper's Syncer, for FlushState
}

// New checks opts and returns an engine ready to Run.
func New(opts Options) (*Engine, error) {
	if opts.NewMonitor == nil {
		return nil, errors.New("engine: Options.NewMonitor is required")
	}
	if (opts.Events == nil) == (opts.Replay == nil) {
		return nil, errors.New("engine: exactly one of Options.Events and Options.Replay must be set")
	}
	if opts.View != nil && (opts.View.Send == nil || opts.Events == nil) {
		return nil, errors.New("engine: Options.View needs View.Send and a live feed (Events)")
	}
	if opts.FrameInterval <= 0 {
		opts.FrameInterval = DefaultFrameInterval
	}
	if opts.EvalInterval <= 0 {
		opts.EvalInterval = DefaultEvalInterval
	}
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = DefaultStaleAfter
	}
	return &Engine{
		opts:   opts,
		frames: make(chan Frame, 1),
		cmds:   make(chan func(*loop), commandQueue),
	}, nil
}

// Frames returns the channel of frames. It holds at most one frame, the
// newest: an unread frame is replaced, never queued behind.
func (e *Engine) Frames() <-chan Frame { return e.frames }

// Run owns the Monitor and the Book until ctx is done or the live feed's
// Events channel is closed, then closes the frames channel (after a last
// frame when the feed closed). It returns ctx's error, or nil when the
// feed closed.
func (e *Engine) Run(ctx context.Context) error {
	l := newLoop(e)
	defer close(e.frames)
	defer l.stopTimers()
	return l.run(ctx)
}

// send queues a command for the engine goroutine without blocking; when
// the queue is full the command is dropped and send reports false.
func (e *Engine) send(c func(*loop)) bool {
	select {
	case e.cmds <- c:
		return true
	default:
		return false
	}
}
