package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/dump"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/ingest"
	"github.com/calltop/calltop/feed/sim"
)

// hubOptions are the flags of `calltop hub`.
type hubOptions struct {
	listen    string
	name      string
	token     string
	tlsCert   string
	tlsKey    string
	simulate  int
	scenarios []string
	seed      int64
	interval  time.Duration
	replay    string
	speed     float64
	loop      bool
	allowHost []string
	maxConns  int

	// Browser ingest (--ingest rtcstats): docs/ingest.md.
	ingest         []string
	ingestToken    string
	allowOrigins   []string
	ingestSessions int
	ingestRate     float64
	ingestMaxBytes int64

	// Team mode (--team): docs/team.md; its call history: docs/history.md.
	nats         hubNATSFlags
	team         hubTeamFlags
	history      hubHistoryFlags
	index        hubIndexFlags
	sessionBytes int
	clientBytes  int
}

func newHubCmd(e env) *cobra.Command {
	o := hubOptions{listen: "127.0.0.1:7070", name: "calltop-hub", speed: 1, interval: time.Second}
	cmd := &cobra.Command{
		Use:   "hub (--simulate N | --replay FILE) [--ingest rtcstats]",
		Short: "Serve a calltop.v1 feed of simulated, replayed or browsers' live calls",
		Long: `hub serves a calltop.v1 feed: WebSocket on /feed (subprotocol calltop.v1) and a health
check on /healthz. Every subscriber first gets hello, then one snapshot of every ongoing
call with its participants, then the live stream. A subscriber that falls too far behind
is disconnected (with the reason logged) and never slows the others.

Sources:
  --simulate N     N simulated calls at a time, ending and starting over time; scenarios
                   from --scenario (default: mostly good calls with some of each problem).
  --replay FILE    a recording (calltop record) or a dump, with its original spacing
                   divided by --speed; --loop starts over, ending the calls still going.
  --ingest rtcstats
                   browsers' live calls: web apps with the rtcstats client (npm
                   @jitsi/rtcstats or rtcstats) point it at ws://HOST/rtcstats/<meeting>;
                   each browser session becomes a participant, sessions of one meeting
                   one call. Combines with --simulate or --replay. See docs/ingest.md.

Security: the hub listens on loopback (127.0.0.1:7070) by default. Listening on any other
address needs --token (or $CALLTOP_TOKEN); clients then send "Authorization: Bearer
<token>" or ?token=<token>. --tls-cert and --tls-key serve wss://. The ingest has its
own token (--ingest-token or $CALLTOP_INGEST_TOKEN, required off loopback): it sits in
web pages, so it must not also open the feed. Browsers' pages must come from the hub's
own host or an origin given with --allow-origin. Without a token the hub answers only
loopback host names (a web page on a name rebound to 127.0.0.1 is refused); --allow-host
adds one. It holds at most --max-conns connections, a quarter kept for subscribers, and
bounds each browser client's memory (docs/ingest.md).

Team mode (--team, docs/team.md): the hub runs the diagnosis and the alert book once
for everyone it serves, keeps acks, silences and history in --state-dir, posts to
--webhook once for the team, and streams the book to subscribers, who act on it as
users with roles (calltop hub user add; the --token is a shared admin). Every command
is attributed and written to audit.log. --ssh serves the TUI itself to keys in
--authorized-keys. Off loopback a team hub also needs TLS.

Hubs on a bus (--nats URL[,URL...], docs/scaling.md): each hub publishes its own calls
on NATS, named <hub-id>/<call-id> (--hub-id, default HOST-PORT), and serves every hub's;
the calls of a hub that stops or goes quiet are shown elsewhere as "source lost" until it
comes back, and end after --nats-lost-for (60 s). --nats alone, with no source, serves
the other hubs' calls.

The protocol is described in docs/feed-protocol.md. Stop with Ctrl-C (or SIGTERM):
subscribers get a close frame.`,
		Example: `  calltop hub --simulate 50
  calltop hub --simulate 200 --scenario wifi-loss,high-rtt --seed 7 --speed 4
  calltop hub --replay incident.jsonl.gz --speed 8 --loop
  calltop hub --ingest rtcstats --allow-origin https://app.example.com
  CALLTOP_TOKEN=s3cret calltop hub --listen 0.0.0.0:7070 --simulate 100 \
      --tls-cert hub.pem --tls-key hub.key
  calltop hub --simulate 500 --nats nats://n1:4222,nats://n2:4222 --hub-id eu-1
  calltop hub user add dana --role responder --state-dir /var/lib/calltop > dana.token
  calltop hub --team --state-dir /var/lib/calltop --simulate 50 --webhook https://hooks.example/T/B/X
  calltop hub --team --state-dir /var/lib/calltop --simulate 50 \
      --ssh 0.0.0.0:2222 --authorized-keys /etc/calltop/authorized_keys`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.token = e.flagOrEnv(cmd, "token", o.token, "CALLTOP_TOKEN")
			o.ingestToken = e.flagOrEnv(cmd, "ingest-token", o.ingestToken, "CALLTOP_INGEST_TOKEN")
			o.index.resolve(cmd, &o)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runHub(ctx, o, cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", o.listen, "address to listen on (host:port)")
	f.StringVar(&o.name, "name", o.name, "server name sent to subscribers in hello")
	f.StringVar(&o.token, "token", "", "token subscribers must present (default $CALLTOP_TOKEN)")
	f.StringVar(&o.tlsCert, "tls-cert", "", "TLS certificate (PEM) to serve wss://")
	f.StringVar(&o.tlsKey, "tls-key", "", "TLS private key (PEM) for --tls-cert")
	f.IntVar(&o.simulate, "simulate", 0, "serve this many simulated calls at a time")
	f.StringSliceVar(&o.scenarios, "scenario", nil, "simulator scenarios, comma-separated (default: a mix)")
	f.Int64Var(&o.seed, "seed", 0, "simulator seed: the same seed gives the same calls")
	f.DurationVar(&o.interval, "interval", o.interval, "simulator stats interval (feed time)")
	f.StringVar(&o.replay, "replay", "", "replay this recording or dump")
	f.Float64Var(&o.speed, "speed", o.speed, "run feed time this many times faster than the clock")
	f.BoolVar(&o.loop, "loop", false, "with --replay: start over at the end")
	f.StringSliceVar(&o.allowHost, "allow-host", nil, "without a token, also answer requests for this host name (loopback names always; repeat or comma-separate)")
	f.IntVar(&o.maxConns, "max-conns", 0, "most connections at once, a quarter kept for subscribers (default 1024, or the open-file limit less 64)")
	f.StringSliceVar(&o.ingest, "ingest", nil, "accept browsers' live stats: rtcstats (on /rtcstats/<meeting>)")
	f.StringVar(&o.ingestToken, "ingest-token", "", "token browsers must present to /rtcstats (default $CALLTOP_INGEST_TOKEN)")
	f.StringSliceVar(&o.allowOrigins, "allow-origin", nil, "web page origins allowed to send rtcstats (https://app.example.com, or *)")
	f.IntVar(&o.ingestSessions, "ingest-max-sessions", ingest.DefaultMaxSessions, "most browser sessions at once; more are refused")
	f.Float64Var(&o.ingestRate, "ingest-rate", ingest.DefaultRate, "messages a second one browser may send before it is slowed down")
	f.Int64Var(&o.ingestMaxBytes, "ingest-max-bytes", ingest.DefaultMaxMessageBytes, "largest message a browser may send")
	f.IntVar(&o.sessionBytes, "ingest-max-session-bytes", ingest.DefaultSessionBytes, "most memory one browser session's stats may hold; over it the session is ended")
	f.IntVar(&o.clientBytes, "ingest-max-client-bytes", ingest.DefaultClientBytes, "most memory the sessions of one client address may hold, departed ones included")
	_ = cmd.RegisterFlagCompletionFunc("scenario", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return append(sim.ScenarioNames(), sim.FleetScenarioNames()...), cobra.ShellCompDirectiveNoFileComp
	})
	cmd.MarkFlagsMutuallyExclusive("simulate", "replay")
	cmd.MarkFlagsRequiredTogether("tls-cert", "tls-key")
	o.nats.register(cmd)
	o.team.register(cmd)
	o.history.register(cmd)
	o.index.register(cmd)
	cmd.AddCommand(newHubUserCmd(e))
	return cmd
}

// runHub serves the hub until ctx ends; the sources run beside it.
func runHub(ctx context.Context, o hubOptions, stderr io.Writer) error {
	logger := log.New(stderr, "calltop ", log.LstdFlags)
	if err := checkTokens(o); err != nil {
		return err
	}
	if err := hub.CheckListen(o.listen, o.token); err != nil && !o.team.on { // team: setupTeam checks
		return err
	}
	if err := checkSpeed(o.speed); err != nil {
		return err
	}
	if err := checkIngest(o); err != nil {
		return err
	}
	if err := o.nats.check(); err != nil {
		return err
	}
	var sources []hub.Source
	var whats []string
	if o.simulate != 0 || o.replay != "" || (len(o.ingest) == 0 && !o.nats.on()) { // --nats alone: a hub of the others' calls
		source, what, err := hubSource(o, logger)
		if err != nil {
			return err
		}
		sources, whats = append(sources, source), append(whats, what)
	}
	ln, tlsConf, err := hubListener(o)
	if err != nil {
		return err
	}
	if o.team.on {
		o.nats.partitionTeam(ln.Addr().String()) // on the bus: each team hub diagnoses its own calls
	}
	hc := setupIndex(&o, hub.Config{Name: o.name, Token: o.token, TLS: tlsConf, AllowHosts: o.allowHost,
		MaxConns: o.maxConns, Logf: logger.Printf})
	if o.nats.part != nil {
		o.nats.part.index = o.index.server // the index takes the other hubs' rows in and shares its own
	}
	hc, teamMode, err := setupTeam(o, hc, logger)
	if err != nil {
		ln.Close()
		return err
	}
	o.nats.hubConfig(&hc)
	feedHub := hub.New(hc)
	pub, runBus, err := o.nats.join(feedHub, ln.Addr().String(), logger) // pub is feedHub without --nats
	if err != nil {
		ln.Close()
		return err
	}
	if o.nats.on() {
		whats = append(whats, "every hub's calls on NATS")
	}
	scheme := "ws"
	if o.tlsCert != "" {
		scheme = "wss"
	}
	var routes []hub.Route
	if len(o.ingest) > 0 {
		ing := ingest.New(pub, ingest.Config{Token: o.ingestToken, AllowOrigins: o.allowOrigins, AllowHosts: o.allowHost,
			MaxSessions: o.ingestSessions, Rate: o.ingestRate, MaxMessageBytes: o.ingestMaxBytes,
			SessionBytes: o.sessionBytes, ClientBytes: o.clientBytes, Logf: logger.Printf})
		routes = append(routes, hub.Route{Pattern: "/rtcstats", Handler: ing}, hub.Route{Pattern: "/rtcstats/", Handler: ing})
		feedHub.HealthOf("ingest", func() any { return ing.Stats() })
		// It publishes into the hub given to New: its calls are its own.
		sources = append(sources, func(ctx context.Context, _ hub.Publisher) error { return ing.Run(ctx) })
		whats = append(whats, fmt.Sprintf("browsers' rtcstats (sent to %s://%s/rtcstats/<meeting>)", scheme, ln.Addr()))
	}
	logger.Printf("hub: serving %s on %s://%s/feed (health: /healthz)", strings.Join(whats, " and "), scheme, ln.Addr())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(sources))
	for i, source := range sources {
		p := pub
		if len(sources) > 1 {
			p = hub.Scoped(pub) // a looping replay ends only its own calls
		}
		wg.Go(func() {
			if errs[i] = source(ctx, p); errs[i] != nil {
				logger.Printf("hub: source stopped: %v", errs[i])
				cancel()
			} else if ctx.Err() == nil {
				logger.Printf("hub: source finished; still serving its last state (Ctrl-C to stop)")
			}
		})
	}
	if runBus != nil {
		wg.Go(func() { runBus(ctx) }) // at the end it says goodbye on the bus
	}
	var teamErr error
	if teamMode != nil {
		defer teamMode.close()
		wg.Go(func() {
			if teamErr = teamMode.run(ctx, feedHub); teamErr != nil {
				logger.Printf("hub: team mode stopped: %v", teamErr)
				cancel()
			}
		})
	}
	if teamMode != nil {
		routes = append(routes, teamMode.routes...)
	}
	var indexErr error
	if o.index.on {
		logger.Printf("hub: call index on: view clients (/feed?view=1) get windows of the diagnosed calls")
		wg.Go(func() {
			if indexErr = runIndex(ctx, o, feedHub); indexErr != nil {
				logger.Printf("hub: call index stopped: %v", indexErr)
				cancel()
			}
		})
	}
	err = feedHub.Serve(ctx, ln, routes...)
	cancel()
	wg.Wait()
	st := feedHub.Stats()
	logger.Printf("hub: stopped after %d messages; %d slow subscribers dropped, %d requests refused, %d idle connections shed", st.Published, st.Dropped, st.Refused, st.Shed)
	if err != nil {
		return err
	}
	return errors.Join(append(errs, teamErr, indexErr)...)
}

// checkIngest validates the --ingest flags.
func checkIngest(o hubOptions) error {
	for _, kind := range o.ingest {
		if kind != "rtcstats" {
			return fmt.Errorf("--ingest %q: the only ingest is rtcstats", kind)
		}
	}
	if len(o.ingest) == 0 {
		return nil
	}
	if !hub.IsLoopback(o.listen) && o.ingestToken == "" {
		return fmt.Errorf("refusing to accept browsers' stats on %s without a token: it is not a loopback address; pass --ingest-token or set CALLTOP_INGEST_TOKEN", o.listen)
	}
	if o.ingestSessions <= 0 || o.ingestRate <= 0 || o.ingestMaxBytes <= 0 || o.sessionBytes <= 0 || o.clientBytes <= 0 {
		return errors.New("--ingest-max-sessions, --ingest-rate, --ingest-max-bytes, --ingest-max-session-bytes and --ingest-max-client-bytes must be positive")
	}
	return nil
}

// checkTokens refuses a token no client could present (blank, spaces at
// its ends, control characters) and an ingest token equal to the feed's:
// the ingest token sits in web pages, so it must not open the feed.
func checkTokens(o hubOptions) error {
	for _, t := range []struct{ flag, env, token string }{
		{"--token", "CALLTOP_TOKEN", o.token}, {"--ingest-token", "CALLTOP_INGEST_TOKEN", o.ingestToken},
	} {
		if t.token != "" && (strings.TrimSpace(t.token) != t.token || strings.TrimSpace(t.token) == "" || feed.LogSafe(t.token) != t.token) {
			return fmt.Errorf("%s (or $%s) is blank, has spaces at its ends or control characters: no client could send it; choose another", t.flag, t.env)
		}
	}
	if o.token != "" && o.token == o.ingestToken {
		return errors.New("--ingest-token equals --token: the ingest token sits in web pages anyone can read, so it must not also open the feed; choose two tokens")
	}
	if o.maxConns < 0 {
		return fmt.Errorf("--max-conns %d: must be positive (0 for the default)", o.maxConns)
	}
	return nil
}

// hubSource builds the source the flags ask for and says what it serves.
func hubSource(o hubOptions, logger *log.Logger) (hub.Source, string, error) {
	switch {
	case o.simulate > 0:
		s, err := sim.New(sim.Config{Calls: o.simulate, Scenarios: o.scenarios, Seed: o.seed,
			Start: time.Now().UTC().Truncate(time.Second), Interval: o.interval,
			// Over the wire a stats object's timestamp equal to the message's
			// ts is left out (feed.Decode restores it): under 1.5 KB a sample.
			ElideStatTimestamps: true})
		if err != nil {
			return nil, "", err
		}
		what := fmt.Sprintf("%d simulated calls", o.simulate)
		if len(o.scenarios) > 0 {
			what += " (" + strings.Join(o.scenarios, ", ") + ")"
		}
		return hub.StepSource(s.StepEach, o.interval, o.speed), what, nil
	case o.replay != "":
		loaded, err := dump.Load(o.replay)
		if err != nil {
			return nil, "", err
		}
		for i, p := range loaded.Problems {
			if i == 5 {
				logger.Printf("hub: ... and %d more unusable lines", len(loaded.Problems)-5)
				break
			}
			logger.Printf("hub: skipping %v", p)
		}
		if len(loaded.Records) == 0 {
			return nil, "", fmt.Errorf("%s: nothing to replay", o.replay)
		}
		what := fmt.Sprintf("%s (%s, %d frames) at %gx", o.replay, loaded.Format, len(loaded.Records), o.speed)
		if o.loop {
			what += ", looping"
		}
		return hub.ReplaySource(loaded.Records, o.speed, o.loop), what, nil
	case o.simulate < 0:
		return nil, "", fmt.Errorf("--simulate %d: need at least one call", o.simulate)
	}
	return nil, "", errors.New("nothing to serve: give --simulate N, --replay FILE or --ingest rtcstats")
}

// hubListener listens on o.listen, with TLS when a certificate is given.
func hubListener(o hubOptions) (net.Listener, *tls.Config, error) {
	var tlsConf *tls.Config
	if o.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return nil, nil, fmt.Errorf("TLS certificate: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return nil, nil, err
	}
	return ln, tlsConf, nil // the hub serves TLS above its connection cap
}
