// Package alert turns diagnose findings into alerts with a lifecycle:
// pending until a rule's `for` duration has passed, firing, acknowledged,
// resolved; muted by silences and inhibited by a feed outage. It raises
// the no-data alerts (feed down, participant stale, optional fleet-level
// alerts), keeps a bounded history and event log, persists acks, silences
// and history in a state file, and sends chat/webhook notifications from a
// bounded queue.
//
// The Book is driven by plain calls that carry the time explicitly (`now`);
// it never reads the wall clock and is not safe for concurrent use: one
// goroutine (the engine) owns it. The Notifier and the Store do the I/O
// and never hold a reference to the Book.
//
// It must not render anything, import the tui or the feed packages, or
// read the wall clock inside the lifecycle logic.
package alert
