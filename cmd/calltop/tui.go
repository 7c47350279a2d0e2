package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/cmd/calltop/team"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
	"github.com/calltop/calltop/diagnose/alert/webhook"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/tui"
)

// tuiFPS caps how often the program redraws (frames arrive at most twenty
// times a second): a frame waits at most 33 ms for the terminal.
const tuiFPS = 30

// shutdownWait bounds how long quitting waits for the engine and the feed
// to stop after the program has restored the terminal.
const shutdownWait = 2 * time.Second

// liveFlags are the root command's flags for the TUI on a live feed.
type liveFlags struct {
	feeds    []string
	token    string
	caFile   string
	stateDir string
	webhooks []string
	format   string
	user     string // who acks and mutes ("": $USER)
	fleet    fleetFlags
	view     viewFlags
	hubView  bool        // --view: the hub windows the calls list
	tui      tui.Options // from view and the locale, set by runRoot
}

// register adds the TUI's flags to the root command.
func (l *liveFlags) register(root *cobra.Command) {
	f := root.Flags()
	f.StringArrayVar(&l.feeds, "feed", nil, "feed URL (ws:// or wss://); repeat for failover, in order (default $CALLTOP_FEED, else the demo)")
	f.StringVar(&l.token, "token", "", "bearer token for the feed (default $CALLTOP_TOKEN)")
	f.StringVar(&l.caFile, "ca", "", "PEM file of CA certificates to trust for wss://")
	f.StringVar(&l.stateDir, "state-dir", "", "where acks, mutes, alert history and the log live (default $XDG_STATE_HOME/calltop or ~/.local/state/calltop)")
	f.StringArrayVar(&l.webhooks, "webhook", nil, "post alerts to this webhook URL (repeatable)")
	f.StringVar(&l.format, "webhook-format", "slack", "webhook payload: slack or json")
	f.StringVar(&l.user, "user", "", "who acknowledges and mutes, as the alerts and chat show it (default $USER)")
	l.fleet.register(root)
	l.view.register(f)
	registerViewMode(f, &l.hubView)
}

// runRoot opens the TUI on --feed or $CALLTOP_FEED, or the demo.
func runRoot(cmd *cobra.Command, e env, live liveFlags) error {
	urls := e.feedURLs(live.feeds)
	if _, err := live.fleet.options(); err != nil {
		return err
	}
	live.tui = live.view.options(e)
	if len(urls) == 0 && live.hubView {
		return errViewNeedsFeed
	}
	if len(urls) == 0 {
		return runDemo(cmd.Context(), demoConfig{calls: defaultDemoCalls, speed: 1, stateDir: live.stateDir, fleet: live.fleet, tui: live.tui})
	}
	live.feeds = urls
	live.token = e.flagOrEnv(cmd, "token", live.token, "CALLTOP_TOKEN")
	return runLive(cmd.Context(), live)
}

// runLive is the TUI on a live feed, with the alert state kept and
// webhooks notified.
func runLive(ctx context.Context, live liveFlags) error {
	cfg := client.Config{URLs: live.feeds, Token: live.token, CAFile: live.caFile}
	ccfg := cfg
	if live.hubView {
		var err error
		if ccfg, err = viewConfig(cfg); err != nil {
			return err
		}
	}
	client, err := client.New(ccfg)
	if err != nil {
		return err
	}
	dir, err := stateDir(live.stateDir)
	if err != nil {
		return err
	}
	opts := engine.Options{Events: client.Events(), Logf: log.Printf} // the header names the URL in use; log is calltop.log
	if opts.Store, err = statefile.OpenStore(dir); err != nil {
		// A read-only state directory: run, without saving, and say so.
		opts.StoreProblem = "acks, silences and history are not saved (they last until you quit): " + err.Error()
	}
	if logs, err := openLog(dir); err == nil {
		defer logs.Close()
	} else {
		log.SetOutput(io.Discard) // nothing may write to the terminal under the TUI
	}
	// A team hub keeps the book. In view mode the probe is a view client
	// too: a subscriber of the whole feed would cost a loaded hub a
	// snapshot of every call, and a team hub on a bus every hub's stats.
	if w, ok := probeTeam(ctx, ccfg); ok {
		if live.hubView {
			return runTeamViewTUI(ctx, ccfg, w, live)
		}
		return runTeamTUI(ctx, cfg, w, live)
	}
	run := client.Run
	if live.hubView {
		stop := newFeedStopper()
		opts.View = &engine.ViewOptions{Send: client.Send, Refused: stop.stop}
		run = stop.wrap(client.Run)
	}
	var notifier *webhook.Notifier
	if len(live.webhooks) > 0 {
		notifier, err = webhook.NewNotifier(webhook.NotifierOptions{Webhooks: live.webhooks, Format: webhook.Format(live.format)})
		if err != nil {
			return err
		}
		opts.Deliveries = notifier.Reports()
	}
	fleet, _ := live.fleet.options() // checked in runRoot
	opts.NewBook = newFleetBook(notifier, fleet, live.user)
	err = runTUI(ctx, opts, live.tui, run)
	if notifier != nil {
		for _, lost := range closeNotifier(notifier, 3*time.Second) {
			log.Print("alert notification lost at exit: ", lost) // calltop.log
		}
	}
	return err
}

// newBook returns a maker of alert books that notify through n (if any).
func newBook(n *webhook.Notifier) func() *alert.Book {
	return newFleetBook(n, alert.FleetOptions{}, "")
}

func newMonitor() engine.Monitor { return diagnose.NewMonitor(diagnose.Options{}) }

// runTUI runs the engine, the feed producers and the Bubble Tea program
// until the user quits (or ctx ends); it stops everything it started and
// waits for it before returning.
func runTUI(ctx context.Context, opts engine.Options, topts tui.Options, producers ...func(context.Context) error) error {
	if opts.NewMonitor == nil {
		opts.NewMonitor = newMonitor
	}
	eng, err := engine.New(opts)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(producers)+1)
	for _, run := range append(producers, eng.Run) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errs <- err
			}
		}()
	}
	prog := tea.NewProgram(tui.New(controller{eng}, eng.Frames(), topts), tea.WithFPS(tuiFPS), tea.WithContext(ctx))
	_, perr := prog.Run()
	cancel()
	if !waitStopped(&wg, shutdownWait) {
		return perr
	}
	close(errs)
	if perr != nil && !errors.Is(perr, tea.ErrProgramKilled) {
		return perr
	}
	for err := range errs {
		return err
	}
	return nil
}

// waitStopped waits up to d for wg and reports whether it was done: the
// terminal is already restored; the feed gets a moment to close cleanly,
// but the user never waits on a busy source.
func waitStopped(wg *sync.WaitGroup, d time.Duration) bool {
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	select {
	case <-stopped:
		return true
	case <-time.After(d):
		return false
	}
}

// stateDir returns dir, or the default state directory.
func stateDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return statefile.DefaultStateDir()
}

// openLog sends the standard logger to calltop.log in dir, so nothing
// writes to the terminal while the TUI runs. Close restores nothing: the
// process is about to end.
func openLog(dir string) (io.Closer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "calltop.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	log.SetOutput(f)
	return f, nil
}

// controller turns the TUI's requests into engine commands.
type controller struct{ e *engine.Engine }

var _ tui.Controller = controller{}

// Focus implements tui.Controller.
func (c controller) Focus(callID string) { c.e.Focus(callID) }

// Ack implements tui.Controller.
func (c controller) Ack(alertKey, note string) { c.e.Ack(alertKey, note) }

// Mute implements tui.Controller.
func (c controller) Mute(r tui.MuteRequest) {
	c.e.Mute(team.MuteMatcher(r), r.For, r.UntilResolved, r.Note)
}

// Unmute implements tui.Controller.
func (c controller) Unmute(silenceID string) { c.e.Unmute(silenceID) }

// Unack implements tui.Controller.
func (c controller) Unack(alertKey string) { c.e.Unack(alertKey) }

// SetView implements tui.ViewController (nothing on a full feed).
func (c controller) SetView(q feed.ViewQuery) { c.e.SetView(q) }

// ReplayPause implements tui.Controller.
func (c controller) ReplayPause(paused bool) { c.e.ReplayPause(paused) }

// ReplaySeek implements tui.Controller.
func (c controller) ReplaySeek(d time.Duration) { c.e.ReplaySeek(d) }

// ReplaySpeed implements tui.Controller.
func (c controller) ReplaySpeed(factor float64) { c.e.ReplaySpeed(factor) }
