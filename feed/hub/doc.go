// Package hub is the calltop.v1 feed server: a Hub fans every published
// message out to its WebSocket subscribers (bounded queues; a slow one is
// dropped), keeps a feed.Tracker so that a late joiner gets one snapshot
// (encoded outside its lock), checks tokens, listen addresses and Host
// names, caps its connections (room kept for subscribers, idle ones
// closed), escapes what it logs, and serves /healthz. The sources
// that publish into it (StepSource for the simulator, ReplaySource for
// recordings, Scoped for several producers) live here too.
//
// It must not know about diagnosis, alerts or screens.
package hub
