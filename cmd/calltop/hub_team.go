package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/time/rate"

	"github.com/calltop/calltop/cmd/calltop/team"
	"github.com/calltop/calltop/diagnose/alert/statefile"
	"github.com/calltop/calltop/diagnose/alert/webhook"
	"github.com/calltop/calltop/feed/hub"
)

// hubTeamFlags are hub's team-mode flags (docs/team.md).
type hubTeamFlags struct {
	on             bool
	stateDir       string
	webhooks       []string
	format         string
	ssh            string
	authorizedKeys string
	sshIdle        time.Duration
	sshSessions    int
	rate           float64
}

// register adds the team flags to hub.
func (t *hubTeamFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&t.on, "team", false, "team mode: run the alert engine once here for every subscriber, with users and roles")
	f.StringVar(&t.stateDir, "state-dir", "", "team mode: where users, acks, silences, history, the audit log and the SSH host key live (default $XDG_STATE_HOME/calltop)")
	f.StringArrayVar(&t.webhooks, "webhook", nil, "team mode: post the team's alerts to this webhook URL, once (repeatable)")
	f.StringVar(&t.format, "webhook-format", "slack", "team mode: webhook payload: slack, json or pagerduty")
	f.StringVar(&t.ssh, "ssh", "", "team mode: serve the TUI over SSH on this address (host:port)")
	f.StringVar(&t.authorizedKeys, "authorized-keys", "", "with --ssh: authorized_keys file; a key's user is its name= option or comment")
	f.DurationVar(&t.sshIdle, "ssh-idle-timeout", team.DefaultIdleTimeout, "with --ssh: end a session after this long without a keystroke")
	f.IntVar(&t.sshSessions, "ssh-max-sessions", team.DefaultMaxSessions, "with --ssh: most SSH sessions at once")
	f.Float64Var(&t.rate, "command-rate", team.DefaultRate, "team mode: commands a second one user may send")
}

// checkHubListen refuses what a hub must not do: off loopback without a
// token, and for a team hub also without TLS (its users' tokens and
// commands cross the network).
func checkHubListen(o hubOptions, users *team.Users) error {
	if !o.team.on {
		return hub.CheckListen(o.listen, o.token)
	}
	if o.team.ssh != "" && o.team.authorizedKeys == "" {
		return errors.New("--ssh needs --authorized-keys FILE: only listed keys may log in")
	}
	if hub.IsLoopback(o.listen) {
		return hub.CheckListen(o.listen, o.token)
	}
	list, err := users.List()
	if err != nil {
		return err
	}
	if o.token == "" && len(list) == 0 {
		return fmt.Errorf("refusing to listen on %s without tokens: add users (calltop hub user add) or pass --token", o.listen)
	}
	if o.tlsCert == "" {
		return fmt.Errorf("refusing to serve a team hub on %s without TLS: give --tls-cert and --tls-key", o.listen)
	}
	return nil
}

// teamHub is what runHub needs of team mode: the hub config with the
// team's hooks, and what to run beside the hub.
type teamHub struct {
	run    func(ctx context.Context, h *hub.Hub) error
	close  func()
	routes []hub.Route // served beside the feed (history)
}

// setupTeam prepares team mode: state, users, audit log, webhooks, the
// engine and SSH. It returns hc with the team's hooks set.
func setupTeam(o hubOptions, hc hub.Config, logger *log.Logger) (hub.Config, *teamHub, error) {
	if !o.team.on {
		if o.team.ssh != "" || len(o.team.webhooks) > 0 || o.team.stateDir != "" {
			return hc, nil, errors.New("--state-dir, --webhook and --ssh are team mode flags: add --team")
		}
		return hc, nil, nil
	}
	dir, err := stateDir(o.team.stateDir)
	if err != nil {
		return hc, nil, err
	}
	users, err := team.OpenUsers(dir)
	if err != nil {
		return hc, nil, err
	}
	if err := checkHubListen(o, users); err != nil {
		return hc, nil, err
	}
	store, err := statefile.OpenStore(dir)
	if err != nil {
		return hc, nil, err
	}
	audit, err := team.OpenAudit(dir)
	if err != nil {
		return hc, nil, err
	}
	hist, err := openTeamHistory(o, dir, logger)
	if err != nil {
		audit.Close()
		return hc, nil, err
	}
	var notifier *webhook.Notifier
	cfg := team.Config{Name: o.name, SharedToken: o.token, Users: users, Audit: audit, Store: store,
		NewMonitor: newMonitor, Logf: logger.Printf, Rate: rate.Limit(o.team.rate), AllowHosts: o.allowHost}
	if hist != nil {
		cfg.History, cfg.Ended, cfg.NewMonitor = hist.store, hist.ended, hist.newMonitor
	}
	if o.index.server != nil {
		cfg.Snapshots = o.index.server.Sync // the call index reuses the team's diagnosis
	}
	if len(o.team.webhooks) > 0 {
		notifier, err = webhook.NewNotifier(webhook.NotifierOptions{Webhooks: o.team.webhooks, Format: webhook.Format(o.team.format)})
		if err != nil {
			audit.Close()
			return hc, nil, err
		}
		cfg.Deliveries = notifier.Reports()
	}
	cfg.NewBook = newBook(notifier)
	o.nats.teamConfig(&cfg) // hubs on a bus: diagnose only this hub's calls (hub_nats.go)
	srv, err := team.NewServer(cfg)
	if err != nil {
		audit.Close()
		return hc, nil, err
	}
	th := &teamHub{close: func() {
		if notifier != nil {
			cctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			notifier.Close(cctx)
			cancel()
		}
		audit.Close()
	}}
	th.routes = srv.HistoryRoutes()
	th.run = func(ctx context.Context, h *hub.Hub) error {
		if hist == nil {
			return runTeamServer(ctx, o, srv, h, dir, logger)
		}
		hctx, stop := context.WithCancel(context.Background()) // the writer outlives the engine: it gets every last call
		done := make(chan error, 1)
		go func() { done <- hist.run(hctx) }()
		err := runTeamServer(ctx, o, srv, h, dir, logger)
		stop()
		if herr := <-done; err == nil {
			err = herr
		}
		return err
	}
	logger.Printf("hub: team mode; state in %s (users, alert state, audit.log, history.db)", dir)
	return srv.HubConfig(hc), th, nil
}

// runTeamServer runs the team engine and, with --ssh, the SSH server.
func runTeamServer(ctx context.Context, o hubOptions, srv *team.Server, h *hub.Hub, dir string, logger *log.Logger) error {
	if o.team.ssh == "" {
		return srv.Run(ctx, h)
	}
	ssh, err := team.NewSSH(team.SSHConfig{Addr: o.team.ssh, AuthorizedKeys: o.team.authorizedKeys, StateDir: dir,
		IdleTimeout: o.team.sshIdle, MaxSessions: o.team.sshSessions, NewMonitor: newMonitor, Logf: logger.Printf}, srv)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.team.ssh)
	if err != nil {
		return fmt.Errorf("--ssh: %w", err)
	}
	logger.Printf("hub: the TUI over SSH on %s (keys in %s)", ln.Addr(), o.team.authorizedKeys)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- srv.Run(ctx, h) }()
	select {
	case <-srv.Ready():
	case err := <-errc:
		return err
	}
	err = ssh.Serve(ctx, ln)
	cancel()
	return errors.Join(err, <-errc)
}
