package tui

import (
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
)

// Controller is what the TUI asks of the engine. The engine implements it.
// Every method must return at once (queue the request and do the work on
// the engine's goroutine) and be safe to call from any goroutine: the TUI
// calls it from tea.Cmds, never from Update itself.
type Controller interface {
	// Focus asks for this call's detail in Snapshot.Focus ("" for none).
	Focus(callID string)
	// Ack acknowledges the alert with this key, with an optional note.
	Ack(alertKey, note string)
	// Mute silences alerts as the request describes.
	Mute(req MuteRequest)
	// Unack withdraws the acknowledgement of the alert with this key.
	Unack(alertKey string)
	// Unmute removes the silence with this id.
	Unmute(silenceID string)
	// ReplayPause pauses or resumes a replay (ignored when live).
	ReplayPause(paused bool)
	// ReplaySeek moves a replay by d (negative goes back).
	ReplaySeek(d time.Duration)
	// ReplaySpeed sets the replay speed factor (1 is real time).
	ReplaySpeed(factor float64)
}

// MuteScope says how wide a mute reaches.
type MuteScope int

// Mute scopes, narrowest first.
const (
	// MuteAlert silences one alert (its key: rule and subject).
	MuteAlert MuteScope = iota
	// MuteCall silences every alert of one call.
	MuteCall
	// MuteRule silences one rule on every call.
	MuteRule
	// MutePerson silences every alert of one participant.
	MutePerson
	// MuteAll silences everything.
	MuteAll
)

// String returns "alert", "call" or "rule".
func (s MuteScope) String() string {
	switch s {
	case MuteCall:
		return "call"
	case MuteRule:
		return "rule"
	case MutePerson:
		return "person"
	case MuteAll:
		return "everything"
	}
	return "alert"
}

// MuteRequest is one mute the user asked for in the alert pane's picker.
type MuteRequest struct {
	// Scope is how wide the mute reaches.
	Scope MuteScope
	// AlertKey is the alert the user had selected (always set).
	AlertKey string
	// CallID is that alert's call (used by MuteCall).
	CallID string
	// Rule is that alert's rule id (used by MuteRule).
	Rule string
	// ParticipantID is that alert's participant (used by MutePerson).
	ParticipantID string
	// For is how long the mute lasts; zero when UntilResolved is set.
	For time.Duration
	// UntilResolved lifts the mute when the alert resolves.
	UntilResolved bool
	// Note is an optional comment kept with the silence.
	Note string
}

// Options tune the TUI. The zero value is ready to use.
type Options struct {
	// MinWidth and MinHeight are the smallest usable terminal (default 80x24).
	MinWidth, MinHeight int
	// ReadOnly hides acknowledging and muting (a replay of a recording).
	ReadOnly bool
	// Find opens straight into the call of the best match for a person's
	// name or user id, a room or a call id, with that person selected; it
	// waits for the call to appear, and shows the filtered list when
	// several calls match equally well.
	Find string
	// ASCII draws graphs and glyphs in ASCII (no UTF-8 in the terminal).
	ASCII bool
	// History is the team hub's call history (H); nil elsewhere, and the
	// key says why it does nothing.
	History HistorySource
	// ReadOnlyReason is what the action keys say when ReadOnly refuses
	// them (a viewer on a team hub); default "acknowledging and muting
	// are off".
	ReadOnlyReason string
}

// New returns the root model: give it to tea.NewProgram. It listens on
// frames (the engine closes the channel when it stops) and sends the user's
// requests to ctrl. The model sets AltScreen itself and leaves the mouse off.
func New(ctrl Controller, frames <-chan engine.Frame, opts Options) *Model {
	if opts.MinWidth <= 0 {
		opts.MinWidth = 80
	}
	if opts.MinHeight <= 0 {
		opts.MinHeight = 24
	}
	return newModel(ctrl, frames, opts)
}
