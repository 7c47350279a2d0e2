// Package engine is the one goroutine that owns the diagnose Monitor and the
// alert Book: it applies feed events (a client.Client's Events channel, or a
// Replay of records from a recording or dump), evaluates alerts, executes
// the TUI's commands (focus, ack, mute, unmute, replay pause, seek and
// speed) and hands the TUI one coalesced Frame per frame interval, never
// one per feed message.
//
// Frames: a channel of capacity one holding the newest frame; an unread
// frame is replaced (its Pending count carries over), so the engine never
// blocks on the TUI. The coalescing timer runs only while there is a change
// not yet sent: an idle feed costs nothing.
//
// Clocks: the Monitor and the Book run on data time. The Book is evaluated
// once per second of data time (Observe, then Stale with the participants
// whose stats stopped for 15 s and who were seen live on the current
// connection: a restarted hub is not an incident, stale.go). Events that
// come without data (the feed going down or back, a user's ack or mute)
// reach the Book at data time moved on by the wall clock since the last
// data arrived (live feeds' data time is about wall time); while the feed
// is down the Book is ticked once a second that way, so feed-down's grace
// runs out and ages go on. Before any data the Book hears nothing (the
// header shows the feed state) unless Options.BlindAfter passes: then
// feed-down is raised on the wall clock (blind.go), so `watch` pages. A
// replay uses data time only. The wall clock is otherwise used here only
// to pace frames and replays, never for diagnosis.
//
// State: the keeper loads the state file once and hands saves to a
// statefile.Syncer, which writes off this goroutine and brings in what
// another calltop on the same state directory did (Book.Merge).
//
// Why here: the engine is the running form of calltop's wiring. It is the
// glue between feed (events in), diagnose and diagnose/alert (the domain)
// and tui (frames out), so it sits beside the command that wires them,
// not inside any one of them: diagnose stays pure, and feed and tui stay
// ignorant of each other. tui imports it only for Frame and the Controller
// it sends commands to.
//
// Team hubs: with Options.Remote the book is a team hub's (RemoteBook, fed
// by the team frames the client delivers as unknown types) and the engine
// keeps none; on the hub itself, Act runs a user's command on the book and
// reports its outcome, and Options.Findings streams the open findings.
//
// It must not render anything or import the tui package.
package engine
