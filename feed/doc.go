// Package feed is the wire and nothing else: the calltop.v1 protocol types,
// the Client (dial, auth, TLS, reconnect, failover), the Hub (fan-out
// server) and the recording format.
//
// It owns transport and framing. It must not know about diagnosis, alerts
// or screens: it never imports diagnose or tui.
package feed
