package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/cmd/calltop/partition"
	"github.com/calltop/calltop/cmd/calltop/team"
	"github.com/calltop/calltop/cmd/calltop/viewserve"
	"github.com/calltop/calltop/feed/bus"
	"github.com/calltop/calltop/feed/hub"
)

// hubNATSFlags join a hub to others over NATS (docs/scaling.md).
type hubNATSFlags struct {
	urls    []string
	creds   string
	hubID   string
	lostFor time.Duration
	part    *hubPartition // team hubs on the bus: each diagnoses its own calls
	demand  chan struct{} // a team hub's subscribers changed what they want (hubConfig)
}

// register adds the NATS flags to hub.
func (f *hubNATSFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringSliceVar(&f.urls, "nats", nil, "join the hubs on these NATS servers (nats://host:4222, comma-separated): every hub's calls are seen through any of them")
	fl.StringVar(&f.creds, "nats-creds", "", "with --nats: a NATS credentials file (JWT and NKey seed)")
	fl.StringVar(&f.hubID, "hub-id", "", "with --nats: this hub's name on the bus, the prefix of its call ids (default HOST-PORT)")
	fl.DurationVar(&f.lostFor, "nats-lost-for", bus.DefaultLostFor, `with --nats: how long another hub's calls stay marked "source lost" after it stops or goes quiet, waiting for it to come back, before they end`)
}

// on reports whether --nats was given.
func (f *hubNATSFlags) on() bool { return len(f.urls) > 0 }

// check refuses the NATS options without --nats and a bad hub id.
func (f *hubNATSFlags) check() error {
	if !f.on() {
		if f.creds != "" || f.hubID != "" || f.lostFor != bus.DefaultLostFor {
			return errors.New("--nats-creds, --hub-id and --nats-lost-for need --nats")
		}
		return nil
	}
	if f.lostFor <= 0 {
		return fmt.Errorf("--nats-lost-for %s: must be positive", f.lostFor)
	}
	if f.hubID != "" {
		return bus.CheckHubID(f.hubID)
	}
	return nil
}

// join connects feedHub to the bus and returns the publisher its sources
// publish through and the node's run loop; without --nats, feedHub itself
// and nil.
func (f *hubNATSFlags) join(feedHub *hub.Hub, listen string, logger *log.Logger) (hub.Publisher, func(context.Context) error, error) {
	if !f.on() {
		return feedHub, nil, nil
	}
	cfg := bus.Config{URLs: f.urls, CredsFile: f.creds, HubID: f.id(listen), LostFor: f.lostFor, Logf: logger.Printf}
	if f.part != nil {
		// Publish is set before the node exists: the node's receiving
		// goroutine hands the board the other hubs' findings at once.
		f.part.board.Publish = func(frame []byte) { feedHub.PublishFrame(frame) }
		cfg.Rows = f.part.board.Peer
	}
	if x := f.partIndex(); x != nil {
		cfg.View, cfg.ViewFull, cfg.Lost = x.Peer, x.FullView, x.PeerLost
	}
	if f.demand != nil {
		cfg.StatsWanted, cfg.StatsChanged = feedHub.StatsDemand, f.demand
	}
	node, err := bus.Connect(cfg, feedHub)
	if err != nil {
		return nil, nil, err
	}
	feedHub.HealthOf("bus", func() any { return node.Stats() })
	if f.part != nil {
		f.part.board.SetShare(node.ShareRows)
	}
	run := node.Run
	if x := f.partIndex(); x != nil {
		run = func(ctx context.Context) error {
			go x.Share(ctx, node.ShareView, viewserve.ShareInterval)
			return node.Run(ctx)
		}
	}
	return node.Publisher(), run, nil
}

// hubConfig makes a team hub on the bus take the other hubs' stats only
// while its subscribers want them (bus.Config.StatsWanted): its engine
// diagnoses its own calls and its view index takes the others' rows, so
// with only view clients connected it takes the stats of their open calls.
func (f *hubNATSFlags) hubConfig(hc *hub.Config) {
	if f.part == nil {
		return
	}
	f.demand = make(chan struct{}, 1)
	hc.DemandChanged = func() {
		select {
		case f.demand <- struct{}{}:
		default: // one signal pending is enough: the demand is read whole
		}
	}
}

// partIndex is a team hub's call index on the bus (nil: none): it takes
// the other hubs' rows in and shares its own (viewserve/peers.go).
func (f *hubNATSFlags) partIndex() *viewserve.Server {
	if f.part == nil {
		return nil
	}
	return f.part.index
}

// id is the hub's id on the bus: --hub-id, or HOST-PORT of listen.
func (f *hubNATSFlags) id(listen string) string {
	if f.hubID != "" {
		return f.hubID
	}
	return bus.DefaultHubID(listen)
}

// hubPartition is a team hub's share of the diagnosis on the bus
// (docs/scaling.md): its engine diagnoses only its own calls, and its
// subscribers get every team hub's findings through the board.
type hubPartition struct {
	hubID string
	board *partition.Board
	index *viewserve.Server // the call index, when on
}

// partitionTeam is called for a team hub once its listen address is
// known: on the bus, each team hub diagnoses only its own calls.
func (f *hubNATSFlags) partitionTeam(listen string) {
	if f.on() {
		id := f.id(listen)
		f.part = &hubPartition{hubID: id, board: partition.NewBoard(id)}
	}
}

// teamConfig makes a team hub's engine diagnose only its own calls and
// share its findings on the bus (no change off the bus).
func (f *hubNATSFlags) teamConfig(cfg *team.Config) {
	if f.part == nil {
		return
	}
	cfg.NewMonitor, cfg.OwnCalls = partition.OwnCalls(f.part.hubID, cfg.NewMonitor), true
	cfg.Findings = f.part.board
}
