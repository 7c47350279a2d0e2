package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/cmd/calltop/team"
	"github.com/calltop/calltop/diagnose/alert/natsstate"
	"github.com/calltop/calltop/diagnose/history"
	"github.com/calltop/calltop/diagnose/history/natshistory"
	"github.com/calltop/calltop/feed/bus"
)

// hubJetFlags are a team hub's flags for its state on JetStream (--team
// --nats, docs/team.md "Team hubs on NATS").
type hubJetFlags struct {
	replicas    int
	endedMaxAge time.Duration
	endedMaxMB  int64
}

// The ended-call stream's default limits.
const (
	defaultEndedAge = 7 * 24 * time.Hour
	defaultEndedMB  = 1024
)

// register adds the flags to hub.
func (f *hubJetFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.IntVar(&f.replicas, "js-replicas", 0, "team mode with --nats: copies of the team's JetStream buckets and stream when created (0: 3, or fewer on a smaller cluster)")
	fl.DurationVar(&f.endedMaxAge, "ended-max-age", defaultEndedAge, "team mode with --nats: keep ended calls in the CALLTOP_ENDED stream this long (what a history writer that was away can catch up on)")
	fl.Int64Var(&f.endedMaxMB, "ended-max-size-mb", defaultEndedMB, "team mode with --nats: keep at most this many MB of ended calls in the CALLTOP_ENDED stream")
}

// check refuses bad values and the flags without --team --nats (zero
// is taken for unset, as in options built without the flags).
func (f *hubJetFlags) check(o hubOptions) error {
	set := f.replicas != 0 || (f.endedMaxAge != 0 && f.endedMaxAge != defaultEndedAge) ||
		(f.endedMaxMB != 0 && f.endedMaxMB != defaultEndedMB)
	if !o.team.on || !o.nats.on() {
		if set {
			return errors.New("--js-replicas, --ended-max-age and --ended-max-size-mb need --team and --nats")
		}
		return nil
	}
	if f.replicas < 0 || f.replicas > 5 {
		return fmt.Errorf("--js-replicas %d: want 0 (automatic) to 5", f.replicas)
	}
	if f.endedMaxAge <= 0 || f.endedMaxMB <= 0 {
		return errors.New("--ended-max-age and --ended-max-size-mb must be positive")
	}
	return nil
}

// teamJet is a team hub's connection to JetStream and what it keeps
// there: the alert state, the users, the ended calls.
type teamJet struct {
	nc    *nats.Conn
	js    jetstream.JetStream
	hubID string
	state *natsstate.Store
	users *team.KVUsers
}

// jetHubID is the hub's id for its key in the team bucket: --hub-id, or
// the bus's default for the listen address, which must then have a port.
func jetHubID(o hubOptions) (string, error) {
	if o.nats.hubID != "" {
		return o.nats.hubID, nil
	}
	if strings.HasSuffix(o.listen, ":0") {
		return "", errors.New("--team with --nats on port 0 needs --hub-id: it names this hub's book in the team's JetStream bucket")
	}
	return bus.DefaultHubID(o.listen), nil
}

// connectJet connects to the NATS servers for JetStream (a connection of
// its own beside the bus's, named after the hub).
func connectJet(urls []string, creds, name string, logger *log.Logger) (*nats.Conn, jetstream.JetStream, error) {
	opts := []nats.Option{nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond)}
	if creds != "" {
		opts = append(opts, nats.UserCredentials(creds))
	}
	if logger != nil {
		opts = append(opts, nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				logger.Printf("team: JetStream connection lost: %v", err)
			}
		}), nats.ReconnectHandler(func(nc *nats.Conn) { logger.Printf("team: JetStream connection back (%s)", nc.ConnectedUrlRedacted()) }))
	}
	nc, err := nats.Connect(strings.Join(urls, ","), opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("--nats: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// openTeamJet opens the team's buckets for this hub.
func openTeamJet(o hubOptions, logger *log.Logger) (*teamJet, error) {
	id, err := jetHubID(o)
	if err != nil {
		return nil, err
	}
	nc, js, err := connectJet(o.nats.urls, o.nats.creds, "calltop team hub "+id, logger)
	if err != nil {
		return nil, err
	}
	var state *natsstate.Store
	err = jetReady(logger, func(ctx context.Context) (err error) {
		state, err = natsstate.Open(ctx, natsstate.Config{JS: js, HubID: id, Replicas: o.team.jet.replicas})
		return err
	})
	if err != nil {
		nc.Close()
		return nil, err
	}
	var users *team.KVUsers
	err = jetReady(logger, func(ctx context.Context) (err error) {
		users, err = team.OpenKVUsers(ctx, js, "", o.team.jet.replicas)
		return err
	})
	if err != nil {
		nc.Close()
		return nil, err
	}
	users.Follow()
	return &teamJet{nc: nc, js: js, hubID: id, state: state, users: users}, nil
}

// close stops following the users and closes the connection.
func (j *teamJet) close() {
	j.users.Close()
	j.nc.Close()
}

// natsStateStore is the team bucket as the engine's StateStore.
type natsStateStore struct{ *natsstate.Store }

// NewSyncer returns the bucket's Syncer.
func (s natsStateStore) NewSyncer() engine.StateSyncer { return s.Store.NewSyncer() }

// jetHistory sends a team hub's ended calls through the CALLTOP_ENDED
// stream and stores every hub's into th's store.
func (j *teamJet) jetHistory(o hubOptions, th *teamHistory, logger *log.Logger) error {
	var stream jetstream.Stream
	err := jetReady(logger, func(ctx context.Context) (err error) {
		stream, err = natshistory.OpenStream(ctx, j.js, natshistory.StreamConfig{Replicas: o.team.jet.replicas,
			MaxAge: o.team.jet.endedMaxAge, MaxBytes: o.team.jet.endedMaxMB << 20})
		return err
	})
	if err != nil {
		return err
	}
	th.pub = natshistory.NewPublisher(natshistory.PublisherConfig{JS: j.js, HubID: j.hubID, Logf: logger.Printf})
	th.consumer = natshistory.NewWriter(natshistory.WriterConfig{Stream: stream, Durable: "history-" + j.hubID,
		Store: th.store, MaxAge: o.history.maxAge, MaxBytes: o.history.maxSize << 20, Logf: logger.Printf})
	return nil
}

// jetHealth is the team's JetStream part of /healthz.
func (j *teamJet) jetHealth(th *teamHistory) func() any {
	return func() any {
		h := map[string]any{"connected": j.nc.IsConnected(), "hubId": j.hubID, "bucket": natsstate.DefaultBucket,
			"usersBucket": team.DefaultUsersBucket}
		if th != nil && th.pub != nil {
			h["endedPublished"], h["endedStored"] = th.pub.Stats(), th.consumer.Stats()
		}
		return h
	}
}

// addEnded is where th's ended calls go: the stream with --nats, else
// the local writer.
func (th *teamHistory) addEnded(c history.Call) {
	if th.pub != nil {
		th.pub.Add(c)
		return
	}
	th.writer.Add(c)
}

// jetReadyFor is how long a team hub waits at start for JetStream to
// answer; jetTry is how long one try may take.
const (
	jetReadyFor = 60 * time.Second
	jetTry      = 5 * time.Second
)

// jetReady runs open until it succeeds, tries again while JetStream does
// not answer (a cluster that is starting has no meta leader yet: its API
// requests go unanswered rather than refused), and gives up after
// jetReadyFor with the last error. Any other error is returned at once.
func jetReady(logger *log.Logger, open func(ctx context.Context) error) error {
	deadline := time.Now().Add(jetReadyFor)
	said := false
	for {
		ctx, cancel := context.WithTimeout(context.Background(), jetTry)
		err := open(ctx)
		cancel()
		if err == nil || !jetNotReady(err) || time.Now().After(deadline) {
			return err
		}
		if !said {
			logger.Printf("hub: JetStream does not answer yet (%v); trying again for up to %s", err, jetReadyFor)
			said = true
		}
		time.Sleep(500 * time.Millisecond) // a retry's pause, not synchronisation
	}
}

// jetNotReady says whether err is JetStream not answering yet.
func jetNotReady(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrJetStreamNotEnabled) ||
		strings.Contains(err.Error(), "temporarily unavailable")
}
