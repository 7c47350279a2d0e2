package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
)

// common is what every component embeds: its size, the shared styles and
// the shared key map.
type common struct {
	width, height int
	styles        *Styles
	keys          *KeyMap
}

// SetSize sets the component's size in cells.
func (c *common) SetSize(width, height int) {
	c.width, c.height = max(width, 0), max(height, 0)
}

// component is the contract of every part of the screen below the root.
type component interface {
	help.KeyMap
	SetSize(width, height int)
	View() string
}

// block pads or cuts lines to exactly w cells and h lines, so components
// can be joined side by side without wrapping or ragged edges.
func block(lines []string, w, h int) string {
	var b strings.Builder
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			b.WriteString(fit(lines[i], w))
		} else {
			b.WriteString(strings.Repeat(" ", w))
		}
	}
	return b.String()
}
