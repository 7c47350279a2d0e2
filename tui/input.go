package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// lineInput is a one-line text input for the filter: printable keys
// append, backspace deletes a character, ctrl+w a word, ctrl+u the line.
type lineInput struct {
	prompt      string
	placeholder string
	limit       int // in runes
	value       string
}

// Update applies one key to the value.
func (in *lineInput) Update(msg tea.KeyPressMsg) {
	switch msg.String() {
	case "backspace":
		r := []rune(in.value)
		if len(r) > 0 {
			in.value = string(r[:len(r)-1])
		}
		return
	case "ctrl+u":
		in.value = ""
		return
	case "ctrl+w":
		v := strings.TrimRight(in.value, " ")
		in.value = v[:strings.LastIndex(v, " ")+1]
		return
	}
	if msg.Mod.Contains(tea.ModCtrl) || msg.Mod.Contains(tea.ModAlt) {
		return
	}
	in.Insert(msg.Text)
}

// Insert appends text (typed or pasted), cleaned, up to the limit.
func (in *lineInput) Insert(text string) {
	text = clean(text)
	if in.limit > 0 {
		room := in.limit - len([]rune(in.value))
		if r := []rune(text); len(r) > room {
			text = string(r[:max(room, 0)])
		}
	}
	in.value += text
}

// View renders the prompt, the value and a block cursor.
func (in *lineInput) View(st *Styles, width int) string {
	cursor := st.Selected.Render(" ")
	if in.value == "" {
		return clip(st.Filter.Render(in.prompt)+cursor+st.Dim.Render(in.placeholder), width)
	}
	text := in.value
	room := width - lipWidth(in.prompt) - 1
	if w := lipWidth(text); w > room {
		r := []rune(text)
		for len(r) > 0 && lipWidth(string(r)) > room-1 {
			r = r[1:]
		}
		text = "…" + string(r)
	}
	return st.Filter.Render(in.prompt) + text + cursor
}
