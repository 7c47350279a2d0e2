package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/calltop/calltop/cmd/calltop/engine"
)

// feedDown reports whether the feed is not delivering: connecting,
// reconnecting, stalled or failed (a replay and a live feed are fine).
func feedDown(f engine.FeedStatus) bool {
	switch f.State {
	case "connecting", "reconnecting", "stalled", "failed":
		return true
	}
	return false
}

// feedTitle says in one sentence what is wrong with the feed.
func feedTitle(f engine.FeedStatus) string {
	switch f.Problem {
	case "unauthorized":
		return "The hub refused the token: none was given, or the wrong one (HTTP 401)."
	case "refused":
		return "Connection refused: nothing is listening at the feed's address."
	case "dns":
		return "The feed's host name does not resolve (DNS)."
	case "tls":
		return "TLS failed: the hub's certificate is not trusted, or it does not speak TLS."
	case "timeout":
		return "The hub did not answer in time."
	case "http":
		return "The address answered, but not as a calltop feed."
	case "dropped":
		return "The connection to the feed dropped."
	}
	switch f.State {
	case "connecting":
		return "Connecting to the feed…"
	case "stalled":
		return "The feed is connected but has sent nothing (stalled)."
	}
	return "The feed is not delivering."
}

// feedNext says what happens next: a countdown (from the tick's clock
// now, zero before the first tick), a stall's length, or that calltop
// gave up.
func feedNext(f engine.FeedStatus, now time.Time) string {
	switch f.State {
	case "reconnecting":
		if !now.IsZero() && !f.NextRetry.IsZero() {
			return fmt.Sprintf("Trying again in %d s.", max(int(f.NextRetry.Sub(now).Round(time.Second)/time.Second), 0))
		}
		return "Trying again shortly."
	case "stalled":
		if !now.IsZero() && !f.Since.IsZero() {
			return fmt.Sprintf("Nothing for %d s; the connection is kept open.", max(int(now.Sub(f.Since)/time.Second), 0))
		}
		return "The connection is kept open."
	case "failed":
		return "calltop gave up: retrying cannot fix this. Quit (q) and start again with the right --token, --feed or --ca."
	}
	return ""
}

// feedProblemLines explains the feed's state in the body, wrapped to
// width: what is wrong, the URL, the reason and what happens next.
func feedProblemLines(f engine.FeedStatus, now time.Time, width int, st *Styles) []string {
	w := max(width-4, 20)
	wrap := func(label, text string) []string {
		ls := strings.Split(lipgloss.Wrap(text, w-len(label), " "), "\n")
		out := make([]string, len(ls))
		for i, l := range ls {
			pad := strings.Repeat(" ", len(label))
			if i == 0 {
				pad = st.Label.Render(label)
			}
			out[i] = "  " + pad + l
		}
		return out
	}
	lines := []string{""}
	lines = append(lines, wrap("", st.Trouble.Render(feedTitle(f)))...)
	url := clean(f.URL)
	if url == "" {
		url = clean(f.Source)
	}
	if url != "" {
		lines = append(lines, wrap("URL     ", url)...)
	}
	if f.Reason != "" {
		lines = append(lines, wrap("Reason  ", clean(f.Reason))...)
	}
	if next := feedNext(f, now); next != "" {
		lines = append(lines, wrap("", next)...)
	}
	return lines
}

// feedBanner is one line (two at most, wrapped) over a calls list whose
// feed is down: the rows are as of the last update.
func feedBanner(f engine.FeedStatus, now time.Time, width int, st *Styles) []string {
	text := "Feed down, rows are stale: " + feedTitle(f) + " " + feedNext(f, now)
	if f.Reason != "" {
		text += " (" + clean(f.Reason) + ")"
	}
	ls := strings.Split(lipgloss.Wrap(text, max(width, 20), " "), "\n")
	if len(ls) > 2 {
		ls[1] = clip(ls[1]+" "+strings.Join(ls[2:], " "), width)
		ls = ls[:2]
	}
	for i := range ls {
		ls[i] = st.Trouble.Render(ls[i])
	}
	return ls
}
