// Package feed is the wire and nothing else: the calltop.v1 protocol
// types and their fast Decode and AppendMessage, the Hub (fan-out server
// with a Tracker of ongoing calls, so a new subscriber gets one snapshot),
// the sources that feed it (StepSource for the simulator, ReplaySource for
// recordings), the Client (dial, auth, TLS, reconnect with backoff,
// failover, stall detection, snapshot reassembly) and the recording format
// (Record, ReadRecording, Recorder, Redact). docs/feed-protocol.md
// describes the protocol.
//
// It owns transport and framing. It must not know about diagnosis, alerts
// or screens: it never imports diagnose or tui, nor its own sub-packages
// sim and dump (cmd/calltop wires those in as sources).
package feed
