// Package natshistory carries ended calls through a JetStream stream
// (CALLTOP_ENDED by default) so that every team hub on one NATS cluster
// keeps the history of every hub's calls and no ended call is lost to a
// hub or a NATS node dying:
//
//   - a Publisher takes the ended calls a hub's engine lets go (what its
//     history writer got before), off the engine's goroutine, and
//     publishes each to calltop.v1.ended.<hub-id> until JetStream has
//     acknowledged it, with a message id (the call's id and start) that
//     JetStream uses to drop the same call published twice (two hubs
//     seeing one call end, a retry after a lost acknowledgement);
//   - a Writer is a durable consumer of the stream (one per writing hub,
//     named after it) that stores the calls in the hub's history store
//     and acknowledges each only once it is written: a writer killed mid-
//     batch gets the batch again when it comes back (history.Store.Put
//     replaces a call with the same id and start, so twice is harmless).
//
// The stream's limits (age, size) bound what a writer that was away can
// catch up on; its replicas (up to 3) keep it through a node restart.
package natshistory
