package team

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/tui"
)

// Controller sends a TUI's requests on a team hub: view requests to the
// local engine, acks and silences to the hub's book.
type Controller struct {
	Engine *engine.Engine
	Remote *Remote
}

var _ tui.Controller = Controller{}

// Focus implements tui.Controller.
func (c Controller) Focus(callID string) { c.Engine.Focus(callID) }

// Ack implements tui.Controller.
func (c Controller) Ack(alertKey, note string) { c.Remote.Ack(alertKey, note) }

// Mute implements tui.Controller.
func (c Controller) Mute(r tui.MuteRequest) {
	c.Remote.Mute(MuteMatcher(r), r.For, r.UntilResolved, r.Note)
}

// Unack implements tui.Controller.
func (c Controller) Unack(alertKey string) { c.Remote.Unack(alertKey) }

// Unmute implements tui.Controller.
func (c Controller) Unmute(silenceID string) { c.Remote.Unmute(silenceID) }

// ReplayPause implements tui.Controller (a live feed ignores it).
func (c Controller) ReplayPause(paused bool) { c.Engine.ReplayPause(paused) }

// ReplaySeek implements tui.Controller (a live feed ignores it).
func (c Controller) ReplaySeek(d time.Duration) { c.Engine.ReplaySeek(d) }

// ReplaySpeed implements tui.Controller (a live feed ignores it).
func (c Controller) ReplaySpeed(factor float64) { c.Engine.ReplaySpeed(factor) }

// MuteMatcher is the silence a TUI's mute request asks for.
func MuteMatcher(r tui.MuteRequest) alert.Matcher {
	var m alert.Matcher
	switch r.Scope {
	case tui.MuteCall:
		m.CallID = r.CallID
	case tui.MuteRule:
		m.Rule = r.Rule
	case tui.MutePerson:
		m.CallID, m.ParticipantID = r.CallID, r.ParticipantID
	case tui.MuteAll:
		m.All = true
	default:
		m.Key = r.AlertKey
	}
	return m
}

// TUI is a TUI's wiring on a team hub: a feed client keeping team frames,
// an engine whose book is the hub's, and the model to run.
type TUI struct {
	Model  *tui.Model
	Remote *Remote
	client *client.Client
	eng    *engine.Engine
}

// NewTUI wires a TUI on the team hub cfg points at, as the user the hub
// welcomed (a viewer's action keys say why they are refused); source names
// the feed in the header ("" for its URL).
func NewTUI(cfg client.Config, w feed.TeamWelcome, newMonitor func() engine.Monitor, opts tui.Options, source string) (*TUI, error) {
	cfg.KeepUnknown = true
	c, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	remote := NewRemote(c.Send)
	eng, err := engine.New(engine.Options{NewMonitor: newMonitor, Events: c.Events(), Remote: remote, Source: source})
	if err != nil {
		return nil, err
	}
	if w.Role != feed.RoleResponder && w.Role != feed.RoleAdmin {
		opts.ReadOnly = true
		opts.ReadOnlyReason = ViewerReason(w)
	}
	return &TUI{Model: tui.New(Controller{Engine: eng, Remote: remote}, eng.Frames(), opts), Remote: remote, client: c, eng: eng}, nil
}

// ViewerReason says why a viewer's action keys do nothing.
func ViewerReason(w feed.TeamWelcome) string {
	return fmt.Sprintf("%s is a %s; acking and muting need a responder", w.User, orWord(w.Role, "viewer"))
}

// Run runs the feed client and the engine until ctx ends.
func (t *TUI) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { t.client.Run(ctx) })
	wg.Go(func() { t.eng.Run(ctx) })
	wg.Wait()
}
