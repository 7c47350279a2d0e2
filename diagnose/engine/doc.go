// Package engine is the one goroutine that owns the diagnose Monitor and the
// alert Book: it applies feed events (from a feed.Client or a replay of
// records), evaluates alerts, executes the TUI's commands (focus, ack,
// mute, pause, seek, speed) and hands the TUI one coalesced Frame per frame
// interval, never one per feed message.
//
// It must not render anything or import the tui package.
package engine
