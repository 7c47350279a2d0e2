package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/dump"
	"github.com/calltop/calltop/feed/recording"
)

// reportOptions are the flags of `calltop report`.
type reportOptions struct {
	feeds    []string
	duration time.Duration
	json     bool
	token    string
	caFile   string
	call     string // --call: a team hub's stored call (docs/history.md)

	// applied, when set, sees each feed message once it is applied: a test
	// cancels the read with it on the message it waits for.
	applied func(*feed.Message)
}

// feedFormat is the report's source format when it read a live feed.
const feedFormat = "calltop-feed"

func newReportCmd(e env) *cobra.Command { return reportCommand(e, &reportOptions{}) }

// reportCommand is newReportCmd with its flags parsed into o.
func reportCommand(e env, o *reportOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report (FILE... | DIR... | --feed URL --duration D) [--json]",
		Short: "Diagnose a recording, a dump or a live feed and print the findings (no TUI)",
		Long: `report runs every call of a recording, a webrtc-internals or rtcstats dump, or a
live feed (for --duration) through the same diagnosis as the TUI and prints, per call,
its participants and their connections (candidate types, relay, round trip, packets
sent, received and lost, per stream) and the findings timeline: when each problem began
and ended, in plain English, with advice and evidence.

Findings depend only on the data's own timestamps, so a report on a recording lists
the same findings the TUI showed live. Lines or frames that cannot be used are listed
on stderr with their place and reason; the rest is still reported.

Several files, directories (every file in them, recursively) and quoted globs are
reported one after another in one process, each on its own: one report per file.

--json prints the report as the JSON documented in docs/report-json.md: for one FILE
an indented document, for several inputs (or a directory or a glob) one compact
document per file, a line each (JSON lines).`,
		Example: `  calltop report incident.jsonl
  calltop report webrtc_internals_dump.txt --json > report.json
  calltop report dumps/ 'more/*.rtcstats.gz' --json | jq -r '.calls[].findings[].rule'
  calltop report --feed ws://127.0.0.1:7070/feed --duration 2m
  calltop report --call call-1042 --feed ws://127.0.0.1:7070/feed --json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.token = e.flagOrEnv(cmd, "token", o.token, "CALLTOP_TOKEN")
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if len(args) > 0 && len(o.feeds) > 0 {
				return errors.New("give FILEs or --feed, not both")
			}
			if o.call != "" {
				return reportStoredCall(ctx, *o, cmd.OutOrStdout())
			}
			if len(args) > 0 {
				defer batchGC(e)()
			}
			if len(args) > 0 && !(len(args) == 1 && isPlainFile(args[0])) {
				return reportFiles(ctx, *o, args, cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			rep, err := buildReport(ctx, *o, args, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if o.json {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return rep.WriteText(cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.feeds, "feed", nil, "feed URL (ws:// or wss://) to read instead of a file; repeat to fail over")
	f.DurationVar(&o.duration, "duration", 0, "with --feed: how long to read the feed")
	f.BoolVar(&o.json, "json", false, "print the report as JSON (docs/report-json.md)")
	f.StringVar(&o.token, "token", "", "token for the feed (default $CALLTOP_TOKEN)")
	f.StringVar(&o.caFile, "ca", "", "PEM file of CA certificates to trust for wss://")
	f.StringVar(&o.call, "call", "", "with --feed: report one ended call from a team hub's history: its id (the newest with it) or its key from calltop history --json")
	return cmd
}

// buildReport reads the file or the feed into a Monitor and returns its
// report.
func buildReport(ctx context.Context, o reportOptions, args []string, stderr io.Writer) (diagnose.Report, error) {
	m := diagnose.NewMonitor(diagnose.Options{KeepEnded: true})
	var src diagnose.ReportSource
	var err error
	switch {
	case len(args) == 1:
		src, err = reportFile(m, args[0], "", stderr)
	case len(o.feeds) > 0:
		src, err = reportFeed(ctx, m, o, stderr)
	default:
		return diagnose.Report{}, errors.New("nothing to report on: give a FILE, or --feed URL --duration D")
	}
	if err != nil {
		return diagnose.Report{}, err
	}
	return finishReport(m, src, "", stderr), nil
}

// batchGC tunes the collector for a report over files, a batch job whose
// memory is bounded by what dumps keep (docs/dumps.md, Limits): it trades
// heap for CPU, GOGC 400 under a 256 MiB soft memory limit, unless the
// user set GOGC or GOMEMLIMIT. It returns the undo.
func batchGC(e env) func() {
	if e.getenv("GOGC") != "" || e.getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(400)
	limit := debug.SetMemoryLimit(256 << 20)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

// finishReport is the Monitor's report on src, after saying on stderr
// which samples were left out (prefix names the file among several).
func finishReport(m *diagnose.Monitor, src diagnose.ReportSource, prefix string, stderr io.Writer) diagnose.Report {
	if dq := m.Snapshot("").DataQuality; len(dq) > 0 {
		reasons := make([]string, 0, len(dq))
		for r, n := range dq {
			reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
		}
		sort.Strings(reasons)
		fmt.Fprintf(stderr, "calltop report: %ssamples left out as untrustworthy: %s (see docs/diagnoses.md)\n", prefix, strings.Join(reasons, ", "))
	}
	rep := m.Report()
	rep.Source = src
	return rep
}

// reportFile applies a recording or dump, read once: a dump's messages go
// straight to the Monitor, a recording's frames through feed.Pipeline.
// prefix names the file in the messages of a run over several.
func reportFile(m *diagnose.Monitor, path, prefix string, stderr io.Writer) (diagnose.ReportSource, error) {
	var pipe feed.Pipeline
	bad, frames := 0, 0
	info, err := dump.Visit(path, dump.Visitor{
		Reuse: true,               // the Monitor keeps no reference into a message
		Stats: diagnose.ReadsStat, // nor reads codecs, certificates, ...
		Message: func(msg *feed.Message) error {
			m.Apply(msg)
			return nil
		},
		Frame: func(rec recording.Record) error {
			frames++
			ev, ok := pipe.Frame(rec.Msg, rec.Recv, false)
			switch {
			case !ok:
			case ev.Kind == feed.EventMessage:
				m.Apply(ev.Msg)
			case ev.Kind == feed.EventBadFrame:
				bad++
				fmt.Fprintf(stderr, "calltop report: %s: frame %d: %s\n", path, frames, diagnose.Clean(ev.Reason))
			}
			return nil
		},
	})
	if err != nil {
		return diagnose.ReportSource{}, err
	}
	for _, p := range info.Problems {
		fmt.Fprintf(stderr, "calltop report: skipped %s\n", diagnose.Clean(p.Error()))
	}
	if n := len(info.Problems) + bad; n > 0 {
		fmt.Fprintf(stderr, "calltop report: %s%d of %d lines or frames could not be used\n", prefix, n, info.Items+len(info.Problems))
	}
	return diagnose.ReportSource{Path: path, Format: info.Format}, nil
}

// reportFeed applies a live feed for o.duration.
func reportFeed(ctx context.Context, m *diagnose.Monitor, o reportOptions, stderr io.Writer) (diagnose.ReportSource, error) {
	if o.duration <= 0 {
		return diagnose.ReportSource{}, errors.New("--feed needs --duration D (how long to read the feed), e.g. --duration 1m")
	}
	client, err := client.New(client.Config{URLs: o.feeds, Token: o.token, CAFile: o.caFile})
	if err != nil {
		return diagnose.ReportSource{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- client.Run(ctx) }()
	for ev := range client.Events() {
		switch ev.Kind {
		case feed.EventMessage:
			m.Apply(ev.Msg)
			if o.applied != nil {
				o.applied(ev.Msg)
			}
			ev.Release()
		case feed.EventBadFrame:
			fmt.Fprintf(stderr, "calltop report: bad frame: %s\n", diagnose.Clean(ev.Reason))
		case feed.EventState:
			if ev.Status.State == feed.StateReconnecting || ev.Status.State == feed.StateFailed {
				fmt.Fprintf(stderr, "calltop report: feed %s\n", diagnose.Clean(ev.Status.Describe(time.Now())))
			}
		}
	}
	if err := <-runErr; err != nil {
		return diagnose.ReportSource{}, err
	}
	return diagnose.ReportSource{Path: o.feeds[0], Format: feedFormat}, nil
}
