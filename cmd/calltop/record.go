package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/recording"
)

// recordOptions are the flags of `calltop record`.
type recordOptions struct {
	feeds    []string
	out      string
	duration time.Duration
	redact   bool
	token    string
	caFile   string
}

func newRecordCmd(e env) *cobra.Command {
	var o recordOptions
	cmd := &cobra.Command{
		Use:   "record --feed URL -o FILE",
		Short: "Save a calltop.v1 feed to a file, to replay or report on later",
		Long: `record connects to a feed and writes every frame it receives, as received, with its
receive time: one JSON line {"recv": RFC 3339 time, "msg": frame} per frame. A name
ending in .gz is gzipped. The recording starts with the hub's hello and its snapshot of
the ongoing calls, so it replays on its own: calltop hub --replay FILE serves it again,
and calltop replay / calltop report read it.

The client reconnects after a drop (each reconnection records a fresh snapshot) and fails
over between several --feed URLs in order. --redact removes IP addresses (candidate
addresses, URL hosts, any IPv4 or IPv6 literal) and ICE credentials (usernameFragment,
ice-ufrag, ice-pwd) before writing, and gives people pseudonyms (names become "Person 1",
user ids "user-1", participant ids "participant-1", the same in every frame), for
recordings you share.

Recording stops after --duration, or on Ctrl-C; the file is flushed and closed either way.`,
		Example: `  calltop record --feed ws://127.0.0.1:7070/feed -o x.jsonl --duration 10s
  calltop record --feed wss://feed.example/feed --token $T --ca ca.pem -o incident.jsonl.gz --redact`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.feeds = e.feedURLs(o.feeds)
			o.token = e.flagOrEnv(cmd, "token", o.token, "CALLTOP_TOKEN")
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runRecord(ctx, o, cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.feeds, "feed", nil, "feed URL (ws:// or wss://); repeat to fail over (default $CALLTOP_FEED)")
	f.StringVarP(&o.out, "output", "o", "", "file to write (.gz to compress)")
	f.DurationVar(&o.duration, "duration", 0, "stop after this long (default: until Ctrl-C)")
	f.BoolVar(&o.redact, "redact", false, "remove IP addresses and ICE credentials and give people pseudonyms before writing")
	f.StringVar(&o.token, "token", "", "token for the feed (default $CALLTOP_TOKEN)")
	f.StringVar(&o.caFile, "ca", "", "PEM file of CA certificates to trust for wss://")
	_ = cmd.MarkFlagRequired("output")
	return cmd
}

// runRecord records until the duration ends, ctx ends or the feed refuses us.
func runRecord(ctx context.Context, o recordOptions, stderr io.Writer) error {
	if len(o.feeds) == 0 {
		return errors.New("no feed: give --feed URL or set CALLTOP_FEED")
	}
	if o.duration < 0 {
		return fmt.Errorf("--duration %v: must be positive", o.duration)
	}
	client, err := client.New(client.Config{URLs: o.feeds, Token: o.token, CAFile: o.caFile, KeepUnknown: true})
	if err != nil {
		return err
	}
	rec, err := recording.CreateRecording(o.out, o.redact)
	if err != nil {
		return err
	}
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	start := time.Now()
	runErr := make(chan error, 1)
	go func() { runErr <- client.Run(ctx) }()

	writeErr := recordEvents(client, rec, stderr)
	err = <-runErr
	if cerr := rec.Close(); writeErr == nil {
		writeErr = cerr
	}
	st := client.Status()
	fmt.Fprintf(stderr, "calltop record: %d frames in %v to %s (%d bad frames skipped, %d connections)\n",
		rec.Lines(), time.Since(start).Round(time.Millisecond), o.out, st.BadFrames, st.Connects)
	if writeErr != nil {
		return writeErr
	}
	if err == nil && st.Connects == 0 {
		return fmt.Errorf("never connected to the feed: %s", st.Reason)
	}
	return err
}

// recordEvents writes every frame the client delivers until its events
// channel closes; it reports state changes and bad frames on stderr.
func recordEvents(client *client.Client, rec *recording.Recorder, stderr io.Writer) error {
	flush := time.NewTicker(time.Second)
	defer flush.Stop()
	var writeErr error
	for {
		select {
		case ev, ok := <-client.Events():
			if !ok {
				return writeErr
			}
			switch ev.Kind {
			case feed.EventMessage, feed.EventUnknown:
				for _, f := range ev.Frames {
					if err := rec.Write(ev.Recv, f); err != nil && writeErr == nil {
						writeErr = err
						fmt.Fprintln(stderr, "calltop record:", err)
					}
				}
			case feed.EventBadFrame:
				fmt.Fprintf(stderr, "calltop record: skipped a bad frame: %s\n", ev.Reason)
			case feed.EventState:
				fmt.Fprintf(stderr, "calltop record: %s %s\n", ev.Status.URL, ev.Status.Describe(time.Now()))
			}
		case <-flush.C:
			if err := rec.Flush(); err != nil && writeErr == nil {
				writeErr = err
			}
		}
	}
}
