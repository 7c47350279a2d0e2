package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/calltop/calltop/diagnose"
)

// findingID tells findings apart in the diagnoses list: a rule and subject
// can clear and fire again, so the start is part of it.
func findingID(f *diagnose.Finding) string {
	return f.Key() + "@" + strconv.FormatInt(f.Start.UnixMilli(), 10)
}

// findingsFit is how the diagnoses panel splits its lines: each finding
// takes per lines, rows findings show at once, the timeline what is left.
type findingsFit struct {
	per, rows, adviceLines int
	compact                bool // when and advice share one line
}

func (v *callView) findingsFit(w, h int) findingsFit {
	f := findingsFit{compact: h < 12 || w < 60, adviceLines: 1, per: 2}
	if h >= 20 {
		f.adviceLines = 2
	}
	if !f.compact {
		f.per += f.adviceLines
	}
	n, events := 0, 0
	if v.detail != nil {
		n, events = len(v.detail.Findings), len(v.detail.Timeline)
	}
	budget := h - 1 - min(events+1, max(h/3, 2))
	f.rows = budget / f.per
	if f.rows < n {
		f.rows = (budget - 1) / f.per // a line says how many more
	}
	f.rows = max(f.rows, 1)
	return f
}

// findingsPanel renders the window of diagnoses and, under them, the
// timeline; the selected diagnosis is reversed while d has put the cursor
// keys on the diagnoses.
func (v *callView) findingsPanel(w, h int) []string {
	if h <= 0 {
		return nil
	}
	fs, st := v.detail.Findings, v.styles
	open := 0
	for i := range fs {
		if fs[i].Open() {
			open++
		}
	}
	title := st.Section.Render("DIAGNOSES") + st.Dim.Render(fmt.Sprintf("  %d open, %d cleared", open, len(fs)-open))
	if len(fs) > 0 && !v.onDiags {
		title += st.Dim.Render("  (d chooses, enter reads in full)")
	}
	lines := []string{title}
	if len(fs) == 0 {
		lines = append(lines, v.noFindingsLines(w)...)
	}
	fit := v.findingsFit(w, h)
	from, to := v.diags.Window()
	for i := from; i < to && len(lines)+fit.per <= h; i++ {
		block := v.findingLines(&fs[i], w, fit, v.onDiags && i == v.diags.Cursor())
		lines = append(lines, blockLines(block, w, fit.per)...)
	}
	if len(fs) > to-from {
		lines = append(lines, st.Dim.Render("  "+shownOf(from, to, len(fs), "diagnoses")+"; d, then ↑/↓ to choose, enter reads one"))
	}
	lines = append(lines, v.timelineLines(w, h-len(lines))...)
	return blockLines(lines, w, h)
}

// noFindingsLines say why the call has no diagnoses: found fine, or watched
// too briefly to say (the calls list's "~ new"). In view mode the call
// screen diagnoses the open call's frames from when it opened, while the
// hub has watched it all along: until this screen's own diagnoses start,
// the hub's worst finding (its row in the calls list) is shown.
func (v *callView) noFindingsLines(w int) []string {
	st := v.styles
	s := v.detail.Summary
	if s == nil || !warming(s, v.feedTime) {
		return []string{"  No problems found on this call."}
	}
	if h := v.hubRow; h != nil && h.Key == v.id && h.TopFinding != "" && h.Severity >= diagnose.Warning {
		head := sevStyle(st, h.Severity).Render(sevGlyph(h.Severity)+" "+sevWord(h.Severity, true)) + "  the hub: " + clean(h.TopFinding)
		return []string{clip(head, w), clip("   "+st.Dim.Render("This screen's own diagnoses, with advice, start after "+fmtAgo(warmUp)+" of stats."), w)}
	}
	return []string{"  " + st.Dim.Render("No diagnoses yet: "+topFinding(s, v.feedTime)+".")}
}

// findingLines renders one finding: severity and message, since when (or
// when it cleared), and its advice, cut to fit (enter reads it whole).
func (v *callView) findingLines(f *diagnose.Finding, w int, fit findingsFit, selected bool) []string {
	st := v.styles
	sev := sevStyle(st, f.Severity)
	text := lipgloss.NewStyle()
	if !f.Open() {
		sev, text = st.Ended, st.Ended
	}
	if selected {
		sev, text = sev.Reverse(true), text.Reverse(true)
	}
	head := sev.Render(sevGlyph(f.Severity)+" "+sevWord(f.Severity, true)) + text.Render("  "+clean(f.Message))
	when := v.findingWhen(f)
	if fit.compact { // when and advice share the second line
		second := st.Dim.Render(when)
		if f.Advice != "" {
			second += ". " + clean(f.Advice)
		}
		return []string{clip(head, w), clip("   "+second, w)}
	}
	out := []string{clip(head, w), clip("   "+st.Dim.Render(when), w)}
	if f.Advice != "" {
		wrapped := strings.Split(lipgloss.Wrap("advice: "+clean(f.Advice), max(w-3, 10), " "), "\n")
		if len(wrapped) > fit.adviceLines {
			wrapped[fit.adviceLines-1] = clip(wrapped[fit.adviceLines-1]+" "+strings.Join(wrapped[fit.adviceLines:], " "), w-3)
			wrapped = wrapped[:fit.adviceLines]
		}
		for _, l := range wrapped {
			out = append(out, clip("   "+l, w))
		}
	}
	return out
}

// findingWhen says since when a finding holds, or when it held.
func (v *callView) findingWhen(f *diagnose.Finding) string {
	if !f.Open() {
		return fmt.Sprintf("cleared: %s to %s UTC (%s)", fmtClock(f.Start), fmtClock(f.End), fmtAgo(f.End.Sub(f.Start)))
	}
	return fmt.Sprintf("since %s UTC (%s)", fmtClock(f.Start), fmtAgo(v.feedTime.Sub(f.Start)))
}

// openReading shows the selected diagnosis in full.
func (v *callView) openReading() {
	if v.detail == nil || len(v.detail.Findings) == 0 {
		return
	}
	v.reading = true
	v.page.Home()
	v.page.SetRows(len(v.readingLines()))
}

// reading is the diagnosis read in full, or nil.
func (v *callView) readFinding() *diagnose.Finding {
	if c := v.diags.Cursor(); v.detail != nil && c < len(v.detail.Findings) {
		return &v.detail.Findings[c]
	}
	return nil
}

// readingLines is the selected diagnosis in full, wrapped to the width:
// message, when, who, evidence and advice.
func (v *callView) readingLines() []string {
	f := v.readFinding()
	if f == nil {
		return nil
	}
	st, w := v.styles, max(v.width-4, 16)
	wrap := func(s string) []string { return strings.Split(lipgloss.Wrap(s, w, " "), "\n") }
	indent := func(ls []string) []string {
		for i := range ls {
			ls[i] = "  " + ls[i]
		}
		return ls
	}
	sev := sevStyle(st, f.Severity)
	if !f.Open() {
		sev = st.Ended
	}
	out := []string{sev.Render(sevGlyph(f.Severity) + " " + sevWord(f.Severity, true))}
	out = append(out, indent(wrap(clean(f.Message)))...)
	out = append(out, "", st.Label.Render("When"))
	out = append(out, indent(wrap(v.findingWhen(f)))...)
	who := clean(f.ParticipantName)
	if who == "" {
		who = clean(f.Subject.ParticipantID)
	}
	if who != "" {
		out = append(out, "", st.Label.Render("Who"))
		out = append(out, indent(wrap(who+" ("+clean(f.Rule)+")"))...)
	}
	if len(f.Evidence) > 0 {
		out = append(out, "", st.Label.Render("Evidence"))
		for _, e := range f.Evidence {
			out = append(out, indent(wrap(evidenceText(e)))...)
		}
	}
	if f.Advice != "" {
		out = append(out, "", st.Label.Render("Advice"))
		out = append(out, indent(wrap(clean(f.Advice)))...)
	}
	return out
}

// evidenceText is one figure that decided a finding, with its threshold.
func evidenceText(e diagnose.Evidence) string {
	unit := clean(e.Unit)
	if unit != "" && unit != "%" {
		unit = " " + unit
	}
	return fmt.Sprintf("%s %s%s (threshold %s%s)", clean(e.Metric), strconv.FormatFloat(e.Value, 'f', -1, 64), unit,
		strconv.FormatFloat(e.Threshold, 'f', -1, 64), unit)
}

// readingView is the diagnosis in full: a title, then the page window.
func (v *callView) readingView() []string {
	lines := v.readingLines()
	st := v.styles
	title := fmt.Sprintf("DIAGNOSIS %d of %d", v.diags.Cursor()+1, len(v.detail.Findings))
	from, to := v.page.Window()
	to = min(to, len(lines))
	more := ""
	if from > 0 || to < len(lines) {
		more = fmt.Sprintf("  lines %d-%d of %d, ↑/↓ to scroll", from+1, to, len(lines))
	}
	out := []string{st.Section.Render(title) + st.Dim.Render("  "+v.Name()+more+"  (esc: back to the call)")}
	for _, l := range lines[min(from, len(lines)):to] {
		out = append(out, " "+l)
	}
	return out
}
