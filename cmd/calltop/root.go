package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

// subcommands holds the constructors of every subcommand; each command's
// file registers its own in an init function, so files stay independent.
var subcommands []func() *cobra.Command

// rootRun, when set by the TUI wiring, runs calltop with no subcommand.
var rootRun func(cmd *cobra.Command, args []string) error

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "calltop",
		Short: "A terminal live-call debugger for WebRTC and VoIP calls",
		Long: `calltop connects to a calltop.v1 stats feed over WebSocket, lists the calls going on
right now and drills into one: live bitrate, packet loss and round-trip time beside
plain-English diagnoses, and an alert pane to acknowledge and mute.

With no --feed and no $CALLTOP_FEED, calltop opens the built-in demo.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
	}
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if rootRun == nil {
			return cmd.Help()
		}
		return rootRun(cmd, args)
	}
	root.AddCommand(newVersionCmd())
	for _, sub := range subcommands {
		root.AddCommand(sub())
	}
	for _, setup := range rootFlags {
		setup(root)
	}
	return root
}

// rootFlags lets the TUI wiring add flags to the root command.
var rootFlags []func(*cobra.Command)

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
