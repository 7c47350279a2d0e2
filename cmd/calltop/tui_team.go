package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/cmd/calltop/team"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/tui"
)

// teamProbeWait bounds how long the TUI waits to learn whether its hub is
// a team hub before it keeps its own book.
const teamProbeWait = 3 * time.Second

// probeTeam asks the hub whether it is a team hub, and who we are there
// (team.Probe: two frames, no snapshot). A hub that cannot be reached in
// time is taken for a plain one.
func probeTeam(ctx context.Context, cfg client.Config) (feed.TeamWelcome, bool) {
	ctx, cancel := context.WithTimeout(ctx, teamProbeWait)
	defer cancel()
	return team.Probe(ctx, cfg)
}

// runTeamTUI is the TUI on a team hub: the hub's book, as the user the hub
// welcomed (a viewer's action keys say why they are refused).
func runTeamTUI(ctx context.Context, cfg client.Config, w feed.TeamWelcome, live liveFlags) error {
	topts := live.tui // --find, --ascii: as on any feed
	hc, err := historyClient(cfg.URLs[0], cfg.Token, cfg.CAFile)
	if err != nil {
		return err
	}
	topts.History = teamHistorySource{hc}
	t, err := team.NewTUI(cfg, w, "", newMonitor, topts)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { t.Run(ctx) })
	_, err = tea.NewProgram(t.Model, tea.WithFPS(tuiFPS), tea.WithContext(ctx)).Run()
	cancel()
	waitStopped(&wg, shutdownWait)
	if errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}

// runTeamWatch is watch on a team hub: it prints the hub's book's events
// and posts nothing itself (the hub posts each alert once, from
// --webhook), so a watch beside the hub never doubles a post.
func runTeamWatch(ctx context.Context, w feed.TeamWelcome, c *client.Client, opts engine.Options, wf watchFlags, out io.Writer) error {
	opts.Remote = team.NewRemote(c.Send)
	opts.Store, opts.NewBook, opts.BlindAfter = nil, nil, 0 // the hub pages when blind
	eng, err := engine.New(opts)
	if err != nil {
		return err
	}
	p := &watchPrinter{log: newWatchLog(out, wf.json)}
	msg := fmt.Sprintf("watching team hub %s as %s (%s): the hub keeps the book", opts.Source, w.User, w.Role)
	if len(wf.webhooks) > 0 {
		msg += "; --webhook ignored: the team hub posts (calltop hub --team --webhook), once"
	}
	p.note("info", "start", msg)
	err = watchRun(ctx, c, eng, p)
	p.note("info", "stop", "watch stopped")
	return err
}

// runTeamViewTUI is the TUI in view mode on a team hub: the hub's book and
// the hub's windows of its call index (cfg is the view client's).
func runTeamViewTUI(ctx context.Context, cfg client.Config, w feed.TeamWelcome, live liveFlags) error {
	topts := live.tui
	hc, err := historyClient(cfg.URLs[0], cfg.Token, cfg.CAFile)
	if err != nil {
		return err
	}
	topts.History = teamHistorySource{hc}
	c, err := client.New(cfg)
	if err != nil {
		return err
	}
	remote, stop := team.NewRemote(c.Send), newFeedStopper()
	eng, err := engine.New(engine.Options{NewMonitor: newMonitor, Events: c.Events(), Remote: remote,
		View: &engine.ViewOptions{Send: c.Send, Refused: stop.stop}, Logf: log.Printf})
	if err != nil {
		return err
	}
	if w.Role != feed.RoleResponder && w.Role != feed.RoleAdmin {
		topts.ReadOnly, topts.ReadOnlyReason = true, team.ViewerReason(w)
	}
	ctl := teamViewController{team.Controller{Engine: eng, Remote: remote}}
	return runTUIModel(ctx, tui.New(ctl, eng.Frames(), topts), stop.wrap(c.Run), eng.Run)
}

// teamViewController is a team hub's controller that also asks for windows.
type teamViewController struct{ team.Controller }

// SetView implements tui.ViewController.
func (c teamViewController) SetView(q feed.ViewQuery) { c.Engine.SetView(q) }

// runTUIModel runs the program and the given parts until the user quits,
// then stops the parts and waits a moment for them.
func runTUIModel(ctx context.Context, m *tui.Model, parts ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for _, run := range parts {
		wg.Go(func() { run(ctx) })
	}
	_, err := tea.NewProgram(m, tea.WithFPS(tuiFPS), tea.WithContext(ctx)).Run()
	cancel()
	waitStopped(&wg, shutdownWait)
	if errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}
