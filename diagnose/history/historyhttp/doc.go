// Package historyhttp serves call history over HTTP for a team hub and
// reads it back for `calltop history`, `calltop report --call` and the
// TUI's history screen:
//
//	GET /history/calls?q=TEXT&since=24h&limit=50  -> [Summary...], newest first
//	GET /history/calls/ID                         -> the stored Call
//
// q is read by history.ParseQuery (free words are a person search; room:,
// call:, rule:, sev:, since: and KEY=VALUE narrow it). The hub's own
// authorisation wraps the handler (bearer token, as for /feed). It must not
// know about the engine, the feed or the TUI.
package historyhttp
