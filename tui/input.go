package tui

import (
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// filterLimit is the longest filter, in runes.
const filterLimit = 80

// newFilterInput is the calls filter: a bubbles text input with a steady
// cursor (no blink, so nothing ticks while the user thinks) and the
// filter's colours.
func newFilterInput(st *Styles) textinput.Model {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "type to filter by call, room, participant, user or tag"
	in.CharLimit = filterLimit
	s := textinput.DefaultDarkStyles()
	s.Focused.Prompt, s.Blurred.Prompt = st.Filter, st.Filter
	s.Focused.Placeholder, s.Blurred.Placeholder = st.Dim, st.Dim
	s.Focused.Text, s.Blurred.Text = lipgloss.NewStyle(), lipgloss.NewStyle()
	s.Cursor.Blink, s.Cursor.Color = false, nil // a reversed cell, in the terminal's own colours
	in.SetStyles(s)
	in.KeyMap.Paste.SetEnabled(false) // the terminal's paste arrives as a PasteMsg; no clipboard I/O
	in.KeyMap.NextSuggestion.SetEnabled(false)
	in.KeyMap.PrevSuggestion.SetEnabled(false)
	return in
}
