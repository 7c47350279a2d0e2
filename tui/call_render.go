package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/calltop/calltop/diagnose"
)

// wideCall is the width from which diagnoses sit beside the sparklines.
const wideCall = 120

// View renders the call screen.
func (v *callView) View() string {
	if v.detail == nil {
		msg := "Loading call " + v.Name() + "…"
		if v.paused {
			msg += " The display is paused: p resumes it."
		}
		if v.gone {
			msg = "Call " + v.Name() + " is no longer in the feed (ended calls stay a minute). esc goes back."
		}
		if v.feedTime.IsZero() {
			msg = "Waiting for the feed…"
		}
		return block([]string{"", "  " + msg}, v.width, v.height)
	}
	defer v.graphs.sweep()
	if v.reading {
		return block(v.readingView(), v.width, v.height)
	}
	lay := v.layoutFor()
	lines := v.facts()
	lines = append(lines, v.participantRows()...)
	if lay.beside {
		left := v.graphPanel(lay.graphW, lay.rest, 1)
		right := v.findingsPanel(lay.findW, lay.rest)
		for i := range lay.rest {
			lines = append(lines, left[i]+"  "+right[i])
		}
		return block(lines, v.width, v.height)
	}
	lines = append(lines, v.graphPanel(v.width, lay.graphH, lay.graphCols)...)
	lines = append(lines, v.findingsPanel(v.width, lay.findH)...)
	return block(lines, v.width, v.height)
}

// callLayout is where the call screen's parts go. It follows from the
// size and the detail alone: SetSize and SetDetail size the lists by it,
// View draws by it.
type callLayout struct {
	rest           int  // lines under the facts and participants
	beside         bool // diagnoses beside the graphs (wide screens)
	graphW, graphH int
	graphCols      int // side by side, when below each other
	findW, findH   int
}

// layoutFor works out the layout; while the diagnoses have the cursor on
// a narrow screen, they take the graphs' room.
func (v *callView) layoutFor() callLayout {
	used := 1 + v.peopleLines()
	if v.detail != nil && len(v.detail.Summary.Tags) > 0 {
		used++
	}
	lay := callLayout{rest: max(v.height-used, 0)}
	if v.width >= wideCall {
		lay.beside, lay.graphW = true, v.width*11/20
		lay.findW, lay.findH, lay.graphH = v.width-lay.graphW-2, lay.rest, lay.rest
		return lay
	}
	lay.graphW, lay.findW = v.width, v.width
	if v.onDiags {
		lay.findH = lay.rest
		return lay
	}
	n := 6
	if p := v.participant(); p != nil {
		n = len(graphsOf(p))
	}
	lay.graphCols = 2
	if n > 6 { // video: three abreast, so each keeps room for a plot
		lay.graphCols = 3
	}
	rows := (n + lay.graphCols - 1) / lay.graphCols
	per := max((lay.rest*3/5-1)/rows, 1)
	if per < 3 && lay.rest-(1+3*rows) >= 5 {
		per = 3 // room for a small plot under each label
	}
	lay.graphH = min(1+per*rows, lay.rest)
	lay.findH = lay.rest - lay.graphH
	return lay
}

// peopleLines is how many lines the participant table takes.
func (v *callView) peopleLines() int {
	if v.detail == nil || len(v.detail.Participants) == 0 {
		return 2
	}
	from, to := v.people.Window()
	n := 1 + to - from
	if len(v.detail.Participants) > to-from {
		n++
	}
	return n
}

// SetSize implements component; the participant window is 3 rows, 8 on
// tall screens.
func (v *callView) SetSize(w, h int) {
	v.common.SetSize(w, h)
	v.people.SetHeight(participantRows(h))
	v.resize()
}

// participantRows is how many participants are listed at once.
func participantRows(h int) int {
	if h >= 40 {
		return 8
	}
	return 3
}

// resize gives the diagnoses and the page the rows the layout leaves them.
func (v *callView) resize() {
	lay := v.layoutFor()
	v.diags.SetHeight(v.findingsFit(lay.findW, lay.findH).rows)
	v.page.SetHeight(v.height - 1)
}

// facts renders the call's room, id, start, duration, participants and tags.
func (v *callView) facts() []string {
	st, s := v.styles, v.detail.Summary
	sep := st.Dim.Render(" | ")
	label := func(l string) string { return st.Label.Render(l + " ") }
	var line string
	for _, labelled := range []bool{true, false} {
		if !labelled {
			label = func(string) string { return "" }
		}
		parts := []string{
			label("room") + st.Section.Render(roomOf(s)),
			label("call") + clean(s.ID),
			label("started") + fmtClock(s.Start) + " UTC",
			label("duration") + fmtDuration(callDuration(s, v.feedTime)),
			plural(len(v.detail.Participants), "participant"),
		}
		if s.Ended {
			parts = append(parts, st.Trouble.Render("ended "+fmtClock(s.End)))
		} else if sourceLost(s) { // calls_source.go
			parts = append(parts, sourceFact(st))
		}
		line = strings.Join(parts, sep)
		if lipWidth(line) <= v.width {
			break
		}
	}
	lines := []string{fit(line, v.width)}
	if len(s.Tags) > 0 {
		keys := make([]string, 0, len(s.Tags))
		for k := range s.Tags {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		tags := make([]string, len(keys))
		for i, k := range keys {
			tags[i] = clean(k) + "=" + clean(s.Tags[k])
		}
		lines = append(lines, fit(st.Label.Render("tags ")+strings.Join(tags, " "), v.width))
	}
	return lines
}

// participantRows renders the participant table: a heading and a window
// of rows around the selected participant.
func (v *callView) participantRows() []string {
	ps := v.detail.Participants
	wide := v.width >= wideCall
	out := []string{v.styles.ColumnHeader.Render(fit(participantHeading(wide), v.width))}
	if len(ps) == 0 {
		return append(out, v.styles.Dim.Render("  nobody has joined yet"))
	}
	from, to := v.people.Window()
	for i := from; i < to; i++ {
		out = append(out, v.participantRow(&ps[i], i == v.people.Cursor(), wide))
	}
	if len(ps) > to-from {
		out = append(out, v.styles.Dim.Render("  "+shownOf(from, to, len(ps), "participants")+"; up/down to choose"))
	}
	return out
}

func participantHeading(wide bool) string {
	h := fmt.Sprintf("%-16s %-12s %-8s %-10s %4s ", "PARTICIPANT", "BROWSER", "NETWORK", "REGION", "MOS")
	if wide {
		h += fmt.Sprintf("%-24s ", "CONNECTION")
	}
	return h + "WORST FINDING"
}

// participantRow renders one participant; the selected one is reversed.
func (v *callView) participantRow(p *diagnose.ParticipantDetail, selected, wide bool) string {
	st := v.styles
	name := clean(p.Name)
	if name == "" {
		name = clean(p.ID)
	}
	if p.Left {
		name += " (left)"
	}
	cells := []string{fit(name, 16), fit(clean(p.Browser), 12), fit(clean(p.NetworkType), 8),
		fit(clean(p.Region), 10), fitRight(fmtNum(p.MOS, 1), 4)}
	if wide {
		cells = append(cells, fit(connectionText(p), 24))
	}
	row := strings.Join(cells, " ") + " "
	worst := "-"
	sev := st.Dim
	if p.Worst != nil {
		worst = sevGlyph(p.Worst.Severity) + " " + clean(p.Worst.Message)
		sev = sevStyle(st, p.Worst.Severity)
	}
	base := lipgloss.NewStyle()
	if p.Left {
		base = st.Ended
	}
	if selected {
		base, sev = st.Selected, sev.Reverse(true)
	}
	rest := v.width - lipWidth(row)
	return base.Render(row) + sev.Render(fit(worst, rest))
}

// connectionText summarises a participant's first connection: candidate
// type, relay protocol and ICE state.
func connectionText(p *diagnose.ParticipantDetail) string {
	if len(p.Connections) == 0 {
		return "-"
	}
	c := p.Connections[0]
	var parts []string
	if c.LocalCandidateType != "" {
		t := clean(c.LocalCandidateType)
		if c.RelayProtocol != "" {
			t += "/" + clean(c.RelayProtocol)
		}
		parts = append(parts, t)
	}
	if c.ICEState != "" {
		parts = append(parts, "ice "+clean(c.ICEState))
	}
	if len(p.Connections) > 1 {
		parts = append(parts, fmt.Sprintf("+%d", len(p.Connections)-1))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
