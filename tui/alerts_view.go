package tui

import (
	"fmt"
	"strings"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// View renders the pane: a title, then the alert list or the event log,
// and the mute picker at the bottom while it is open.
func (p *alertPane) View() string {
	w, h := p.innerSize()
	lines := []string{p.title(w)}
	var foot []string
	if p.picker != nil {
		foot = p.picker.View(p.styles, w)
	}
	room := max(h-1-len(foot), 0)
	if p.events {
		lines = append(lines, p.eventLines(w, room)...)
	} else {
		lines = append(lines, p.alertLines(w, room)...)
	}
	lines = append(blockLines(lines, w, h-len(foot)), foot...)
	return p.frame(lines, w, h)
}

// pickerLines is how many lines the open mute picker takes.
const pickerLines = 3

// SetSize implements component; the lists get the lines left under the
// title and the picker.
func (p *alertPane) SetSize(w, h int) {
	p.common.SetSize(w, h)
	p.resize()
}

// resize gives the lists their height (after the picker opens or closes).
func (p *alertPane) resize() {
	_, h := p.innerSize()
	room := h - 1
	if p.picker != nil {
		room -= pickerLines
	}
	p.list.SetHeight(room)
	p.log.SetHeight(room)
}

// innerSize is the size inside the separator.
func (p *alertPane) innerSize() (int, int) {
	if p.beside {
		return max(p.width-2, 0), p.height
	}
	return p.width, max(p.height-1, 0)
}

// frame draws the separator: a rule on the left when beside the screen,
// above when below it.
func (p *alertPane) frame(lines []string, w, h int) string {
	sep := p.styles.Dim
	if p.beside {
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

// title counts what the pane holds; it is reversed while the pane has the
// keyboard, so focus shows without colour.
func (p *alertPane) title(w int) string {
	c := p.snap.Counts
	name := "ALERTS"
	if p.events {
		name = "EVENT LOG"
	}
	text := fmt.Sprintf(" %s  %d firing, %d acked", name, firingTotal(p.Firing()), c.Acknowledged)
	if c.Pending > 0 {
		text += fmt.Sprintf(", %d pending", c.Pending)
	}
	if p.hidden > 0 {
		text += fmt.Sprintf("  (%d muted hidden, M shows)", p.hidden)
	} else if p.showMuted && c.Muted+c.Inhibited > 0 {
		text += "  (showing muted, M hides)"
	}
	st := p.styles.Section
	if p.focused {
		st = p.styles.Selected.Bold(true)
	}
	return st.Render(fit(text, w))
}

// alertLines renders the visible window of alerts around the cursor.
func (p *alertPane) alertLines(w, h int) []string {
	if len(p.rows) == 0 {
		msg := "  No alerts firing."
		if p.hidden > 0 {
			msg = fmt.Sprintf("  No alerts firing that are not muted (%d muted: M shows them).", p.hidden)
		}
		return []string{p.styles.Dim.Render(msg)}
	}
	from, to := p.list.Window()
	out := make([]string, 0, h)
	for i := from; i < min(to, from+h); i++ {
		out = append(out, p.alertRow(&p.rows[i], i == p.list.Cursor() && p.focused, w))
	}
	return out
}

// alertRow renders severity, status, age, subject and message.
func (p *alertPane) alertRow(a *alert.Alert, selected bool, w int) string {
	state := rowNormal
	switch {
	case selected:
		state = rowSelected
	case a.State == alert.Resolved || a.Muted() || a.Inhibited():
		state = rowEnded
	}
	subjW := min(max(w/3, 14), 32)
	status := strings.ToUpper(a.Status())
	if a.State == alert.Acknowledged {
		status = "ACKED"
	}
	body := " " + fit(status, 9) + " " + fitRight(fmtAgo(a.Duration(p.snap.Now)), 6) + " " +
		fit(p.subject(a), subjW) + " " + clean(a.Message)
	sev := min(max(a.Severity, diagnose.None), diagnose.Critical)
	sevText := fit(sevGlyph(a.Severity)+" "+sevWord(a.Severity, false), 7)
	return p.paints.sev[sev][state].render(sevText) + p.paints.rest[state].render(fit(body, w-7))
}

// eventLines renders the window of events, oldest first: it follows the
// newest until the user moves up, and pages back in time.
func (p *alertPane) eventLines(w, h int) []string {
	ev := p.snap.Events
	if len(ev) == 0 {
		return []string{p.styles.Dim.Render("  Nothing has happened yet.")}
	}
	from, end := p.log.Window()
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
		if p.focused && p.log.Pinned() && from+i == p.log.Cursor() {
			line = p.styles.Selected.Render(line)
		}
		out = append(out, line)
	}
	return out
}
