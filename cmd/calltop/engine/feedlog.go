package engine

import (
	"net/url"
	"time"

	"github.com/calltop/calltop/diagnose"
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
	where := safeURL(cur.URL)
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

// safeURL is u without a password or query values (a token may hide there).
func safeURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return diagnose.Clean(u)
	}
	if pu.User != nil {
		pu.User = url.User(pu.User.Username())
	}
	if pu.RawQuery != "" {
		q := pu.Query()
		for k := range q {
			q.Set(k, "redacted")
		}
		pu.RawQuery = q.Encode()
	}
	return diagnose.Clean(pu.String())
}
