package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
)

// headerInfo is everything the header shows, gathered by the root.
type headerInfo struct {
	feed     engine.FeedStatus
	replay   *engine.ReplayStatus
	hasFrame bool
	closed   bool
	feedTime time.Time
	now      time.Time // wall clock from the last tick; zero if none
	calls    int
	ended    int
	firing   [4]int // firing alerts by diagnose.Severity
	filter   string
	skipped  int // samples the Monitor marked untrustworthy and skipped
	paused   bool
	waiting  int
	// openCallAlerts: view mode's own book, which sees the open call only.
	openCallAlerts bool
}

// header is the top of the screen: source, feed state, counts, feed time,
// bad frames, filter, pause and replay position.
type header struct {
	common
	info headerInfo
}

// ShortHelp implements help.KeyMap (the header has no keys).
func (h *header) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (h *header) FullHelp() [][]key.Binding { return nil }

// Lines is how many lines the header needs: two during a replay.
func (h *header) Lines() int {
	if h.info.replay != nil {
		return 2
	}
	return 1
}

// View renders the header.
func (h *header) View() string {
	st, in := h.styles, h.info
	sep := st.Dim.Render(" | ")
	var line, tag string
	for level := range headerLevels {
		tag = ""
		if in.paused {
			waiting := plural(in.waiting, "update") + " waiting"
			if level >= 6 {
				waiting = fmt.Sprintf("%d waiting", in.waiting)
			}
			tag = st.Paused.Render(" PAUSED, " + waiting + " ")
		}
		line = strings.Join(h.parts(level), sep)
		if lipWidth(line)+headerTagWidth(tag) <= h.width {
			break
		}
	}
	if tag != "" {
		line = fit(line, h.width-headerTagWidth(tag)) + " " + tag
	}
	out := fit(line, h.width)
	if in.replay != nil {
		out += "\n" + fit(h.replayLine(), h.width)
	}
	return out
}

// headerLevels is how many levels of brevity parts knows.
const headerLevels = 8

// headerTagWidth is the room the pause tag takes, with its space.
func headerTagWidth(tag string) int {
	if tag == "" {
		return 0
	}
	return lipWidth(tag) + 1
}

// parts are the header's fields at a level of brevity, dropping the least
// useful first so the state, the call count and the alert counts always
// fit: 0 says it all; 1 keeps only the feed's host and uses shorter
// words; 2 drops the feed time; 3 drops the title and the source instead
// (the time may fit then; with no data yet there is no time, so the title
// stays); 4 keeps the title but not the time; 5 drops both; 6 brings the
// title back but drops the reason for the state and the ended calls; 7
// drops the title again. So a failed feed's header still says "calltop"
// whenever the rest leaves room.
func (h *header) parts(level int) []string {
	st, in := h.styles, h.info
	var parts []string
	switch level {
	case 0:
		parts = append(parts, st.Title.Render("calltop"), clean(in.feed.Source))
	case 1, 2:
		parts = append(parts, st.Title.Render("calltop"), shortSource(clean(in.feed.Source)))
	case 3:
		if in.feedTime.IsZero() { // no feed time to make room for
			parts = append(parts, st.Title.Render("calltop"))
		}
	case 4, 6:
		parts = append(parts, st.Title.Render("calltop"))
	}
	parts = append(parts, h.state(level < 6))
	if in.filter != "" {
		parts = append(parts, st.Filter.Render("filter: "+in.filter))
	}
	if in.hasFrame {
		calls := plural(in.calls-in.ended, "call")
		if in.ended > 0 && level < 6 {
			calls += fmt.Sprintf(" (+%d ended)", in.ended)
		}
		if in.calls > 0 || !feedDown(in.feed) { // "0 calls" is no news while the feed is down
			parts = append(parts, calls)
		}
		parts = append(parts, h.alertCounts(level > 0))
		switch {
		case in.feedTime.IsZero(): // no data yet: "-" says nothing
		case level == 0:
			parts = append(parts, "feed "+fmtClock(in.feedTime))
		case level == 1 || level == 3:
			parts = append(parts, fmtClock(in.feedTime))
		}
	}
	if in.feed.BadFrames > 0 {
		bad := plural(in.feed.BadFrames, "bad frame")
		if level == 0 && in.feed.LastBad != "" {
			bad += " (last: " + clean(in.feed.LastBad) + ")"
		}
		if level >= 6 {
			bad = fmt.Sprintf("%d bad", in.feed.BadFrames)
		}
		parts = append(parts, st.Trouble.Render(bad))
	}
	if in.skipped > 0 && level == 0 {
		parts = append(parts, st.Dim.Render(plural(in.skipped, "sample")+" skipped"))
	}
	return parts
}

// shortSource keeps the host of a feed URL ("ws://h:7070/feed" -> "h:7070")
// and the base name of a file.
func shortSource(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
		if j := strings.IndexByte(s, '/'); j >= 0 {
			s = s[:j]
		}
		return s
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 && i < len(s)-1 {
		return s[i+1:]
	}
	return s
}

// state renders the feed state, with countdowns from the tick's clock
// and, if withReason, why.
func (h *header) state(withReason bool) string {
	st, f := h.styles, h.info.feed
	reason := ""
	if f.Reason != "" && withReason {
		reason = " (" + clean(f.Reason) + ")"
	}
	switch {
	case h.info.closed && f.State != "failed": // a failed feed says why below
		return st.Trouble.Render("engine stopped")
	case !h.info.hasFrame && f.State == "":
		return st.Dim.Render("waiting for the feed…")
	}
	switch f.State {
	case "live":
		return st.Live.Render("live")
	case "replay":
		return st.Live.Render("replay")
	case "reconnecting":
		if !h.info.now.IsZero() && !f.NextRetry.IsZero() {
			secs := int(f.NextRetry.Sub(h.info.now).Round(time.Second) / time.Second)
			return st.Trouble.Render(fmt.Sprintf("reconnecting in %d s%s", max(secs, 0), reason))
		}
		return st.Trouble.Render("reconnecting" + reason)
	case "stalled":
		if !h.info.now.IsZero() && !f.Since.IsZero() {
			secs := int(h.info.now.Sub(f.Since) / time.Second)
			return st.Trouble.Render(fmt.Sprintf("stalled for %d s%s", max(secs, 0), reason))
		}
		return st.Trouble.Render("stalled" + reason)
	case "failed":
		return st.Trouble.Render("failed" + reason)
	case "ended":
		return st.Dim.Render("feed ended")
	}
	return clean(f.State) + reason
}

// alertCounts renders "alerts 2 crit 1 warn" or "no alerts".
func (h *header) alertCounts(short bool) string {
	st, n := h.styles, h.info.firing
	if n[diagnose.Critical]+n[diagnose.Warning]+n[diagnose.Info] == 0 {
		if h.info.openCallAlerts { // "no alerts" would be news it cannot know
			return "alerts: open call"
		}
		if short {
			return "no alerts"
		}
		return "no alerts firing"
	}
	var parts []string
	for _, s := range []diagnose.Severity{diagnose.Critical, diagnose.Warning, diagnose.Info} {
		if n[s] > 0 {
			parts = append(parts, sevStyle(st, s).Render(fmt.Sprintf("%d %s", n[s], sevWord(s, false))))
		}
	}
	return "alerts " + strings.Join(parts, " ")
}

// replayLine renders the replay position, speed and a progress bar.
func (h *header) replayLine() string {
	r := h.info.replay
	state := "playing"
	if r.Paused {
		state = "paused"
	}
	total := r.End.Sub(r.Start)
	pos := r.Position.Sub(r.Start)
	if r.Ended { // the last record may come a little before End
		state, pos = "ended", total
	}
	text := fmt.Sprintf("replay %s  %s / %s  speed x%s  %s  ", state, fmtDuration(pos), fmtDuration(total),
		fmtSpeed(r.Speed), shortSource(clean(h.info.feed.Source)))
	barW := h.width - lipWidth(text) - 2
	if barW < 10 {
		return text
	}
	filled := 0
	if total > 0 {
		filled = int(float64(barW) * float64(pos) / float64(total))
	}
	filled = min(max(filled, 0), barW)
	return text + "[" + strings.Repeat("=", filled) + strings.Repeat("-", barW-filled) + "]"
}

// plural renders "1 update" or "3 updates".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// fmtSpeed renders a replay speed factor: "1", "0.5", "8".
func fmtSpeed(f float64) string {
	if f <= 0 {
		return "?"
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// needsClock reports whether the header shows a wall-clock countdown.
func needsClock(f engine.FeedStatus) bool {
	return f.State == "reconnecting" || f.State == "stalled"
}
