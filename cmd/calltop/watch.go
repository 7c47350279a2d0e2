package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
	"github.com/calltop/calltop/diagnose/alert/webhook"
	"github.com/calltop/calltop/feed/client"
)

// watchFlags are `calltop watch`'s flags.
type watchFlags struct {
	feeds       []string
	webhooks    []string
	format      string
	json        bool
	stateDir    string
	token       string
	caFile      string
	renotify    time.Duration
	ackTimeout  time.Duration
	minSeverity string
	routingKey  string        // PagerDuty's; a secret: never printed
	blindAfter  time.Duration // no data this long after start: feed-down
	fleet       fleetFlags
}

// watchBlindAfter is how long watch waits for its first data before it
// raises feed-down (which then fires after its 10 s grace): a watch that
// cannot see its feed pages within 30 s of starting.
const watchBlindAfter = 12 * time.Second

func newWatchCmd(e env) *cobra.Command {
	var w watchFlags
	cmd := &cobra.Command{
		Use:   "watch --feed URL [--webhook URL ...]",
		Short: "Run the alert engine without a TUI: alerts as log lines, webhooks, state file",
		Long: `watch connects to a calltop.v1 feed, diagnoses every call and runs the alert
engine: alerts fire after their rule's delay, resolve, and are posted to webhooks.
Every transition and action is written to stdout as one log line (logfmt, or JSON
with --json). Acks, silences and history are kept in the same state file as the
TUI's, so silences set in the TUI hold here. See docs/alerts.md.

On a team hub (calltop hub --team) watch keeps no book: it prints the hub's events
and posts nothing itself, since the hub posts each alert once (docs/team.md).`,
		Example: `  calltop watch --feed ws://127.0.0.1:7070/feed
  calltop watch --feed wss://feed.example/feed --token $T --ca ca.pem \
      --webhook https://hooks.slack.com/services/T/B/X --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w.feeds = e.feedURLs(w.feeds)
			w.token = e.flagOrEnv(cmd, "token", w.token, "CALLTOP_TOKEN")
			w.routingKey = e.flagOrEnv(cmd, "pagerduty-routing-key", w.routingKey, webhook.PagerDutyKeyEnv)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runWatch(ctx, w, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&w.feeds, "feed", nil, "feed URL (ws:// or wss://); repeat for failover (default $CALLTOP_FEED)")
	f.StringArrayVar(&w.webhooks, "webhook", nil, "post alerts to this webhook URL (repeatable)")
	f.StringVar(&w.format, "webhook-format", "slack", "webhook payload: slack, json or pagerduty (Events API v2; --webhook defaults to PagerDuty's)")
	f.StringVar(&w.routingKey, "pagerduty-routing-key", "", "PagerDuty integration routing key (default $"+webhook.PagerDutyKeyEnv+"; never logged)")
	f.BoolVar(&w.json, "json", false, "write JSON lines instead of logfmt")
	f.StringVar(&w.stateDir, "state-dir", "", "where acks, silences and alert history live (default $XDG_STATE_HOME/calltop or ~/.local/state/calltop)")
	f.StringVar(&w.token, "token", "", "bearer token for the feed (default $CALLTOP_TOKEN)")
	f.StringVar(&w.caFile, "ca", "", "PEM file of CA certificates to trust for wss://")
	f.DurationVar(&w.renotify, "renotify", 30*time.Minute, "re-post unacknowledged firing alerts this often (0 disables)")
	f.DurationVar(&w.ackTimeout, "ack-timeout", 0, "return acknowledged alerts to firing after this long (0: never)")
	f.StringVar(&w.minSeverity, "min-severity", "warning", "lowest finding severity that raises an alert: warning or critical")
	w.fleet.register(cmd)
	cmd.RegisterFlagCompletionFunc("webhook-format", cobra.FixedCompletions([]string{"slack", "json", "pagerduty"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc("min-severity", cobra.FixedCompletions([]string{"warning", "critical"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// watchBookOptions turns the flags into the book's options.
func watchBookOptions(w watchFlags) (alert.Options, error) {
	sev, err := diagnose.ParseSeverity(w.minSeverity)
	if err != nil || sev < diagnose.Warning {
		return alert.Options{}, fmt.Errorf("--min-severity %q: want warning or critical", w.minSeverity)
	}
	if w.renotify < 0 || w.ackTimeout < 0 {
		return alert.Options{}, errors.New("--renotify and --ack-timeout must not be negative")
	}
	fleet, err := w.fleet.options()
	if err != nil {
		return alert.Options{}, err
	}
	o := alert.Options{MinSeverity: sev, AckTimeout: w.ackTimeout, RenotifyEvery: w.renotify, EventMax: 10000, Fleet: fleet}
	if w.renotify == 0 {
		o.RenotifyEvery = -1 // the book's "disabled"
	}
	return o, nil
}

// runWatch runs client.Client -> engine (Monitor, Book) and prints the
// book's events until ctx ends or the feed refuses us for good.
func runWatch(ctx context.Context, w watchFlags, out, errOut io.Writer) error {
	urls := w.feeds
	if len(urls) == 0 {
		return errors.New("watch needs a feed: --feed URL or $CALLTOP_FEED")
	}
	bookOpts, err := watchBookOptions(w)
	if err != nil {
		return err
	}
	cfg := client.Config{URLs: urls, Token: w.token, CAFile: w.caFile}
	welcome, onTeam := probeTeam(ctx, cfg) // a team hub keeps the book and posts
	cfg.KeepUnknown = onTeam
	client, err := client.New(cfg)
	if err != nil {
		return err
	}
	dir := w.stateDir
	if dir == "" {
		if dir, err = statefile.DefaultStateDir(); err != nil {
			return err
		}
	}
	store, err := statefile.OpenStore(dir)
	if err != nil {
		return err
	}
	opts := engine.Options{Source: strings.Join(urls, ", "), Events: client.Events(), Store: store,
		NewMonitor:    func() engine.Monitor { return diagnose.NewMonitor(diagnose.Options{}) },
		FrameInterval: 250 * time.Millisecond, BlindAfter: w.blindAfter}
	if opts.BlindAfter == 0 {
		opts.BlindAfter = watchBlindAfter
	}
	if onTeam {
		return runTeamWatch(ctx, welcome, client, opts, w, out)
	}
	if w.format == string(webhook.FormatPagerDuty) && len(w.webhooks) == 0 {
		w.webhooks = []string{webhook.PagerDutyURL}
	}
	var notifier *webhook.Notifier
	if len(w.webhooks) > 0 {
		notifier, err = webhook.NewNotifier(webhook.NotifierOptions{Webhooks: w.webhooks, Format: webhook.Format(w.format),
			RoutingKey: w.routingKey})
		if err != nil {
			return err
		}
		opts.Deliveries = notifier.Reports()
		bookOpts.Sender = notifier
	}
	opts.NewBook = func() *alert.Book { return alert.NewBook(bookOpts) }
	eng, err := engine.New(opts)
	if err != nil {
		return err
	}
	p := &watchPrinter{log: newWatchLog(out, w.json)}
	p.note("info", "start", fmt.Sprintf("watching %s; state %s; %d webhooks", opts.Source, store.Path, len(w.webhooks)))
	err = watchRun(ctx, client, eng, p)
	if notifier != nil {
		for _, lost := range closeNotifier(notifier, 5*time.Second) {
			p.note("error", "notify-lost", lost)
		}
	}
	p.note("info", "stop", "watch stopped")
	return err
}

// watchRun runs the client and the engine, printing frames' events, until
// ctx ends (the client stops and closes its events, so the engine emits
// its last frame, saves and stops) or the client gives up for good.
func watchRun(ctx context.Context, client *client.Client, eng *engine.Engine, p *watchPrinter) error {
	engCtx, cancelEng := context.WithCancel(context.Background())
	defer cancelEng()
	// Should the engine not stop within 5 s of the end, stop it anyway.
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(5*time.Second, cancelEng) })
	defer stop()
	engDone := make(chan error, 1)
	go func() { engDone <- eng.Run(engCtx) }()
	clientCtx, cancelClient := context.WithCancel(ctx)
	defer cancelClient()
	clientDone := make(chan error, 1)
	go func() { clientDone <- client.Run(clientCtx) }()
	for f := range eng.Frames() { // closed when the engine stops
		p.frame(f)
	}
	cancelClient() // in case the engine stopped first
	clientErr := <-clientDone
	if err := <-engDone; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return clientErr
}

// watchPrinter writes the book's new events and feed state changes.
type watchPrinter struct {
	log       *watchLog
	lastEvent uint64
	feedState string
}

// frame prints what is new in f.
func (p *watchPrinter) frame(f engine.Frame) {
	st := f.Feed.State
	if st == "connecting" && p.feedState == "reconnecting" {
		st = p.feedState // one line per outage, not one per dial attempt
	}
	if st != "" && st != p.feedState {
		p.feedState = st
		text := "feed " + st
		if f.Feed.Reason != "" {
			text += ": " + f.Feed.Reason
		}
		level := "info"
		switch st {
		case "reconnecting", "stalled":
			level = "warn"
		case "failed":
			level = "error"
		}
		p.note(level, "feed", text)
	}
	evs := f.Alerts.Events
	if len(evs) > 0 && evs[0].Seq > p.lastEvent+1 && p.lastEvent > 0 {
		p.note("warn", "log-gap", fmt.Sprintf("%d events were dropped from the bounded event log before they could be printed", evs[0].Seq-p.lastEvent-1))
	}
	for _, e := range evs {
		if e.Seq <= p.lastEvent {
			continue
		}
		p.lastEvent = e.Seq
		p.log.event(e)
	}
}

// note prints a line of watch's own, stamped with the wall clock.
func (p *watchPrinter) note(level, event, msg string) { p.log.note(level, event, msg) }

// closeNotifier gives queued notifications up to grace, closes n and
// says which it could not send (from the reports the engine, already
// stopped, did not take), so none is dropped silently.
func closeNotifier(n *webhook.Notifier, grace time.Duration) []string {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	n.Close(ctx)
	cancel()
	var lost []string
	for d := range n.Reports() {
		if !d.OK && !d.Retrying {
			lost = append(lost, fmt.Sprintf("%s of %s to %s not sent: %s", d.Kind, alert.CleanText(d.Key), d.Webhook, d.Err))
		}
	}
	return lost
}
