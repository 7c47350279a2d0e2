package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose/alert/statefile"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/sim"
	"github.com/calltop/calltop/tui"
)

// defaultDemoCalls is how many simulated calls the demo keeps going.
const defaultDemoCalls = 40

// demoConfig is what `calltop demo` simulates.
type demoConfig struct {
	calls     int
	scenarios []string
	seed      int64
	speed     float64
	stateDir  string
	profile   string // CPU profile file (hidden flag, for performance work)
	fleet     fleetFlags
	view      viewFlags
	tui       tui.Options // from view and the locale
}

func newDemoCmd(e env) *cobra.Command {
	cfg := demoConfig{calls: defaultDemoCalls, speed: 1}
	var scenarios string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Open the TUI on simulated calls, over a real WebSocket on loopback",
		Long: `demo starts an in-process hub serving simulated calls on 127.0.0.1 (a random port),
connects to it over WebSocket like any feed, and opens the TUI. The header shows the
feed as "demo". Scenarios: ` + strings.Join(sim.ScenarioNames(), ", ") + `;
fleet scenarios (one group impaired in every call, on top of the others): ` + strings.Join(sim.FleetScenarioNames(), ", ") + `.
Without --scenario the mix is mostly good calls with some of each problem.`,
		Example: `  calltop demo
  calltop demo --scenario wifi-loss --calls 6
  calltop demo --scenario high-rtt,jitter --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, s := range strings.Split(scenarios, ",") {
				if s = strings.TrimSpace(s); s != "" {
					cfg.scenarios = append(cfg.scenarios, s)
				}
			}
			cfg.tui = cfg.view.options(e)
			return runDemo(cmd.Context(), cfg)
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.calls, "calls", cfg.calls, "calls to keep going at once")
	f.StringVar(&scenarios, "scenario", "", "scenarios to simulate, comma-separated (default: a mix)")
	f.Int64Var(&cfg.seed, "seed", 0, "random seed: the same seed gives the same calls")
	f.Float64Var(&cfg.speed, "speed", cfg.speed, "run feed time this many times faster than the clock")
	f.StringVar(&cfg.stateDir, "state-dir", "", "keep acks, mutes and alert history here (default: the demo keeps none)")
	f.StringVar(&cfg.profile, "cpuprofile", "", "write a CPU profile of the whole demo to this file")
	_ = f.MarkHidden("cpuprofile")
	cfg.fleet.register(cmd)
	cfg.view.register(f)
	_ = cmd.RegisterFlagCompletionFunc("scenario", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return append(sim.ScenarioNames(), sim.FleetScenarioNames()...), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// runDemo serves the simulator from an in-process hub on loopback and
// opens the TUI on it through a client.Client.
func runDemo(ctx context.Context, cfg demoConfig) error {
	if cfg.calls < 1 {
		return fmt.Errorf("--calls %d: need at least one call", cfg.calls)
	}
	if err := checkSpeed(cfg.speed); err != nil {
		return err
	}
	fleet, err := cfg.fleet.options()
	if err != nil {
		return err
	}
	if cfg.profile != "" {
		stop, err := startProfile(cfg.profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	// Feed time starts at the wall clock so alerts, mutes and durations
	// read naturally.
	s, err := sim.New(sim.Config{Calls: cfg.calls, Scenarios: cfg.scenarios, Seed: cfg.seed,
		Start: time.Now().UTC().Truncate(time.Second),
		// As `calltop hub --simulate` serves it: less to encode and decode.
		ElideStatTimestamps: true})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo hub: %w", err)
	}
	hubLog := log.New(io.Discard, "", 0)
	opts := engine.Options{Source: "demo", NewBook: newFleetBook(nil, fleet, "")}
	if cfg.stateDir != "" {
		if opts.Store, err = statefile.OpenStore(cfg.stateDir); err != nil {
			ln.Close()
			return err
		}
		logs, err := openLog(cfg.stateDir)
		if err != nil {
			ln.Close()
			return err
		}
		defer logs.Close()
		hubLog = log.Default()
	} else {
		log.SetOutput(io.Discard) // nothing may write to the terminal under the TUI
	}
	feedHub := hub.New(hub.Config{Name: "calltop-demo", Logf: hubLog.Printf})
	client, err := client.New(client.Config{URLs: []string{"ws://" + ln.Addr().String() + "/feed"}})
	if err != nil {
		ln.Close()
		return err
	}
	opts.Events = client.Events()
	source := hub.StepSource(s.StepEach, time.Second, cfg.speed)
	return runTUI(ctx, opts, cfg.tui,
		func(ctx context.Context) error { return feedHub.Serve(ctx, ln) },
		func(ctx context.Context) error { return source(ctx, feedHub) },
		client.Run)
}

// startProfile writes a CPU profile to path until stop is called.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
