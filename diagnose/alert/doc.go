// Package alert turns diagnose findings into alerts with a lifecycle:
// pending until a rule's `for` duration has passed, firing, acknowledged,
// resolved; muted by silences and inhibited by a feed outage. It raises
// the no-data alerts (feed down, participant stale, optional fleet-level
// alerts), folds symptoms into their cause's alert, re-opens an alert that
// fires again soon after resolving (hysteresis), keeps a bounded history
// and event log, and says what to persist (Persist, Restore, Merge) and
// what to notify (Notification, handed to a Sender).
//
// The Book is driven by plain calls that carry the time explicitly (`now`);
// it never reads the wall clock and is not safe for concurrent use: one
// goroutine (the engine) owns it.
//
// It is the domain: it must not do I/O, render anything, import the tui or
// the feed packages, or read the wall clock inside the lifecycle logic.
// The adapters live beside it: webhook (payloads and posting) and
// statefile (the state file, its lock and its directory); `go list -deps`
// of this package names no net/http or crypto/tls.
package alert
