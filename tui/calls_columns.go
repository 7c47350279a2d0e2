package tui

import (
	"strconv"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// columns is the calls table's layout for one width: wide terminals get a
// separate call id column, long severity words and long bitrates.
type columns struct {
	width     int
	sev       int
	room      int
	id        int // 0 hides the call id column
	finding   int
	longWords bool
	longRate  bool
}

// fixed widths of the numeric columns.
const (
	colPeople = 3
	colDur    = 7
	colMOS    = 4
	colLoss   = 5
	colRTT    = 6
)

func callColumns(width int) columns {
	c := columns{width: width, sev: 7, room: 16}
	if width >= 120 {
		c.sev, c.room, c.longWords, c.longRate = 11, 24, true, true
	}
	if width >= 160 {
		c.id = 20
	}
	c.finding = max(width-c.sev-c.fixed(), 0)
	return c
}

// rateWidth is the bitrate column's width.
func (c columns) rateWidth() int {
	if c.longRate {
		return 10
	}
	return 5
}

// fixed is the width of everything but the severity and finding cells,
// each cell with its leading space.
func (c columns) fixed() int {
	w := 1 + c.room + 1 + colPeople + 1 + colDur + 1 + colMOS + 1 + colLoss + 1 + colRTT + 1 + c.rateWidth() + 1
	if c.id > 0 {
		w += c.id + 1
	}
	return w
}

// heading renders the column names; the sorted column gets a "↓".
func (c columns) heading(k sortKey) string {
	mark := func(name string, key sortKey) string {
		switch {
		case k == key:
			return name + "↓"
		case k == key|sortReversed:
			return name + "↑"
		}
		return name
	}
	sev := "SEV"
	if c.longWords {
		sev = "SEVERITY"
	}
	cells := []string{fit(mark(sev, sortSeverity), c.sev), fit(mark("ROOM", sortRoom), c.room)}
	if c.id > 0 {
		cells = append(cells, fit("CALL", c.id))
	}
	cells = append(cells,
		fitRight("PPL", colPeople),
		fitRight(mark("DUR", sortDuration), colDur),
		fitRight(mark("MOS", sortMOS), colMOS),
		fitRight(mark("LOSS", sortLoss), colLoss),
		fitRight(mark("RTT", sortRTT), colRTT),
		fitRight("RATE", c.rateWidth()),
		fit("TOP FINDING", c.finding-1))
	return strings.Join(cells, " ")
}

// row renders every cell after the severity but the top finding, with a
// leading space (the caller adds the finding, after the matched person).
func (c columns) row(s *diagnose.CallSummary, feedTime time.Time) string {
	var b strings.Builder
	b.Grow(c.width)
	b.WriteString(fit(roomOf(s), c.room))
	if c.id > 0 {
		b.WriteByte(' ')
		b.WriteString(fit(clean(s.ID), c.id))
	}
	dur := fmtDuration(callDuration(s, feedTime)) // an ended call's is how long it lasted
	for _, cell := range []struct {
		text string
		w    int
	}{
		{strconv.Itoa(s.Participants), colPeople},
		{dur, colDur},
		{fmtNum(s.WorstMOS, 1), colMOS},
		{fmtPct(s.WorstLoss), colLoss},
		{fmtMs(s.WorstRTTMs), colRTT},
		{fmtKbps(s.BitrateKbps, !c.longRate), c.rateWidth()},
	} {
		b.WriteByte(' ')
		b.WriteString(fitRight(cell.text, cell.w))
	}
	b.WriteByte(' ')
	return b.String()
}

// warmUp is how long calltop watches a call's stats before the rules'
// windows have filled enough to judge it: until then "ok" would be a guess.
const warmUp = 20 * time.Second

// warming reports whether c has been watched too briefly to be called ok
// (a call already going when calltop connected is new to it too).
func warming(c *diagnose.CallSummary, feedTime time.Time) bool {
	return !c.Ended && c.Severity == diagnose.None && (c.FirstStats.IsZero() || feedTime.Sub(c.FirstStats) < warmUp)
}

// topFinding is the finding cell's text: an ended call says how long ago
// it ended, a young one that it is warming up.
func topFinding(s *diagnose.CallSummary, feedTime time.Time) string {
	top := clean(s.TopFinding)
	switch {
	case s.Ended && !s.End.IsZero():
		ago := "ended " + fmtAgo(feedTime.Sub(s.End)) + " ago"
		if top != "" {
			return ago + ": " + top
		}
		return ago
	case sourceLost(s): // calls_source.go
		return sourceFinding(top)
	case warming(s, feedTime):
		return "warming up: first diagnoses after " + fmtAgo(warmUp) + " of stats"
	case top == "":
		return "-"
	}
	return top
}
