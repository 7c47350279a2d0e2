// Package feed is the wire and nothing else: the calltop.v1 protocol types
// (Message, Call, Participant, Stat), their fast Decode and AppendMessage,
// the Pipeline that turns received frames into whole messages (decode,
// unknown types, split snapshots, bad frames) and the Tracker of ongoing
// calls. docs/feed-protocol.md describes the protocol. Team mode's
// messages (welcome, alerts, findings, command, result) are plain data in
// team.go, outside Message: the Pipeline passes them on as unknown types
// and DecodeTeam reads them.
//
// A stats field is added in one place: declare it, tagged, on Stat in
// protocol.go and run `go generate ./feed`; feed/internal/statgen writes
// the decoder's and the encoder's per-field code (stat_fields_gen.go) and
// a test fails while that file is out of date.
//
// Transports live in sub-packages: feed/hub (the fan-out server and the
// sources that publish into it), feed/client (dial, auth, TLS, reconnect,
// failover, stall detection) and feed/recording (the JSON-lines recording
// format). Producers too: feed/sim, feed/dump, feed/ingest.
//
// It must not know about diagnosis, alerts or screens, and links no
// network code: it never imports diagnose, tui, net/http or a WebSocket
// library.
package feed
