package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/cmd/calltop/viewserve"
	"github.com/calltop/calltop/feed/hub"
)

// hubIndexFlags is hub's --index (docs/feed-protocol.md, "View mode").
type hubIndexFlags struct {
	on     bool
	server *viewserve.Server // set by setupIndex when on
}

// register adds --index to hub.
func (x *hubIndexFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&x.on, "index", false, "keep a diagnosed index of the calls and serve view clients (?view=1) their visible rows; default on with --team or --nats")
}

// resolve applies --index's default: on with --team or --nats.
func (x *hubIndexFlags) resolve(cmd *cobra.Command, o *hubOptions) {
	if !cmd.Flags().Changed("index") {
		x.on = o.team.on || o.nats.on()
	}
}

// setupIndex makes the call index when it is on and returns hc with its
// hooks.
func setupIndex(o *hubOptions, hc hub.Config) hub.Config {
	if !o.index.on {
		return hc
	}
	o.index.server = viewserve.New(viewserve.Config{Logf: hc.Logf})
	return o.index.server.HubConfig(hc)
}

// runIndex keeps the index and answers view clients until ctx ends; a
// team hub's engine feeds the index (setupTeam), otherwise an engine of
// its own does.
func runIndex(ctx context.Context, o hubOptions, h *hub.Hub) error {
	s := o.index.server
	h.HealthOf("index", func() any { return s.Stats() })
	if o.team.on {
		return s.Run(ctx, h)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.RunEngine(ctx, h, o.token, newMonitor) }()
	err := s.Run(ctx, h)
	if eerr := <-errc; err == nil {
		err = eerr
	}
	return err
}
