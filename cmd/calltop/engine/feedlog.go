package engine

import (
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed/client"
)

// logFeedChange writes a line to logf (Options.Logf: calltop.log under
// the TUI; nil logs nothing) when the feed connects, fails, stalls or goes to reconnect:
// the record a user reads after the fact. The URL is logged without
// credentials and every feed-supplied string is cleaned.
func logFeedChange(logf func(string, ...any), old, cur FeedStatus) {
	if logf == nil {
		return
	}
	if old.State == cur.State && old.Reason == cur.Reason && old.URL == cur.URL {
		return
	}
	where := client.RedactURL(cur.URL)
	why := diagnose.Clean(cur.Reason)
	switch cur.State {
	case "live":
		logf("feed %s: connected (connection %d)", where, cur.Connects)
	case "reconnecting":
		logf("feed %s: down (%s): %s; reconnecting in %s", where, cur.Problem, why,
			time.Until(cur.NextRetry).Round(100*time.Millisecond))
	case "failed":
		logf("feed %s: failed (%s): %s; gave up", where, cur.Problem, why)
	case "stalled":
		logf("feed %s: stalled: no frame since %s", where, cur.Since.Format(time.RFC3339))
	case "connecting":
		if old.State == "" {
			logf("feed %s: connecting", where)
		}
	}
}
