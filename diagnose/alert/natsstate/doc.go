// Package natsstate keeps the alert book's state in a JetStream key-value
// bucket shared by the team hubs on one NATS cluster (calltop hub --team
// --nats), as statefile keeps it in a file shared by the processes on one
// state directory.
//
// The bucket (CALLTOP_TEAM by default, replicated on up to three nodes)
// holds two kinds of keys:
//
//   - "actions": what people did, shared by every hub: silences, their
//     removal, acks and un-acks (alert.Persisted's Silences, Removed and
//     Acks). A hub changes it only by compare-and-set on the revision it
//     last saw, taking in what another hub wrote in between
//     (Persisted.WithActions), so no hub overwrites another's action.
//   - "book.<hub-id>": one hub's own book (its alerts' lifecycle and the
//     resolved history), written by that hub only.
//
// Every hub watches "actions" and hands a change to the engine, which
// merges it into its book (Book.Merge): an ack made through one hub shows
// on every hub within a second. A save that fails (no NATS leader for a
// moment) is tried again until it is written, so an action is not lost to
// a node restart.
//
// It is an adapter of the alert domain: it moves alert.Persisted values
// and does not interpret them beyond choosing the actions.
package natsstate
