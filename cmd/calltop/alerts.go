package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/calltop/calltop/cmd/calltop/team"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
)

// alertsFlags are the flags every `calltop alerts` subcommand shares, and
// `calltop history` too: which team hub, as whom.
type alertsFlags struct {
	feed    string
	token   string
	caFile  string
	timeout time.Duration
}

// register adds the hub flags to fs.
func (af *alertsFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&af.feed, "feed", "", "the team hub's feed URL (default $CALLTOP_FEED)")
	fs.StringVar(&af.token, "token", "", "your token on the hub (default $CALLTOP_TOKEN)")
	fs.StringVar(&af.caFile, "ca", "", "PEM file of CA certificates to trust for wss://")
	fs.DurationVar(&af.timeout, "timeout", 10*time.Second, "how long to wait for the hub")
}

// resolve fills the hub and token from the environment when the flags
// left them out, and says when there is no hub.
func (af *alertsFlags) resolve(e env, cmd *cobra.Command) error {
	if af.feed == "" {
		af.feed = e.getenv("CALLTOP_FEED")
	}
	af.token = e.flagOrEnv(cmd, "token", af.token, "CALLTOP_TOKEN")
	if af.feed == "" {
		return errors.New("no hub: give --feed URL or set CALLTOP_FEED")
	}
	return nil
}

func newAlertsCmd(e env) *cobra.Command {
	var af alertsFlags
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "List, acknowledge and silence a team hub's alerts (like amtool)",
		Long: `alerts talks to a team hub (calltop hub --team): it lists the team's alerts and
silences and acts on them as the user whose token it presents. Every action is
attributed to that user and written to the hub's audit log; a viewer's token may list,
not act. See docs/team.md.

The hub is --feed URL (default $CALLTOP_FEED) with --token (default $CALLTOP_TOKEN).
Errors name the reason: unknown key, forbidden for a viewer, hub not in team mode.`,
		Example: `  export CALLTOP_FEED=ws://127.0.0.1:7070/feed CALLTOP_TOKEN=$(cat ~/.calltop-token)
  calltop alerts list
  calltop alerts list --json | jq -r '.[] | select(.state=="firing") | .key'
  calltop alerts ack 'rtt-high@call-1001/p2//0' --note "on it, calling her back"
  calltop alerts unack 'rtt-high@call-1001/p2//0'
  calltop alerts silence --rule relay-tcp --for 2h --comment "TURN maintenance"
  calltop alerts silence --person "Dana Scully" --until-resolved
  calltop alerts silences
  calltop alerts expire s3`,
		Args:              cobra.NoArgs,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error { return af.resolve(e, cmd) },
	}
	af.register(cmd.PersistentFlags())
	cmd.AddCommand(newAlertsListCmd(&af), newAlertsAckCmd(&af), newAlertsUnackCmd(&af),
		newAlertsSilenceCmd(&af), newAlertsSilencesCmd(&af), newAlertsExpireCmd(&af))
	shareExamples(cmd)
	return cmd
}

// session connects to the hub for one subcommand.
func (af *alertsFlags) session(ctx context.Context) (*team.Session, context.Context, context.CancelFunc, error) {
	ctx, cancel := context.WithTimeout(ctx, af.timeout)
	s, err := team.Dial(ctx, client.Config{URLs: []string{af.feed}, Token: af.token, CAFile: af.caFile})
	if err != nil {
		cancel()
		return nil, nil, nil, fmt.Errorf("%s: %w", af.feed, err)
	}
	return s, ctx, func() { s.Close(); cancel() }, nil
}

// do sends one command and prints what the hub did.
func (af *alertsFlags) do(cmd *cobra.Command, c feed.TeamCommand, done func(s *team.Session, r feed.TeamResult) string) error {
	s, ctx, stop, err := af.session(cmd.Context())
	if err != nil {
		return err
	}
	defer stop()
	r, err := s.Do(ctx, c)
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), done(s, r))
	return nil
}

func newAlertsListCmd(af *alertsFlags) *cobra.Command {
	return newBookListCmd(af, "list", "List the team's active alerts: firing, acknowledged (by whom), pending",
		"print a JSON array of alerts (key, rule, severity, state, call, room, participant, name, since, ackedBy, ackedAt, ackNote, ...)",
		func(w *feed.TeamAlerts) []feed.TeamAlert { return w.Active }, printAlerts)
}

// newBookListCmd builds a subcommand that prints part of the hub's book
// (pick) as a table, or as a JSON array with --json.
func newBookListCmd[T any](af *alertsFlags, use, short, jsonHelp string, pick func(*feed.TeamAlerts) []T,
	table func(io.Writer, []T)) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, _, stop, err := af.session(cmd.Context())
			if err != nil {
				return err
			}
			defer stop()
			items := []T{}
			if s.Alerts != nil && pick(s.Alerts) != nil {
				items = pick(s.Alerts)
			}
			if w := s.Alerts; use == "list" && w != nil && w.Counts != nil && w.Counts.Active > len(w.Active) {
				fmt.Fprintf(cmd.ErrOrStderr(), "calltop: the hub's picture holds the worst %d of %d open alerts (more than one frame holds); these are they\n",
					len(w.Active), w.Counts.Active)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), items)
			}
			table(cmd.OutOrStdout(), items)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, jsonHelp)
	return cmd
}

// printAlerts writes the alerts as a table.
func printAlerts(w io.Writer, alerts []feed.TeamAlert) {
	rows := make([][]string, 0, len(alerts))
	for _, a := range alerts {
		ack := ""
		if a.AckedBy != "" {
			ack = "acked by " + a.AckedBy + " " + a.AckedAt.UTC().Format("15:04")
			if a.AckNote != "" {
				ack += ": " + a.AckNote
			}
		}
		state := a.State
		if len(a.SilencedBy) > 0 {
			state += " (muted)"
		}
		rows = append(rows, []string{state, a.Severity, a.Rule, orDash(a.Name), orDash(a.Room), a.Since.UTC().Format("15:04:05"), a.Key, ack})
	}
	printTable(w, "no active alerts", []string{"STATE", "SEVERITY", "RULE", "PERSON", "ROOM", "SINCE", "KEY", "ACK"}, rows)
}

func newAlertsAckCmd(af *alertsFlags) *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "ack KEY",
		Short: "Acknowledge a firing alert, with an optional note",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return af.do(cmd, feed.TeamCommand{Op: feed.OpAck, Key: args[0], Note: note}, func(s *team.Session, _ feed.TeamResult) string {
				return fmt.Sprintf("acknowledged %s as %s", args[0], s.Welcome.User)
			})
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "a note kept with the ack (\"on it\")")
	return cmd
}

func newAlertsUnackCmd(af *alertsFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "unack KEY",
		Short: "Withdraw an acknowledgement: the alert fires again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return af.do(cmd, feed.TeamCommand{Op: feed.OpUnack, Key: args[0]}, func(s *team.Session, _ feed.TeamResult) string {
				return fmt.Sprintf("acknowledgement of %s withdrawn by %s", args[0], s.Welcome.User)
			})
		},
	}
}

func newAlertsSilenceCmd(af *alertsFlags) *cobra.Command {
	var m feed.TeamMatcher
	var d time.Duration
	var untilResolved bool
	var comment string
	cmd := &cobra.Command{
		Use:   "silence (--call ID | --rule R | --person NAME | --all) (--for D | --until-resolved)",
		Short: "Silence alerts of a call, a rule, a person or everything",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (d > 0) == untilResolved {
				return errors.New("give either --for D or --until-resolved")
			}
			c := feed.TeamCommand{Op: feed.OpSilence, Matcher: m, ForSec: d.Seconds(), UntilResolved: untilResolved, Comment: comment}
			return af.do(cmd, c, func(s *team.Session, r feed.TeamResult) string {
				if r.Silence == nil {
					return "silenced"
				}
				return fmt.Sprintf("silence %s: %s by %s", r.Silence.ID, silenceSpan(*r.Silence), r.Silence.CreatedBy)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&m.Call, "call", "", "silence every alert of this call id")
	f.StringVar(&m.Rule, "rule", "", "silence this rule on every call")
	f.StringVar(&m.Person, "person", "", "silence every alert of this person (participant name)")
	f.BoolVar(&m.All, "all", false, "silence everything")
	f.DurationVar(&d, "for", 0, "how long (15m, 1h, 4h)")
	f.BoolVar(&untilResolved, "until-resolved", false, "until the alerts it silences now have resolved")
	f.StringVar(&comment, "comment", "", "why (kept with the silence)")
	cmd.MarkFlagsMutuallyExclusive("for", "until-resolved")
	cmd.MarkFlagsOneRequired("call", "rule", "person", "all")
	return cmd
}

// silenceSpan says what a silence covers and until when.
func silenceSpan(s feed.TeamSilence) string {
	if s.UntilResolved {
		return s.Scope + " until resolved"
	}
	return s.Scope + " until " + s.EndsAt.UTC().Format("15:04")
}

func newAlertsSilencesCmd(af *alertsFlags) *cobra.Command {
	return newBookListCmd(af, "silences", "List the silences in force: scope, who, when, comment, end",
		"print a JSON array of silences (id, matcher, scope, createdBy, createdAt, comment, endsAt or untilResolved, muting)",
		func(w *feed.TeamAlerts) []feed.TeamSilence { return w.Silences }, printSilences)
}

// printSilences writes the silences as a table.
func printSilences(w io.Writer, sils []feed.TeamSilence) {
	rows := make([][]string, 0, len(sils))
	for _, s := range sils {
		ends := "until resolved"
		if !s.UntilResolved {
			ends = s.EndsAt.UTC().Format("15:04:05")
		}
		rows = append(rows, []string{s.ID, s.Scope, s.CreatedBy, s.CreatedAt.UTC().Format("15:04:05"), ends,
			fmt.Sprint(s.Muting), s.Comment})
	}
	printTable(w, "no silences", []string{"ID", "SCOPE", "CREATED BY", "CREATED", "ENDS", "MUTING", "COMMENT"}, rows)
}

func newAlertsExpireCmd(af *alertsFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "expire ID",
		Short: "Expire a silence now (ids from calltop alerts silences)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return af.do(cmd, feed.TeamCommand{Op: feed.OpExpire, Silence: args[0]}, func(s *team.Session, _ feed.TeamResult) string {
				return fmt.Sprintf("silence %s expired by %s", args[0], s.Welcome.User)
			})
		},
	}
}

// printTable writes rows under header, aligned (times in UTC, as the
// TUI shows them), or none when there are no rows. Every cell is stripped
// of control characters and tabs: they come from the hub.
func printTable(w io.Writer, none string, header []string, rows [][]string) {
	if len(rows) == 0 {
		fmt.Fprintln(w, none)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			if i > 0 {
				io.WriteString(tw, "\t")
			}
			io.WriteString(tw, diagnose.Clean(c))
		}
		io.WriteString(tw, "\n")
	}
	tw.Flush()
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// orDash returns s, or "-" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
