// Command calltop is a terminal live-call debugger for WebRTC and VoIP calls.
//
// This package owns the command line: newRootCmd(env) builds the whole
// cobra command tree, each subcommand in its own new...Cmd function with
// its flags in its own options struct (adding a flag is one line in that
// function's flag block and a field), and wires the commands to the feed
// (feed/hub, feed/client, feed/recording), the live loop (engine) and the
// TUI. It keeps no package state: no init() registration, no flag
// variables, and the environment ($CALLTOP_FEED, $CALLTOP_TOKEN, ...) is
// read only through env, so tests build as many trees as they like, in
// parallel. It diagnoses nothing itself (diagnose does) and draws nothing
// (tui does).
package main
