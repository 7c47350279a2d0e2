// Package statefile keeps the alert book's state on disk: the state
// directory ($XDG_STATE_HOME/calltop), the state file written atomically
// with mode 0600, a corrupt file set aside with a message, and the lock and
// change detection that let two processes (a TUI and a watch) share one
// directory.
//
// It is an adapter of the alert domain: it reads and writes
// alert.Persisted values and must not interpret them.
package statefile
