package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// View renders the pane: a title with the tabs, the current tab's rows,
// and at the bottom the open picker, question, note or filter.
func (p *alertPane) View() string {
	w, h := p.innerSize()
	lines := []string{p.title(w)}
	foot := p.footLines(w)
	room := max(h-1-len(foot), 0)
	switch p.tab {
	case tabEvents:
		lines = append(lines, p.eventLines(w, room)...)
	case tabSilences:
		lines = append(lines, p.silenceLines(w, room)...)
	default:
		lines = append(lines, p.alertLines(w, room)...)
	}
	lines = append(blockLines(lines, w, h-len(foot)), foot...)
	return p.frame(lines, w, h)
}

// footLines are the picker, the question, the note or the filter.
func (p *alertPane) footLines(w int) []string {
	switch {
	case p.picker != nil:
		return p.picker.View(p.styles, w)
	case p.prompt != nil:
		lines := strings.Split(lipgloss.Wrap(p.prompt.text, w, " "), "\n")
		for i := range lines[:min(len(lines), promptLines)] {
			lines[i] = p.styles.Warning.Render(clip(lines[i], w))
		}
		return lines[:min(len(lines), promptLines)]
	case p.note != nil:
		return []string{clip(p.note.View(), w)}
	case p.filtering || p.filter.Value() != "":
		return []string{clip(p.filter.View(), w)}
	}
	return nil
}

// SetSize implements component; the lists get the lines left under the
// title and the foot.
func (p *alertPane) SetSize(w, h int) {
	p.common.SetSize(w, h)
	p.resize()
}

// resize gives the lists their height (after a foot opens or closes).
func (p *alertPane) resize() {
	w, h := p.innerSize()
	fitInput(&p.filter, w)
	if p.note != nil {
		fitInput(p.note, w)
	}
	room := h - 1
	switch {
	case p.picker != nil:
		room -= pickerLines
	case p.prompt != nil:
		room -= promptLines
	case p.note != nil, p.filtering, p.filter.Value() != "":
		room--
	}
	for i := range p.lists {
		p.lists[i].SetHeight(room)
	}
}

// fitInput gives an input the width left after its prompt, so its
// placeholder shows whole (a textinput of width 0 shows one letter of it).
func fitInput(in *textinput.Model, w int) {
	in.SetWidth(max(w-lipWidth(in.Prompt)-1, 1))
}

// pickerLines is how many lines the open mute picker takes; promptLines
// the most a question takes.
const (
	pickerLines = 3
	promptLines = 2
)

// innerSize is the size inside the separator.
func (p *alertPane) innerSize() (int, int) {
	if p.beside && !p.zoomed {
		return max(p.width-2, 0), p.height
	}
	return p.width, max(p.height-1, 0)
}

// frame draws the separator: a rule on the left when beside the screen,
// above when below it (or zoomed).
func (p *alertPane) frame(lines []string, w, h int) string {
	sep := p.styles.Dim
	if p.beside && !p.zoomed {
		out := make([]string, h)
		for i := range out {
			l := ""
			if i < len(lines) {
				l = lines[i]
			}
			out[i] = sep.Render("│") + " " + fit(l, w)
		}
		return strings.Join(out, "\n")
	}
	return sep.Render(strings.Repeat("─", p.width)) + "\n" + strings.Join(blockLines(lines, w, h), "\n")
}

// tabNames are the tabs as the title names them.
var tabNames = [...]string{"ALERTS", "HISTORY", "SILENCES", "EVENT LOG"}

// title names the tab and counts what the pane holds; it is reversed
// while the pane has the keyboard, so focus shows without colour.
func (p *alertPane) title(w int) string {
	c := p.snap.Counts
	text := fmt.Sprintf(" %s  %d firing, %d acked", tabNames[p.tab], firingTotal(p.Firing()), c.Acknowledged)
	if c.Pending > 0 {
		text += fmt.Sprintf(", %d pending", c.Pending)
	}
	switch {
	case p.tab == tabHistory:
		text += fmt.Sprintf("  (%d resolved, newest first)", len(p.rows))
	case p.tab == tabSilences:
		text += fmt.Sprintf("  (%s)", plural(len(p.snap.Silences), "silence"))
	case p.snap.Whole != nil: // a team hub's picture cut at a fleet's size
		text += fmt.Sprintf("  (the worst %d of %d open)", len(p.snap.Active), p.snap.Whole.Active)
	case p.hidden.muted+p.hidden.inhibited > 0:
		var parts []string
		if n := p.hidden.muted; n > 0 {
			parts = append(parts, fmt.Sprintf("%d muted", n))
		}
		if n := p.hidden.inhibited; n > 0 {
			parts = append(parts, fmt.Sprintf("%d inhibited", n))
		}
		text += "  (" + strings.Join(parts, ", ") + " hidden, M shows)"
	case p.showMuted && c.Muted+c.Inhibited > 0:
		text += "  (showing muted and inhibited, M hides)"
	}
	st := p.styles.Section
	if p.focused {
		st = p.styles.Selected.Bold(true)
	}
	return st.Render(fit(text, w))
}

// alertLines renders the visible window of the alerts or history tab.
func (p *alertPane) alertLines(w, h int) []string {
	if len(p.rows) == 0 {
		msg := "  No alerts firing."
		switch {
		case p.filter.Value() != "":
			msg = "  No alert matches the filter (esc clears it)."
		case p.tab == tabHistory:
			msg = "  Nothing has resolved yet."
		case p.hidden.muted+p.hidden.inhibited > 0:
			msg = "  No alerts firing that are not muted or inhibited (M shows them)."
		case p.openCallOnly:
			msg = "  No alerts on the open call (with --view, a team hub alerts on all)."
		}
		return []string{p.styles.Dim.Render(msg)}
	}
	l := p.list()
	from, to := l.Window()
	out := make([]string, 0, h)
	for i := from; i < min(to, from+h); i++ {
		same := i > from && person(&p.rows[i]) == person(&p.rows[i-1]) && p.tab == tabAlerts
		out = append(out, p.alertRow(&p.rows[i], i == l.Cursor() && p.focused, same, w))
	}
	return out
}

// alertRow renders severity, status, age, subject and message; a row of
// the same person as the row above leaves the subject blank (grouped).
func (p *alertPane) alertRow(a *alert.Alert, selected, samePerson bool, w int) string {
	state := rowNormal
	switch {
	case selected:
		state = rowSelected
	case a.State == alert.Resolved || a.Muted() || a.Inhibited():
		state = rowEnded
	}
	subjW, ageW := min(max(w/3, 14), 32), 6
	if a.State == alert.Resolved {
		ageW = 8 // a clock
	}
	status := strings.ToUpper(a.Status())
	if a.State == alert.Acknowledged {
		status = "ACKED"
	}
	age := fmtAgo(a.Duration(p.snap.Now))
	if a.State == alert.Resolved {
		age = fmtClock(a.End)
	}
	subj := p.subject(a)
	if samePerson {
		subj = "  〃"
	}
	msg := clean(a.Message)
	if len(a.Also) > 0 {
		msg += " (also: " + clean(strings.Join(a.Also, "; ")) + ")"
	}
	if a.Flaps > 0 {
		msg += fmt.Sprintf(" [flapped %d×]", a.Flaps)
	}
	if a.State == alert.Acknowledged && a.Ack != nil {
		msg = ackedBy(a.Ack) + " · " + msg
	}
	body := " " + fit(status, 9) + " " + fitRight(age, ageW) + " " + fit(subj, subjW) + " " + msg
	sev := min(max(a.Severity, diagnose.None), diagnose.Critical)
	sevText := fit(sevGlyph(a.Severity)+" "+sevWord(a.Severity, false), 7)
	return p.paints.sev[sev][state].render(sevText) + p.paints.rest[state].render(fit(body, w-7))
}

// ackedBy says who acknowledged, when and why: "acked by dana 14:02: on
// it" (on a team hub, anyone on the team).
func ackedBy(ack *alert.Ack) string {
	s := "acked by " + clean(ack.Who) + " " + ack.At.UTC().Format("15:04")
	if ack.Note != "" {
		s += ": " + clean(ack.Note)
	}
	return s
}

// eventLines renders the window of events, oldest first: it follows the
// newest until the user moves up, and pages back in time.
func (p *alertPane) eventLines(w, h int) []string {
	ev := p.snap.Events
	if len(ev) == 0 {
		return []string{p.styles.Dim.Render("  Nothing has happened yet.")}
	}
	l := p.list()
	from, end := l.Window()
	end = min(end, from+h)
	out := make([]string, 0, h)
	kindW := 8 // as wide as the longest kind on screen, so the text gets the rest
	for _, e := range ev[from:end] {
		kindW = max(kindW, len(e.Kind))
	}
	for i, e := range ev[from:end] {
		subj := ""
		if e.Subject.CallID != "" {
			subj = p.rooms[e.Subject.CallID]
			if subj == "" {
				subj = clean(e.Subject.CallID)
			}
			if e.Name != "" {
				subj += " / " + clean(e.Name)
			}
		}
		line := fmt.Sprintf("%s %s %s %s %s", fmtClock(e.At), fit(string(e.Kind), kindW),
			fit(e.Rule, 16), fit(subj, 22), clean(e.Text))
		line = fit(line, w)
		if p.focused && l.Pinned() && from+i == l.Cursor() {
			line = p.styles.Selected.Render(line)
		}
		out = append(out, line)
	}
	return out
}
