package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/history"
	"github.com/calltop/calltop/diagnose/history/historyhttp"
	"github.com/calltop/calltop/feed/client"
)

// historyFlags are `calltop history`'s flags.
type historyFlags struct {
	feed, token, caFile string
	since               string
	limit               int
	json                bool
	timeout             time.Duration
}

func newHistoryCmd(e env) *cobra.Command {
	var f historyFlags
	cmd := &cobra.Command{
		Use:   "history [QUERY]",
		Short: "Search a team hub's ended calls, newest first",
		Long: `history searches the calls a team hub (calltop hub --team) kept when they ended.

QUERY is typed the way you think of it: free words find a person by name or user id
(every word must start a word of the same person: "dana o" finds Dana O'Neil);
room:NAME, call:ID, rule:RULE, sev:warning and KEY=VALUE (a call tag) narrow it.
Open one as a report with: calltop report --call ID --feed URL. See docs/history.md.`,
		Example: `  calltop history dana --since 24h --feed ws://hub:7070/feed --token $TOKEN
  calltop history "room:support-ops rule:loss-inbound"
  calltop history u-42 --json | jq -r '.[0].ID'`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.feed == "" {
				f.feed = e.getenv("CALLTOP_FEED")
			}
			f.token = e.flagOrEnv(cmd, "token", f.token, "CALLTOP_TOKEN")
			if f.feed == "" {
				return errors.New("no hub: give --feed URL or set CALLTOP_FEED")
			}
			return runHistory(cmd, f, strings.Join(args, " "))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.feed, "feed", "", "the team hub's feed URL (default $CALLTOP_FEED)")
	fl.StringVar(&f.token, "token", "", "your token on the hub (default $CALLTOP_TOKEN)")
	fl.StringVar(&f.caFile, "ca", "", "PEM file of CA certificates to trust for wss://")
	fl.StringVar(&f.since, "since", "", "only calls that ended this long ago or less (e.g. 24h)")
	fl.IntVar(&f.limit, "limit", history.DefaultLimit, "at most this many calls")
	fl.BoolVar(&f.json, "json", false, "print the results as a JSON array")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Second, "how long to wait for the hub")
	return cmd
}

// historyClient is the hub's history reader for a feed URL.
func historyClient(feedURL, token, caFile string) (historyhttp.Client, error) {
	tlsCfg, err := client.TLSConfig(caFile)
	if err != nil {
		return historyhttp.Client{}, err
	}
	return historyhttp.Client{Base: feedURL, Token: token, TLS: tlsCfg}, nil
}

func runHistory(cmd *cobra.Command, f historyFlags, query string) error {
	c, err := historyClient(f.feed, f.token, f.caFile)
	if err != nil {
		return err
	}
	ctx, cancel := contextWithTimeout(cmd, f.timeout)
	defer cancel()
	res, err := c.Search(ctx, query, f.since, f.limit)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printHistory(out, res)
	return nil
}

// printHistory prints one line a call: when it ended, room, people,
// duration, MOS and worst finding.
func printHistory(out io.Writer, res []history.Summary) {
	if len(res) == 0 {
		fmt.Fprintln(out, "No ended call matches.")
		return
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDED (UTC)\tCALL\tROOM\tPEOPLE\tDUR\tMOS\tWORST")
	for _, s := range res {
		mos := "-"
		if s.MOSMean > 0 {
			mos = fmt.Sprintf("%.1f", s.MOSMean)
		}
		worst := "-"
		if s.WorstRule != "" {
			worst = s.Worst.String() + " " + s.WorstRule
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.End.UTC().Format("2006-01-02 15:04"), clip(s.ID, 24), clip(s.Room, 20),
			clip(strings.Join(s.People, ", "), 36), s.End.Sub(s.Start).Round(time.Second), mos, worst)
	}
	tw.Flush()
}

// contextWithTimeout is the command's context, ended after d.
func contextWithTimeout(cmd *cobra.Command, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(cmd.Context(), d)
}

// clip cleans s of control characters (it came from a hub) and cuts it to
// n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(diagnose.Clean(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

// reportStoredCall prints one call of a team hub's history as a report
// (the same text and JSON as a report on a file).
func reportStoredCall(ctx context.Context, o reportOptions, out io.Writer) error {
	if len(o.feeds) != 1 {
		return errors.New("--call needs the team hub: --feed URL (once)")
	}
	c, err := historyClient(o.feeds[0], o.token, o.caFile)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	call, err := c.Call(ctx, o.call)
	if err != nil {
		return err
	}
	rep := diagnose.Report{Source: diagnose.ReportSource{Path: o.feeds[0] + "#" + o.call, Format: "calltop-history"},
		Calls: []diagnose.ReportCall{call.Report}}
	if o.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(out)
}

// teamHistorySource is the TUI's history screen reading a team hub.
type teamHistorySource struct{ c historyhttp.Client }

func (s teamHistorySource) Search(ctx context.Context, text string) ([]history.Summary, error) {
	return s.c.Search(ctx, text, "", 0)
}

func (s teamHistorySource) Call(ctx context.Context, id string) (history.Call, error) {
	return s.c.Call(ctx, id)
}
