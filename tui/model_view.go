package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/calltop/calltop/diagnose"
)

// widePane is the width from which the alert pane sits beside the screen
// rather than below it.
const widePane = 160

// layout hands every component its size.
func (m *Model) layout() {
	m.header.SetSize(m.width, 1)
	m.header.info = m.headerInfo()
	bodyW, bodyH := m.width, m.height-m.header.Lines()-1
	m.alerts.focused = m.alertKeys
	m.alerts.beside = m.width >= widePane
	if m.alertOpen {
		if m.alerts.zoomed { // z: the pane takes the whole body
			m.alerts.SetSize(m.width, bodyH)
		} else if m.width >= widePane {
			paneW := min(max(m.width*2/5, 60), 90)
			m.alerts.SetSize(paneW, bodyH)
			bodyW = m.width - paneW
		} else {
			paneH := max(bodyH*2/5, 7)
			m.alerts.SetSize(m.width, paneH)
			bodyH -= paneH
		}
	}
	m.calls.SetSize(bodyW, bodyH)
	m.call.SetSize(bodyW, bodyH)
	m.fleet.SetSize(bodyW, bodyH)
	m.hist.SetSize(bodyW, bodyH)
	m.help.SetSize(bodyW, bodyH)
	m.help.SetBarWidth(m.width)
	m.help.SetGroups(m.helpGroups())
}

// headerInfo gathers what the header shows.
func (m *Model) headerInfo() headerInfo {
	f := &m.shown
	in := headerInfo{
		feed: f.Feed, replay: f.Replay, hasFrame: m.hasFrame, closed: m.closed,
		feedTime: f.Calls.FeedTime, now: m.now, calls: len(f.Calls.Calls),
		filter: m.calls.filterText(),
		paused: m.paused, waiting: m.waiting, firing: m.alerts.Firing(), ended: m.calls.ended,
	}
	if w := f.View; w != nil { // view mode: the hub's counts
		in.calls, in.ended, in.feedTime = w.Total, w.Counts.Ended, m.calls.feedTime
		in.openCallAlerts = w.OpenCallAlerts
		if in.filter != "" && w.Seq > 0 {
			in.filter += fmt.Sprintf(" (%d)", w.Matched)
		}
	}
	for _, n := range f.Calls.DataQuality {
		in.skipped += n
	}
	return in
}

// View renders the whole screen. It reads only the model: no I/O, no clock.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeNone
	v.WindowTitle = "calltop"
	return v
}

func (m *Model) render() string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	if m.width < m.opts.MinWidth || m.height < m.opts.MinHeight {
		return m.tooSmall()
	}
	m.header.info = m.headerInfo()
	parts := []string{m.header.View(), m.body(), m.hintBar()}
	if m.opts.ASCII {
		return toASCII(strings.Join(parts, "\n"))
	}
	return strings.Join(parts, "\n")
}

// tooSmall explains the minimum size, centred.
func (m *Model) tooSmall() string {
	msg := fmt.Sprintf("calltop needs at least %dx%d; this terminal is %dx%d.", m.opts.MinWidth, m.opts.MinHeight, m.width, m.height)
	lines := strings.Split(lipgloss.Wrap(msg+" Make it larger, or press q to quit.", m.width, " "), "\n")
	out := make([]string, m.height)
	top := max((m.height-len(lines))/2, 0)
	for i, l := range lines {
		if top+i < m.height {
			pad := max((m.width-lipWidth(l))/2, 0)
			out[top+i] = strings.Repeat(" ", pad) + l
		}
	}
	return block(out, m.width, m.height)
}

// body renders the screen (or help) and the alert pane beside or below it.
func (m *Model) body() string {
	var main string
	switch {
	case m.showHelp:
		main = m.help.View()
	case m.screen == screenCall:
		main = m.call.View()
	case m.screen == screenFleet:
		main = m.fleet.View()
	case m.screen == screenHistory:
		main = m.hist.View()
	default:
		main = m.calls.View()
	}
	if !m.alertOpen {
		return main
	}
	if m.alerts.zoomed {
		return m.alerts.View()
	}
	if m.width >= widePane {
		return joinBeside(main, m.alerts.View())
	}
	return main + "\n" + m.alerts.View()
}

// helpGroups are the bindings the help lists: global keys, then those of
// whatever has the keyboard (and of the alert pane when it is open).
func (m *Model) helpGroups() [][]key.Binding {
	groups := [][]key.Binding{m.globalKeys()}
	groups = append(groups, m.active().FullHelp()...)
	if m.alertOpen && !m.alertKeys {
		groups = append(groups, m.alerts.FullHelp()...)
	}
	return groups
}

// globalKeys are the bindings that work on every screen.
func (m *Model) globalKeys() []key.Binding {
	k := &m.keys
	out := []key.Binding{k.Help, k.Quit, k.Pause, k.AlertPane}
	if m.alertOpen {
		out = append(out, k.SwitchPane)
	}
	return append(out, k.ReplayPause, k.SeekBack, k.SeekForward, k.Slower, k.Faster, k.JumpTo)
}

// active is the component that has the keyboard.
func (m *Model) active() component {
	switch {
	case m.alertOpen && m.alertKeys:
		return m.alerts
	case m.screen == screenCall:
		return m.call
	case m.screen == screenFleet:
		return m.fleet
	case m.screen == screenHistory:
		return m.hist
	}
	return m.calls
}

// hintBar is the bottom line: a notice, or the keys that matter now.
func (m *Model) hintBar() string {
	if m.notice != "" {
		return fit(m.styles.Notice.Render(m.notice), m.width)
	}
	if m.showHelp {
		return m.help.Bar(m.help.ShortHelp(), 2)
	}
	if m.jump.on {
		return fit(m.jump.input.View(), m.width)
	}
	bindings, keep := m.active().ShortHelp(), 0
	if !(m.screen == screenCalls && m.calls.Filtering()) && !(m.screen == screenHistory && m.hist.Typing()) && !m.alerts.Picking() {
		k := &m.keys
		if m.shown.Replay != nil { // the replay's own keys first (space pauses it, as p does)
			replay := []key.Binding{k.ReplayPause, k.SeekBack, k.SeekForward, k.Faster}
			bindings, keep = append(append(replay, bindings...), k.AlertPane, k.Help, k.Quit), 2
		} else {
			bindings, keep = append(bindings, k.AlertPane, k.Pause, k.Help, k.Quit), 2
		}
	}
	return m.help.Bar(bindings, keep)
}

// joinBeside puts two blocks of equal height side by side; each line of
// each block is already exactly its block's width.
func joinBeside(left, right string) string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	var b strings.Builder
	b.Grow(len(left) + len(right) + len(l))
	for i := range max(len(l), len(r)) {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(l) {
			b.WriteString(l[i])
		}
		if i < len(r) {
			b.WriteString(r[i])
		}
	}
	return b.String()
}

// firingTotal counts firing alerts of every severity.
func firingTotal(n [4]int) int {
	return n[diagnose.Critical] + n[diagnose.Warning] + n[diagnose.Info]
}
