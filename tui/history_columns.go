package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose/history"
)

// historyCols lays out the history rows for a width: when it ended, room,
// people, duration, MOS, and at widths that allow it the worst finding.
type historyCols struct {
	room, people, worst int
}

func historyColumns(width int) historyCols {
	// 16 ended + 2 + room + 2 + people + 2 + 6 dur + 2 + 4 mos + 2 + worst
	rest := max(width-36, 20)
	c := historyCols{room: min(max(rest/4, 10), 24)}
	c.people = min(max(rest-c.room-4, 10), 40)
	c.worst = max(width-36-c.room-c.people-2, 0)
	return c
}

func (c historyCols) heading() string {
	h := fmt.Sprintf("%-16s  %-*s  %-*s  %6s  %4s", "ENDED (UTC)", c.room, "ROOM", c.people, "PEOPLE", "DUR", "MOS")
	if c.worst > 8 {
		h += "  WORST FINDING"
	}
	return h
}

func (c historyCols) row(s *history.Summary) string {
	mos := "   -"
	if s.MOSMean > 0 {
		mos = fmt.Sprintf("%4.1f", s.MOSMean)
	}
	row := fmt.Sprintf("%-16s  %s  %s  %6s  %s", s.End.UTC().Format("2006-01-02 15:04"),
		fit(clean(s.Room), c.room), fit(clean(strings.Join(s.People, ", ")), c.people),
		fmtDuration(s.End.Sub(s.Start).Round(time.Second)), mos)
	if c.worst > 8 {
		worst := "-"
		if s.WorstRule != "" {
			worst = sevGlyph(s.Worst) + " " + sevWord(s.Worst, false) + " " + clean(s.WorstText)
		}
		row += "  " + worst
	}
	return row
}
