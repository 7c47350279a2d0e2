package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/calltop/calltop/diagnose/alert"
)

// matcherWords says what a silence matches, as on-call reads it:
// "call standup", "rule loss-inbound", "person p7", "everything".
func matcherWords(m alert.Matcher) string {
	if m.All {
		return "everything"
	}
	var parts []string
	key := m.Key
	if rule, subj, ok := strings.Cut(key, "@"); ok { // rule@call/participant/connection/ssrc
		f := strings.Split(subj, "/")
		key = rule + " of " + strings.Join(slices.DeleteFunc(f[:min(len(f), 2)], func(s string) bool { return s == "" }), "/")
	}
	for _, kv := range [][2]string{{"alert", key}, {"call", m.CallID}, {"person", m.ParticipantID}, {"person", m.Person}, {"rule", m.Rule}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+clean(kv[1]))
		}
	}
	return strings.Join(parts, ", ")
}

// matcherWords is matcherWords with a call named by its room, as the
// alert rows name it.
func (p *alertPane) matcherWords(m alert.Matcher) string {
	if room := p.roomOf(m.CallID); room != "" {
		m.CallID = room
	}
	return matcherWords(m)
}

// roomOf is the room of a call an alert is about, or "".
func (p *alertPane) roomOf(callID string) string {
	if callID == "" {
		return ""
	}
	for _, as := range [][]alert.Alert{p.snap.Active, p.snap.History} {
		for i := range as {
			if as[i].Subject.CallID == callID && as[i].Room != "" {
				return clean(as[i].Room)
			}
		}
	}
	return p.rooms[callID]
}

// alertWords names an alert an until-resolved silence waits for, given as
// "key (state)": "loss-inbound on standup / Ada J. (firing)".
func (p *alertPane) alertWords(waiting string) string {
	k, state, _ := strings.Cut(waiting, " (")
	for _, as := range [][]alert.Alert{p.snap.Active, p.snap.History} {
		for i := range as {
			if a := &as[i]; a.Key == k {
				return a.Rule + " on " + p.subject(a) + " (" + clean(state)
			}
		}
	}
	return clean(waiting)
}

// describeSilence names a silence by id for a question: its matcher and
// how long it lasts.
func (p *alertPane) describeSilence(id string) string {
	for i := range p.snap.Silences {
		if s := &p.snap.Silences[i]; s.ID == id {
			end := p.silenceEnd(s)
			if s.UntilResolved && len(s.Waiting) > 0 { // a question has two lines
				end = "until resolved: waiting for " + plural(len(s.Waiting), "alert")
			}
			return fmt.Sprintf("%s (%s, %s, by %s)", id, p.matcherWords(s.Matcher), end, clean(s.Who))
		}
	}
	return id
}

// silenceEnd says when a silence ends: "ends 14:05:00 (in 12m)", or
// "until resolved: waiting for loss-inbound@c1/p1//0 (firing)".
func (p *alertPane) silenceEnd(s *alert.SilenceStatus) string {
	if s.UntilResolved {
		if len(s.Waiting) == 0 {
			return "until resolved"
		}
		var waiting []string
		for _, w := range s.Waiting[:min(len(s.Waiting), 2)] {
			waiting = append(waiting, p.alertWords(w))
		}
		if more := len(s.Waiting) - len(waiting); more > 0 {
			waiting = append(waiting, fmt.Sprintf("%d more", more))
		}
		return "until resolved: waiting for " + strings.Join(waiting, ", ")
	}
	return "ends " + fmtClock(s.Ends) + " (in " + fmtAgo(s.Left) + ")"
}

// silenceLines renders the silences tab: id, matcher, who and when,
// the end or what it waits for, how many alerts it mutes, the comment.
func (p *alertPane) silenceLines(w, h int) []string {
	if len(p.silences) == 0 {
		msg := "  No silences. m on an alert makes one."
		if p.filter.Value() != "" {
			msg = "  No silence matches the filter (esc clears it)."
		}
		return []string{p.styles.Dim.Render(msg)}
	}
	l := p.list()
	from, to := l.Window()
	out := make([]string, 0, h)
	for i := from; i < min(to, from+h); i++ {
		s := &p.silences[i]
		line := fmt.Sprintf(" %-4s %s · by %s at %s · mutes %d · %s", clean(s.ID), p.matcherWords(s.Matcher),
			clean(s.Who), fmtClock(s.Created), s.Muting, p.silenceEnd(s))
		if s.Why != "" {
			line += " · “" + clean(s.Why) + "”"
		}
		line = fit(line, w)
		if i == l.Cursor() && p.focused {
			line = p.styles.Selected.Render(line)
		}
		out = append(out, line)
	}
	return out
}
