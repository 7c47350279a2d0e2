package diagnose

import (
	"bufio"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// A report of several calls (a fleet recording) opens with a summary:
// one line a call, worst first, and the totals; the details follow. A
// fleet breakdown (by region, app...) belongs after the totals.

// summaryRow is one call's line in the summary.
type summaryRow struct {
	call     *ReportCall
	worst    *ReportFinding // highest severity, earliest; nil if none
	mos      float64        // the lowest participant mean; NaN if none
	severity Severity
}

// summaryRows orders the calls worst first: by their worst finding's
// severity, then the lower MOS, then more findings, then the id.
func summaryRows(calls []ReportCall) []summaryRow {
	rows := make([]summaryRow, len(calls))
	for i := range calls {
		c := &calls[i]
		r := summaryRow{call: c, mos: math.NaN(), severity: -1}
		for j := range c.Findings {
			if f := &c.Findings[j]; r.worst == nil || f.Severity > r.worst.Severity {
				r.worst, r.severity = f, f.Severity
			}
		}
		for _, p := range c.Participants {
			if p.MOS != nil && (math.IsNaN(r.mos) || p.MOS.Mean < r.mos) {
				r.mos = p.MOS.Mean
			}
		}
		rows[i] = r
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch {
		case a.severity != b.severity:
			return a.severity > b.severity
		case lowerMOS(a.mos, b.mos) != lowerMOS(b.mos, a.mos):
			return lowerMOS(a.mos, b.mos)
		case len(a.call.Findings) != len(b.call.Findings):
			return len(a.call.Findings) > len(b.call.Findings)
		}
		return a.call.ID < b.call.ID
	})
	return rows
}

// lowerMOS reports whether MOS a is worse than b; an unknown one (NaN)
// sorts after every known one.
func lowerMOS(a, b float64) bool {
	switch {
	case math.IsNaN(a):
		return false
	case math.IsNaN(b):
		return true
	}
	return a < b
}

// writeSummaryText writes the worst-first table and the totals.
func writeSummaryText(w *bufio.Writer, calls []ReportCall) {
	rows := summaryRows(calls)
	fmt.Fprintf(w, "\nSummary, worst first:\n")
	fmt.Fprintf(w, "  %-24s %6s %9s %5s  %s\n", "ROOM", "PEOPLE", "DURATION", "MOS", "WORST FINDING")
	var people int
	var total time.Duration
	bySeverity := map[Severity]int{}
	for _, r := range rows {
		c := r.call
		room := c.Room
		if room == "" {
			room = c.ID
		}
		mos := "-"
		if !math.IsNaN(r.mos) {
			mos = fmt.Sprintf("%.2f", r.mos)
		}
		worst := "none"
		if r.worst != nil {
			worst = fmt.Sprintf("%s %s: %s", r.worst.Severity, r.worst.Rule, r.worst.Message)
		}
		d := time.Duration(c.DurationSec * float64(time.Second)).Round(time.Second)
		fmt.Fprintf(w, "  %-24s %6d %9s %5s  %s\n", cut(room, 24), len(c.Participants), d, mos, cut(worst, 90))
		people += len(c.Participants)
		total += d
		for _, f := range c.Findings {
			bySeverity[f.Severity]++
		}
	}
	var counts []string
	for s := Critical; s >= Info; s-- {
		counts = append(counts, fmt.Sprintf("%d %s", bySeverity[s], s))
	}
	fmt.Fprintf(w, "  total: %d calls, %d participants, %s of calls; findings: %s\n",
		len(calls), people, total, strings.Join(counts, ", "))
}

// cut shortens s to n characters with an ellipsis.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
