package tui

import (
	"time"

	"fmt"
	"strings"

	"github.com/calltop/calltop/diagnose"
)

// graphPanel renders the selected participant's sparklines in cols
// columns, exactly h lines of w cells. Pictures come from the cache.
func (v *callView) graphPanel(w, h, cols int) []string {
	st, p := v.styles, v.participant()
	if h <= 0 {
		return nil
	}
	if p == nil {
		return blockLines([]string{st.Dim.Render("No participant to plot.")}, w, h)
	}
	name := clean(p.Name)
	if name == "" {
		name = clean(p.ID)
	}
	lines := []string{st.Section.Render(name) + st.Dim.Render(fmt.Sprintf(", last %s (+/- to change)", fmtWindow(v.Window())))}
	graphs := graphsOf(p)
	rows := (len(graphs) + cols - 1) / cols
	per := (h - 1) / rows
	plotH := per - 2 // a label line, then plotH+1 plot lines
	if plotH < 1 {
		plotH, per = 0, 1
	}
	colW := (w - 2*(cols-1)) / cols
	for r := 0; r < rows && len(lines)+per <= h; r++ {
		row := make([]string, per)
		for c := 0; c < cols; c++ {
			i := r*cols + c
			pic := strings.Repeat(" ", colW)
			var picLines []string
			if i < len(graphs) {
				g := graphs[i]
				k := graphKey{p.ID, g.label, len(g.s.Values), lastTime(g.s), colW, plotH, v.Window()}
				picLines = strings.Split(v.graphs.get(k, g.s, g.label, st), "\n")
			}
			for j := range row {
				if c > 0 {
					row[j] += "  "
				}
				if j < len(picLines) {
					row[j] += fit(picLines[j], colW)
				} else {
					row[j] += pic
				}
			}
		}
		lines = append(lines, row...)
	}
	return blockLines(lines, w, h)
}

// graph is one sparkline of the graph panel.
type graph struct {
	label string
	s     *diagnose.Series
}

// graphsOf is what the graph panel plots for p: bitrate, loss, RTT and
// jitter, and for a participant receiving video its frame rate and
// resolution (frame height), as webrtc-internals shows them, each when
// the feed reports it.
func graphsOf(p *diagnose.ParticipantDetail) []graph {
	out := []graph{{"Bitrate in", &p.BitrateIn}, {"Bitrate out", &p.BitrateOut}, {"Loss in", &p.LossIn},
		{"Loss out", &p.LossOut}, {"RTT", &p.RTT}, {"Jitter in", &p.JitterIn}}
	if known(&p.FrameRateIn) {
		out = append(out, graph{"Frame rate in", &p.FrameRateIn})
	}
	if known(&p.FrameHeightIn) { // not every producer reports frameHeight
		out = append(out, graph{"Resolution in", &p.FrameHeightIn})
	}
	return out
}

// known reports whether s holds a known value.
func known(s *diagnose.Series) bool {
	_, _, _, n := seriesStats(s.Values)
	return n > 0
}

// lastTime is the time of a series' newest sample.
func lastTime(s *diagnose.Series) (t0 time.Time) {
	if n := len(s.Times); n > 0 {
		return s.Times[n-1]
	}
	return t0
}

// timelineLines renders the newest events that fit in h lines, oldest first.
func (v *callView) timelineLines(w, h int) []string {
	if h < 2 {
		return nil
	}
	st, events := v.styles, v.detail.Timeline
	lines := []string{st.Section.Render("TIMELINE")}
	if len(events) == 0 {
		return append(lines, st.Dim.Render("  nothing yet"))
	}
	names := map[string]string{}
	for _, p := range v.detail.Participants {
		names[p.ID] = clean(p.Name)
	}
	from := max(len(events)-(h-1), 0)
	for _, e := range events[from:] {
		who := names[e.ParticipantID]
		if who == "" {
			who = clean(e.ParticipantID)
		}
		glyph := "  "
		if e.Kind == "finding-raised" || e.Kind == "finding-cleared" {
			glyph = sevStyle(st, e.Severity).Render(sevGlyph(e.Severity))
		}
		text := clean(e.Text)
		if text == "" {
			text = clean(e.Kind)
		}
		line := fmt.Sprintf("%s %s %s %s", fmtClock(e.Time), glyph, fit(who, 12), text)
		lines = append(lines, fit(line, w))
	}
	return lines
}

// blockLines pads or cuts lines to exactly w cells and h lines.
func blockLines(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return out
}
