package main

import (
	"fmt"
	"io"
	"log"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/feed/dump"
)

func newReplayCmd(e env) *cobra.Command {
	var speed float64
	var view viewFlags
	var loop bool
	var from time.Duration
	cmd := &cobra.Command{
		Use:   "replay FILE",
		Short: "Open the TUI over a recording or a dump, with pause, seek and speed keys",
		Long: `replay plays a calltop recording (from calltop record, .gz ok) or a dump (rtcstats,
chrome://webrtc-internals) into the TUI at its recorded pace times --speed. Keys: space
pauses, left/right seek 10 s (seeking back replays from the start up to there), [ and ]
change the speed (0.5x to 16x). At the end the replay stops and the view stays; space
plays it again from the start, and --loop starts over by itself. --from starts the
replay that far into the recording. Acks and mutes made during a replay are not saved.`,
		Example: `  calltop replay incident.jsonl.gz
  calltop replay rtcstats-dump.txt --speed 8
  calltop replay demo.jsonl --loop --from 2m30s`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkSpeed(speed); err != nil {
				return err
			}
			loaded, err := dump.Load(args[0])
			if err != nil {
				return err
			}
			if len(loaded.Records) == 0 {
				return fmt.Errorf("%s: no records to replay", args[0])
			}
			if from < 0 {
				return fmt.Errorf("--from %v: give a time into the recording, such as 90s or 2m30s", from)
			}
			r := &engine.Replay{Records: loaded.Records, Speed: speed, Problems: len(loaded.Problems), Loop: loop, From: from}
			if n := len(loaded.Problems); n > 0 {
				r.LastProblem = loaded.Problems[n-1].Error()
			}
			log.SetOutput(io.Discard) // nothing may write to the terminal under the TUI
			return runTUI(cmd.Context(), engine.Options{Source: args[0], Replay: r, NewBook: newBook(nil)}, view.options(e))
		},
	}
	cmd.Flags().Float64Var(&speed, "speed", 1, "play this many times faster than recorded")
	view.register(cmd.Flags())
	cmd.Flags().BoolVar(&loop, "loop", false, "start over from the beginning at the end")
	cmd.Flags().DurationVar(&from, "from", 0, "start this far into the recording (e.g. 2m30s)")
	return cmd
}
