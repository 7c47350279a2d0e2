// Package history is calltop's memory of ended calls: the Call that is
// kept when a call ends (its report, the people in it and a downsampled
// series per participant), the Query a support agent searches with, the
// Store interface that keeps and finds them, and the Writer that queues
// ended calls off the live path.
//
// It owns the domain of call history and nothing of how it is kept: the
// SQLite store is the adapter in history/sqlite, and a second one (say
// PostgreSQL for several hubs) implements the same Store without touching
// callers. It must not import a database driver, the network, the feed
// transports or the TUI, and it reads no wall clock except in the Writer's
// retention ticker, which is given its clock.
package history
