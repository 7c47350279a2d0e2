package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/feed/bus"
	"github.com/calltop/calltop/feed/hub"
)

// hubNATSFlags join a hub to others over NATS (docs/scaling.md).
type hubNATSFlags struct {
	urls    []string
	creds   string
	hubID   string
	lostFor time.Duration
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
	id := f.hubID
	if id == "" {
		id = bus.DefaultHubID(listen)
	}
	node, err := bus.Connect(bus.Config{URLs: f.urls, CredsFile: f.creds, HubID: id, LostFor: f.lostFor, Logf: logger.Printf}, feedHub)
	if err != nil {
		return nil, nil, err
	}
	feedHub.HealthOf("bus", func() any { return node.Stats() })
	return node.Publisher(), node.Run, nil
}
