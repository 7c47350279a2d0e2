// Package bus joins calltop hubs over NATS: what one hub's sources produce
// is published on per-call subjects and replayed into every other hub, so
// a subscriber of any hub sees the calls of all of them.
//
// It owns the subjects (subject.go), the prefixing of call ids with the hub
// id, the own side (Node.Publisher: what local sources publish through) and
// the remote side (peers: their calls, heartbeats, goodbyes, sync). It is
// the only package that imports NATS; feed/hub stays free of it, and bus
// must not know diagnosis, alerts or screens. See docs/scaling.md.
package bus
