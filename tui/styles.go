package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"github.com/calltop/calltop/diagnose"
)

// Styles holds every style the TUI uses. Meaning is carried by the 16 base
// ANSI colours (which every terminal has and NO_COLOR drops) and always
// doubled by text or a glyph; selection uses Reverse so it shows without
// colour too. No style sets black, white or grey as a foreground: each is
// the background of some theme, so secondary text is Faint instead.
type Styles struct {
	// Header is the top line; Title the app name at its left.
	Header, Title lipgloss.Style
	// Live, Trouble and Paused colour the feed state and the pause marker.
	Live, Trouble, Paused lipgloss.Style
	// Critical, Warning, Info and OK colour severities (glyph and word).
	Critical, Warning, Info, OK lipgloss.Style
	// ColumnHeader is a table's heading row; Section a block's title.
	ColumnHeader, Section lipgloss.Style
	// Selected is the cursor row; Ended a call that has ended.
	Selected, Ended lipgloss.Style
	// Dim is secondary text; Label the name in a "name: value" pair.
	Dim, Label lipgloss.Style
	// Hint is the bottom line; Notice a transient message in it.
	Hint, Notice lipgloss.Style
	// Key is a key's name in the hint bar and the help.
	Key lipgloss.Style
	// Filter is the active filter shown in the header.
	Filter lipgloss.Style
	// Match is the participant a filter matched, in a calls row.
	Match lipgloss.Style
	// Graph colours the sparklines.
	Graph lipgloss.Style
	// Pane frames the alert pane and the mute picker.
	Pane lipgloss.Style
}

// DefaultStyles returns the default styles.
func DefaultStyles() Styles {
	s := lipgloss.NewStyle()
	return Styles{
		Header:       s,
		Title:        s.Bold(true),
		Live:         s.Foreground(lipgloss.Green),
		Trouble:      s.Foreground(lipgloss.Red).Bold(true),
		Paused:       s.Reverse(true).Bold(true),
		Critical:     s.Foreground(lipgloss.Red).Bold(true),
		Warning:      s.Foreground(lipgloss.Yellow),
		Info:         s.Foreground(lipgloss.Cyan),
		OK:           s.Foreground(lipgloss.Green),
		ColumnHeader: s.Bold(true),
		Section:      s.Bold(true),
		Selected:     s.Reverse(true),
		Ended:        s.Faint(true),
		Dim:          s.Faint(true),
		Label:        s.Faint(true),
		Hint:         s.Faint(true),
		Notice:       s.Bold(true),
		Key:          s.Bold(true),
		Filter:       s.Foreground(lipgloss.Magenta).Bold(true),
		Match:        s.Foreground(lipgloss.Magenta).Bold(true).Underline(true),
		Graph:        s.Foreground(lipgloss.Blue),
		Pane:         s.Border(lipgloss.NormalBorder(), false, false, false, true),
	}
}

// helpStyles dresses the hint bar and the help in st's styles, replacing
// the help bubble's greys (which a 16-colour terminal turns into black).
func helpStyles(st *Styles) help.Styles {
	return help.Styles{
		ShortKey: st.Key, ShortDesc: st.Hint, ShortSeparator: st.Hint, Ellipsis: st.Hint,
		FullKey: st.Key, FullDesc: lipgloss.NewStyle(), FullSeparator: st.Hint,
	}
}

// sevStyle is the style of a severity's glyph and word.
func sevStyle(st *Styles, s diagnose.Severity) lipgloss.Style {
	switch s {
	case diagnose.Critical:
		return st.Critical
	case diagnose.Warning:
		return st.Warning
	case diagnose.Info:
		return st.Info
	}
	return st.OK
}

// paint is a style reduced to the escape sequences that open and close
// it, for hot paths that style one line of plain text at a time (a style
// without width, padding, borders or underline renders exactly so).
type paint struct{ open, close string }

// newPaint extracts a style's opening and closing sequences.
func newPaint(s lipgloss.Style) paint {
	r := s.Render("x")
	i := strings.IndexByte(r, 'x')
	if i < 0 {
		return paint{}
	}
	return paint{open: r[:i], close: r[i+1:]}
}

// render styles text that holds no newline.
func (p paint) render(text string) string {
	if p.open == "" {
		return text
	}
	return p.open + text + p.close
}

// rowPaints are the calls table's styles as paints: the severity cell by
// severity and row state, and the rest of the row by row state.
type rowPaints struct {
	sev   [4][3]paint // [severity][normal, ended, selected]
	rest  [3]paint
	match [3]paint
}

// Row states, indexes into rowPaints.
const (
	rowNormal = iota
	rowEnded
	rowSelected
)

func newRowPaints(st *Styles) rowPaints {
	var p rowPaints
	for s := diagnose.None; s <= diagnose.Critical; s++ {
		base := sevStyle(st, s)
		p.sev[s] = [3]paint{newPaint(base), newPaint(base.Faint(true)), newPaint(base.Reverse(true))}
	}
	p.rest = [3]paint{newPaint(st.Header), newPaint(st.Ended), newPaint(st.Selected)}
	p.match = [3]paint{newPaint(st.Match), newPaint(st.Match.Faint(true)), newPaint(st.Match.Reverse(true))}
	return p
}
