package tui

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/view"
)

// clean makes a feed string safe for the terminal: tabs and line breaks
// become spaces (a line stays a line), then diagnose.Clean strips control
// and format characters (escape sequences' introducers, bidi overrides),
// invalid UTF-8, and bounds the length.
func clean(s string) string { return view.Clean(s) }

// cellWidth is the width of s in cells. Text made of ASCII, Latin letters,
// punctuation, arrows and box drawing, styled with CSI sequences (nearly
// all of a frame) is measured in one scan; anything else (wide or
// combining characters, other escapes) goes to ansi.StringWidth, which
// segments graphemes.
func cellWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrowRune(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
			continue
		case c == 0x1b:
			if i+1 >= len(s) || s[i+1] != '[' {
				return ansi.StringWidth(s)
			}
			i += 2
			for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
				i++
			}
		case c >= 0x20 && c != 0x7f:
			n++
		}
		i++
	}
	return n
}

// narrowRune reports whether r is surely one cell wide: Latin-1 and Latin
// Extended letters, general punctuation (… •), arrows, box drawing.
func narrowRune(r rune) bool {
	return (r >= 0xa0 && r < 0x300 && r != 0xad) || (r >= 0x2010 && r <= 0x2027) || (r >= 0x2030 && r <= 0x205e) ||
		(r >= 0x2190 && r <= 0x21ff) || (r >= 0x2500 && r <= 0x257f)
}

// fit truncates s (which may hold ANSI styling) to w cells with "…", or
// pads it with spaces to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := cellWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-n)
}

// fitRight is fit with the text aligned to the right.
func fitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := cellWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-n) + s
}

// clip truncates s to w cells without padding.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if cellWidth(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s
}

// sevGlyph is the severity's ASCII glyph: never colour alone.
func sevGlyph(s diagnose.Severity) string {
	switch s {
	case diagnose.Critical:
		return "!!"
	case diagnose.Warning:
		return "! "
	case diagnose.Info:
		return "i "
	}
	return "- "
}

// sevWord is the severity as a word, short ("crit") or long ("critical").
func sevWord(s diagnose.Severity, long bool) string {
	if s == diagnose.None {
		return "ok"
	}
	if long {
		return s.String()
	}
	switch s {
	case diagnose.Critical:
		return "crit"
	case diagnose.Warning:
		return "warn"
	}
	return "info"
}

// fmtDuration renders d as "42s", "12:04" or "1:02:03".
func fmtDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}

// fmtAgo renders a span like "3m12s" or "2h05m" for "since" columns.
func fmtAgo(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s/60%60)
}

// fmtNum renders v with prec decimals, or "-" when unknown (NaN or Inf).
func fmtNum(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

// fmtPct renders a percentage, "-" when unknown.
func fmtPct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	if v >= 10 {
		return fmt.Sprintf("%.0f%%", v)
	}
	return fmt.Sprintf("%.1f%%", v)
}

// fmtMs renders milliseconds, "-" when unknown.
func fmtMs(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return fmt.Sprintf("%.0fms", v)
}

// fmtKbps renders a bitrate; short drops the "/s".
func fmtKbps(v float64, short bool) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	unit, div := "k", 1.0
	if v >= 1000 {
		unit, div = "M", 1000
	}
	num := fmt.Sprintf("%.0f", v/div)
	if div > 1 && v/div < 100 {
		num = fmt.Sprintf("%.1f", v/div)
	}
	if short {
		return num + unit
	}
	return num + " " + unit + "b/s"
}

// fmtClock renders a data timestamp as UTC time of day.
func fmtClock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("15:04:05")
}

// lipWidth is the width in cells of a possibly styled string.
func lipWidth(s string) int { return cellWidth(s) }

// shownOf says which of n things a window shows: "3-5 of 9 participants",
// or "2 of 9 diagnoses" for one.
func shownOf(from, to, n int, what string) string {
	if to-from == 1 {
		return fmt.Sprintf("%d of %d %s", from+1, n, what)
	}
	return fmt.Sprintf("%d-%d of %d %s", from+1, to, n, what)
}
