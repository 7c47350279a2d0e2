package main

import (
	"context"
	"fmt"
	"log"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/history"
	"github.com/calltop/calltop/diagnose/history/natshistory"
	"github.com/calltop/calltop/diagnose/history/sqlite"
)

// hubHistoryFlags are the team hub's call-history flags (docs/history.md).
type hubHistoryFlags struct {
	off     bool
	maxAge  time.Duration
	maxSize int64 // MB
}

// register adds the history flags to hub.
func (f *hubHistoryFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.off, "no-history", false, "team mode: keep no history of ended calls")
	fl.DurationVar(&f.maxAge, "history-max-age", 30*24*time.Hour, "team mode: forget ended calls older than this")
	fl.Int64Var(&f.maxSize, "history-max-size-mb", 2048, "team mode: keep at most this many MB of ended calls (the oldest go first)")
}

// teamHistory is a team hub's open history: the store, the writer that
// fills it off the engine's goroutine, and what to tell the team server.
type teamHistory struct {
	store  *sqlite.Store
	writer *history.Writer
	source string
	// With --nats (hub_jet.go): ended calls go to the stream through pub,
	// and consumer stores every hub's (the writer is then unused).
	pub      *natshistory.Publisher
	consumer *natshistory.Writer
}

// openTeamHistory opens dir's history file (nil when --no-history).
func openTeamHistory(o hubOptions, dir string, logger *log.Logger) (*teamHistory, error) {
	if o.history.off {
		return nil, nil
	}
	if o.history.maxSize <= 0 || o.history.maxAge <= 0 {
		return nil, fmt.Errorf("--history-max-age and --history-max-size-mb must be positive (or --no-history)")
	}
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, sqlite.FileName))
	if err != nil {
		return nil, err
	}
	w := history.NewWriter(history.WriterConfig{Store: store, MaxAge: o.history.maxAge, MaxBytes: o.history.maxSize << 20,
		Logf: logger.Printf})
	return &teamHistory{store: store, writer: w, source: hubSourceName(o)}, nil
}

// ended hands the engine's ended calls to the writer (never blocks).
func (th *teamHistory) ended(calls []diagnose.EndedCall) {
	for _, ec := range calls {
		th.addEnded(history.FromEnded(ec, th.source))
	}
}

// newMonitor is the team hub's Monitor: it keeps ended calls for history.
func (th *teamHistory) newMonitor() engine.Monitor {
	return diagnose.NewMonitor(diagnose.Options{CollectEnded: true})
}

// run writes until ctx ends, then flushes and closes the file.
func (th *teamHistory) run(ctx context.Context) error {
	var err error
	if th.pub != nil {
		done := make(chan struct{})
		go func() { th.consumer.Run(ctx); close(done) }()
		err = th.pub.Run(ctx) // tries what waits for 5 s more
		<-done
	} else {
		err = th.writer.Run(ctx)
	}
	if cerr := th.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// hubSourceName names where a hub's calls come from, for history.
func hubSourceName(o hubOptions) string {
	var s string
	switch {
	case o.replay != "":
		s = "replay " + filepath.Base(o.replay)
	case o.simulate != 0:
		s = "simulator"
	}
	if len(o.ingest) > 0 {
		if s != "" {
			s += " + "
		}
		s += "rtcstats ingest"
	}
	return s
}
