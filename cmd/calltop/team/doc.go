// Package team is calltop's team mode (`calltop hub --team`): the hub runs
// the engine (Monitor and alert Book) once for everyone, keeps acks,
// silences and history in its state directory, streams the book to
// subscribers as team frames (feed/team.go) and executes their commands,
// each attributed to a user with a role and written to an audit log. It
// holds the users file (hashed tokens), the audit log, the per-user rate
// limit, the client side of the wire (RemoteBook for a TUI, Call for
// `calltop alerts`) and the SSH server that serves the TUI itself.
//
// It wires feed/hub, feed/client, the engine and diagnose/alert together;
// it must not render anything itself (the TUI does) nor change how a
// plain hub, demo or replay keeps its own book.
package team
