package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/dump"
)

// reportOptions are the flags of `calltop report`.
type reportOptions struct {
	feeds    []string
	duration time.Duration
	json     bool
	token    string
	caFile   string
}

// feedFormat is the report's source format when it read a live feed.
const feedFormat = "calltop-feed"

func newReportCmd(e env) *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report (FILE | --feed URL --duration D) [--json]",
		Short: "Diagnose a recording, a dump or a live feed and print the findings (no TUI)",
		Long: `report runs every call of a recording, a webrtc-internals or rtcstats dump, or a
live feed (for --duration) through the same diagnosis as the TUI and prints, per call,
its participants and their connections (candidate types, relay, round trip, packets
sent, received and lost, per stream) and the findings timeline: when each problem began
and ended, in plain English, with advice and evidence.

Findings depend only on the data's own timestamps, so a report on a recording lists
the same findings the TUI showed live. Lines or frames that cannot be used are listed
on stderr with their place and reason; the rest is still reported.

--json prints the report as the JSON documented in docs/report-json.md.`,
		Example: `  calltop report incident.jsonl
  calltop report webrtc_internals_dump.txt --json > report.json
  calltop report --feed ws://127.0.0.1:7070/feed --duration 2m`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.token = e.flagOrEnv(cmd, "token", o.token, "CALLTOP_TOKEN")
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := buildReport(ctx, o, args, cmd.ErrOrStderr())
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
	return cmd
}

// buildReport reads the file or the feed into a Monitor and returns its
// report.
func buildReport(ctx context.Context, o reportOptions, args []string, stderr io.Writer) (diagnose.Report, error) {
	m := diagnose.NewMonitor(diagnose.Options{KeepEnded: true})
	var src diagnose.ReportSource
	var err error
	switch {
	case len(args) == 1 && len(o.feeds) > 0:
		return diagnose.Report{}, errors.New("give a FILE or --feed, not both")
	case len(args) == 1:
		src, err = reportFile(m, args[0], stderr)
	case len(o.feeds) > 0:
		src, err = reportFeed(ctx, m, o, stderr)
	default:
		return diagnose.Report{}, errors.New("nothing to report on: give a FILE, or --feed URL --duration D")
	}
	if err != nil {
		return diagnose.Report{}, err
	}
	if dq := m.Snapshot("").DataQuality; len(dq) > 0 {
		reasons := make([]string, 0, len(dq))
		for r, n := range dq {
			reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
		}
		sort.Strings(reasons)
		fmt.Fprintf(stderr, "calltop report: samples left out as untrustworthy: %s (see docs/diagnoses.md)\n", strings.Join(reasons, ", "))
	}
	rep := m.Report()
	rep.Source = src
	return rep, nil
}

// reportFile applies every usable frame of a recording or dump.
func reportFile(m *diagnose.Monitor, path string, stderr io.Writer) (diagnose.ReportSource, error) {
	loaded, err := dump.Load(path)
	if err != nil {
		return diagnose.ReportSource{}, err
	}
	for _, p := range loaded.Problems {
		fmt.Fprintf(stderr, "calltop report: skipped %s\n", diagnose.Clean(p.Error()))
	}
	bad := 0
	var msg feed.Message
	for i := range loaded.Records {
		if err := feed.Decode(loaded.Records[i].Msg, &msg); err != nil {
			if errors.Is(err, feed.ErrUnknownType) {
				continue
			}
			bad++
			fmt.Fprintf(stderr, "calltop report: %s: frame %d: %s\n", path, i+1, diagnose.Clean(err.Error()))
			continue
		}
		m.Apply(&msg)
	}
	if n := len(loaded.Problems) + bad; n > 0 {
		fmt.Fprintf(stderr, "calltop report: %d of %d lines or frames could not be used\n", n, len(loaded.Records)+len(loaded.Problems))
	}
	return diagnose.ReportSource{Path: path, Format: loaded.Format}, nil
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
