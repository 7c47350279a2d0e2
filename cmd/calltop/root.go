package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

// newRootCmd builds calltop's whole command tree; it reads the
// environment only through e. Each subcommand is built by its own
// new...Cmd function, with its flags in its own options struct.
func newRootCmd(e env) *cobra.Command { return rootCommand(e, &liveFlags{}) }

// rootCommand is newRootCmd with the root's TUI flags parsed into live.
func rootCommand(e env, live *liveFlags) *cobra.Command {
	root := &cobra.Command{
		Use:   "calltop",
		Short: "A terminal live-call debugger for WebRTC and VoIP calls",
		Long: `calltop connects to a calltop.v1 stats feed over WebSocket, lists the calls going on
right now and drills into one: live bitrate, packet loss and round-trip time beside
plain-English diagnoses, and an alert pane to acknowledge and mute.

With no --feed and no $CALLTOP_FEED, calltop opens the built-in demo. On a team hub
(calltop hub --team) the alert pane is the hub's book, shared by the whole team.`,
		Example: `  calltop                                   # the demo (no feed configured)
  calltop --feed ws://127.0.0.1:7070/feed   # a live feed
  CALLTOP_FEED=wss://feeds.example/feed calltop --token $T --ca ca.pem
  calltop --feed wss://hub.example/feed --token $(cat dana.token)  # a team hub: its shared alert book`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRoot(cmd, e, *live)
		},
	}
	live.register(root)
	root.AddCommand(
		newVersionCmd(),
		newDemoCmd(e),
		newHubCmd(e),
		newRecordCmd(e),
		newReplayCmd(e),
		newReportCmd(e),
		newWatchCmd(e),
		newAlertsCmd(e),
		newHistoryCmd(e),
	)
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print calltop's version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "calltop", versionString())
		},
	}
}

func versionString() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
