package engine

import (
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// Frame is one coalesced picture the engine hands the TUI: at most one
// per FrameInterval (twenty a second by default), and only when something changed. Everything in it is
// immutable once sent.
type Frame struct {
	// Seq increases with every frame.
	Seq uint64
	// Calls is the Monitor's snapshot (calls, the focused call's detail).
	Calls diagnose.Snapshot
	// Feed describes where the data comes from and the connection state.
	Feed FeedStatus
	// Replay is set when the source is a recording or dump being replayed.
	Replay *ReplayStatus
	// Pending counts feed messages applied since the previous frame.
	Pending int
	// Alerts is the alert book's picture (empty when there is no book).
	Alerts alert.Snapshot
	// Findings are the Monitor's open findings, at most once a second
	// (only with Options.Findings: a team hub streams them); nil in the
	// frames between.
	Findings []diagnose.Finding
	// View is the hub's window of its call index in view mode (nil on a
	// full feed): the calls list shows it instead of Calls.Calls, which
	// then holds only the open call.
	View *ViewFrame
	// FirstChange is the wall time of the oldest change this frame carries
	// (when the engine applied it): now minus FirstChange is how late the
	// frame is.
	FirstChange time.Time
}

// FeedStatus is the header's view of the feed.
type FeedStatus struct {
	// Source names the feed: a URL, "demo", or the replayed file's path.
	Source string
	// State is one of "connecting", "live", "reconnecting", "stalled",
	// "failed", "replay" or "ended".
	State string
	// Reason explains a failed, stalled or reconnecting state.
	Reason string
	// Problem classifies Reason ("unauthorized", "refused", "dns", "tls",
	// "timeout", "http", "dropped", "other"; "" with none).
	Problem string
	// URL is the feed in use or being tried (Source may be "demo").
	URL string
	// Connects counts successful connections (1 on the first).
	Connects int
	// Since is when the feed entered State (wall clock, for display only).
	Since time.Time
	// NextRetry is when the client will try again (reconnecting only).
	NextRetry time.Time
	// BadFrames counts malformed frames received so far.
	BadFrames int
	// LastBad is the reason the last malformed frame was refused.
	LastBad string
}

// ReplayStatus describes replay position and controls.
type ReplayStatus struct {
	// Start and End are the first and last records' receive times.
	Start, End time.Time
	// Position is the replay's current place between Start and End.
	Position time.Time
	// Speed multiplies the recorded pace.
	Speed float64
	// Paused is set while the replay is paused.
	Paused bool
	// Ended is set once every record has been applied; the view stays.
	Ended bool
}
