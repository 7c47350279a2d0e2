package tui

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/guptarohit/asciigraph"

	"github.com/calltop/calltop/diagnose"
)

// windows are the sparkline windows + and - step through.
var windows = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute}

// graphKey identifies a plotted sparkline: the same series data, size
// and window give the same picture, so it is plotted once.
type graphKey struct {
	participant string
	series      string
	points      int
	last        time.Time
	width       int
	height      int
	window      time.Duration
}

// graphCache keeps the plotted sparklines of the participant on screen.
// View looks pictures up; it plots only on a miss (new data, a resize or
// a new window), and forgets pictures no longer asked for.
type graphCache struct {
	pictures map[graphKey]string
	used     map[graphKey]bool
	plots    int // how many times Plot ran, for tests
}

// get returns the picture for key, plotting it on a miss.
func (c *graphCache) get(k graphKey, s *diagnose.Series, label string, st *Styles) string {
	if c.pictures == nil {
		c.pictures, c.used = map[graphKey]string{}, map[graphKey]bool{}
	}
	c.used[k] = true
	if p, ok := c.pictures[k]; ok {
		return p
	}
	c.plots++
	p := renderGraph(s, label, k.width, k.height, k.window, st)
	c.pictures[k] = p
	return p
}

// sweep forgets pictures not asked for since the last sweep; the call
// view sweeps after each render, so only what is on screen stays.
func (c *graphCache) sweep() {
	for k := range c.pictures {
		if !c.used[k] {
			delete(c.pictures, k)
		}
	}
	clear(c.used)
}

// windowed returns the values of s within window of its last sample.
func windowed(s *diagnose.Series, window time.Duration) []float64 {
	n := min(len(s.Times), len(s.Values))
	if n == 0 {
		return nil
	}
	from := s.Times[n-1].Add(-window)
	i := sort.Search(n, func(i int) bool { return !s.Times[i].Before(from) })
	return s.Values[i:n]
}

// seriesStats returns the last, lowest and highest known value, and how
// many known values there are.
func seriesStats(vals []float64) (last, lo, hi float64, known int) {
	last, lo, hi = math.NaN(), math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		known++
		last, lo, hi = v, min(lo, v), max(hi, v)
	}
	return last, lo, hi, known
}

// compactRange is the narrowest compact graph that shows the range too.
const compactRange = 36

// renderGraph draws a label line ("Loss in (%)  now 3.2  min 0  max 8.1")
// and an asciigraph plot of height plot rows, exactly width cells wide.
func renderGraph(s *diagnose.Series, label string, width, height int, window time.Duration, st *Styles) string {
	vals := windowed(s, window)
	last, lo, hi, known := seriesStats(vals)
	unit := clean(s.Unit)
	head := st.Section.Render(label)
	if unit != "" {
		head += st.Dim.Render(" (" + unit + ")")
	}
	lines := []string{head}
	now, lowS, highS := fmtStat(last, unit), fmtStat(lo, unit), fmtStat(hi, unit)
	stats := fmt.Sprintf("  now %s  min %s  max %s", now, lowS, highS)
	if width < 50 { // compact: "Loss in 3.2, min 0 max 8.1 %", shorter if need be
		head = st.Section.Render(label) + " " + st.Dim.Render(unit)
		lines[0] = st.Section.Render(label)
		u := ""
		if unit != "" {
			u = " " + unit
		}
		// one shape for every graph of a panel, chosen by the width alone:
		// "Bitrate in 1239 kbps (992-1338)", or "Bitrate in 1239 kbps"
		stats = fmt.Sprintf(" %s%s", now, u)
		if width >= compactRange {
			stats = fmt.Sprintf(" %s%s (%s-%s)", now, u, lowS, highS)
		}
	}
	if known == 0 {
		if height <= 0 {
			return fit(head+st.Dim.Render("  no data"), width)
		}
		lines = append(lines, st.Dim.Render("  no data in the last "+fmtWindow(window)))
		return block(lines, width, height+2)
	}
	lines[0] += stats
	if height <= 0 {
		return fit(lines[0], width)
	}
	plot := plotSeries(vals, lo, hi, width, height, height > 2)
	for _, l := range strings.Split(plot, "\n") {
		lines = append(lines, st.Graph.Render(l))
	}
	return block(lines, width, height+2)
}

// plotSeries runs asciigraph so the picture is exactly width cells wide
// and height+1 rows tall; a flat series gets headroom so it keeps its size.
func plotSeries(vals []float64, lo, hi float64, width, height int, fromZero bool) (out string) {
	defer func() {
		if recover() != nil {
			out = "  (graph unavailable)"
		}
	}()
	lower := lo
	if fromZero {
		lower = min(lo, 0)
	}
	upper := hi
	if upper-lower < 1e-9 {
		upper = lower + 1
	}
	prec := uint(0)
	if upper < 10 {
		prec = 1
	}
	plot := func(w int) string {
		return asciigraph.Plot(vals, asciigraph.Height(height), asciigraph.Width(max(w, 2)),
			asciigraph.LowerBound(lower), asciigraph.UpperBound(upper), asciigraph.Precision(prec))
	}
	out = plot(width - 8)
	if over := widest(out) - width; over != 0 {
		out = plot(width - 8 - over)
	}
	return out
}

// widest is the width of the widest line of s.
func widest(s string) int {
	w := 0
	for _, l := range strings.Split(s, "\n") {
		w = max(w, lipWidth(l))
	}
	return w
}

// fmtStat renders a value for a graph label: whole milliseconds and
// kbps, one decimal for small values of anything else.
func fmtStat(v float64, unit string) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "-"
	case math.Abs(v) >= 100 || unit == "ms" || unit == "kbps":
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// fmtWindow renders a window: "1 min", "15 min".
func fmtWindow(d time.Duration) string { return fmt.Sprintf("%d min", int(d/time.Minute)) }
