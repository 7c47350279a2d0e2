package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// helpScreen is the full help that ? opens over the body. Its groups are
// the key bindings of whatever has the keyboard, the very bindings Update
// matches, so help cannot drift from behaviour.
type helpScreen struct {
	common
	model   help.Model // the full help, as wide as the body
	bar     help.Model // the hint bar, as wide as the terminal
	groups  [][]key.Binding
	barKey  string // what barLine was rendered from
	barLine string
}

func newHelpScreen(c common) *helpScreen {
	h := &helpScreen{common: c, model: help.New(), bar: help.New()}
	h.model.Styles, h.bar.Styles = helpStyles(c.styles), helpStyles(c.styles)
	return h
}

// SetBarWidth sets the width of the hint bar.
func (h *helpScreen) SetBarWidth(w int) { h.bar.SetWidth(w) }

// SetSize implements component.
func (h *helpScreen) SetSize(w, ht int) {
	h.common.SetSize(w, ht)
	h.model.SetWidth(w)
}

// SetGroups sets the bindings to list, one column per group.
func (h *helpScreen) SetGroups(groups [][]key.Binding) { h.groups = groups }

// ShortHelp implements help.KeyMap: how to leave the help.
func (h *helpScreen) ShortHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("?", "esc"), key.WithHelp("?/esc", "close help")), h.keys.Quit}
}

// FullHelp implements help.KeyMap.
func (h *helpScreen) FullHelp() [][]key.Binding { return h.groups }

// View renders the groups in columns, as many abreast as fit and the rest
// below, then a legend for the glyphs, wrapped to the width.
func (h *helpScreen) View() string {
	st := h.styles
	lines := []string{st.Section.Render("Keys") + st.Dim.Render("  (? or esc closes this help)"), ""}
	lines = append(lines, h.columns()...)
	legend := "Severity: !! critical, ! warning, i info, - ok, ~ new (watched under 20 s: not judged yet). " +
		"Ended calls keep how they ended, dimmed, \"ended 2m ago\". " +
		"Filter: every word must match one participant (name, user id) or the call (id, room, tag); " +
		"\"quoted phrases\" match whole; best matches first, the cursor on the best, the matched person underlined."
	lines = append(lines, "")
	for _, l := range strings.Split(lipgloss.Wrap(legend, max(h.width-1, 20), " "), "\n") {
		lines = append(lines, st.Dim.Render(l))
	}
	return block(lines, h.width, h.height)
}

// columns lays the groups out side by side while they fit the width,
// starting a new band of columns below when they do not.
func (h *helpScreen) columns() []string {
	var out, band []string
	bandW := 0
	flush := func() {
		out = append(out, band...)
		band, bandW = nil, 0
	}
	for _, g := range h.groups {
		one := help.New()
		one.Styles = h.model.Styles
		col := strings.Split(one.FullHelpView([][]key.Binding{g}), "\n")
		w := 0
		for _, l := range col {
			w = max(w, lipWidth(l))
		}
		if w == 0 {
			continue
		}
		if bandW > 0 && bandW+4+w > h.width {
			flush()
			out = append(out, "")
		}
		sep := ""
		if bandW > 0 {
			sep = "    "
		}
		for i := range max(len(band), len(col)) {
			if i >= len(band) {
				band = append(band, strings.Repeat(" ", bandW))
			}
			cell := ""
			if i < len(col) {
				cell = col[i]
			}
			band[i] = fit(band[i], bandW) + sep + cell
		}
		bandW += len(sep) + w
	}
	flush()
	return out
}

// Bar renders bindings on one line as wide as the terminal, for the hint
// bar. The last keep bindings (help and quit) are always shown: when the
// line is too narrow for all, bindings before them are left out from the
// end of the list, least important last, rather than the line being cut.
// The line is cached: it changes only when the bindings or the width do,
// not on every frame.
func (h *helpScreen) Bar(bindings []key.Binding, keep int) string {
	var sig strings.Builder
	fmt.Fprintf(&sig, "%d/%d", h.bar.Width(), keep)
	for _, b := range bindings {
		if b.Enabled() {
			sig.WriteString("\x00" + b.Help().Key + "\x01" + b.Help().Desc)
		}
	}
	if sig.String() != h.barKey {
		h.barKey, h.barLine = sig.String(), fit(h.bar.ShortHelpView(h.fitting(bindings, keep)), h.bar.Width())
	}
	return h.barLine
}

// fitting drops bindings just before the last keep until the rest fit the
// bar's width on one line (or only the kept ones are left).
func (h *helpScreen) fitting(bindings []key.Binding, keep int) []key.Binding {
	whole := h.bar
	whole.SetWidth(0) // no cut: measure the whole line
	keep = min(keep, len(bindings))
	opt, kept := slices.Clone(bindings[:len(bindings)-keep]), bindings[len(bindings)-keep:]
	for len(opt) > 0 && lipgloss.Width(whole.ShortHelpView(append(opt, kept...))) > h.bar.Width() {
		opt = opt[:len(opt)-1]
	}
	return append(opt, kept...)
}
