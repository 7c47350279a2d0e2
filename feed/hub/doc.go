// Package hub is the calltop.v1 feed server: a Hub fans every published
// message out to its WebSocket subscribers (bounded queues; a slow one is
// dropped), keeps a feed.Tracker so that a late joiner gets one snapshot
// (encoded outside its lock), checks tokens, listen addresses and Host
// names, caps its connections (room kept for subscribers, idle ones
// closed), escapes what it logs, and serves /healthz. The sources
// that publish into it (StepSource for the simulator, ReplaySource for
// recordings, Scoped for several producers) live here too. For team mode
// it offers hooks, not policy: Config.Authenticate says who a subscriber
// is (a Peer), Config.Joined adds frames after hello, Config.Inbound hears
// what subscribers send, and SendTo answers one of them; a hub without
// Inbound answers a team command "not in team mode".
//
// It must not know about diagnosis, alerts or screens.
package hub
