package engine

import (
	"log"
	"net/url"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// logFeedChange writes a line to the standard logger (calltop.log under
// the TUI) when the feed connects, fails, stalls or goes to reconnect:
// the record a user reads after the fact. The URL is logged without
// credentials and every feed-supplied string is cleaned.
func logFeedChange(old, cur FeedStatus) {
	if old.State == cur.State && old.Reason == cur.Reason && old.URL == cur.URL {
		return
	}
	where := safeURL(cur.URL)
	why := diagnose.Clean(cur.Reason)
	switch cur.State {
	case "live":
		log.Printf("feed %s: connected (connection %d)", where, cur.Connects)
	case "reconnecting":
		log.Printf("feed %s: down (%s): %s; reconnecting in %s", where, cur.Problem, why,
			time.Until(cur.NextRetry).Round(100*time.Millisecond))
	case "failed":
		log.Printf("feed %s: failed (%s): %s; gave up", where, cur.Problem, why)
	case "stalled":
		log.Printf("feed %s: stalled: no frame since %s", where, cur.Since.Format(time.RFC3339))
	case "connecting":
		if old.State == "" {
			log.Printf("feed %s: connecting", where)
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
