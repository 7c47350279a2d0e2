package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose"
	fleetview "github.com/calltop/calltop/diagnose/fleet"
)

// groupFilter narrows the calls screen to the calls holding someone of
// one fleet group (enter on the fleet screen).
type groupFilter struct {
	dim, value string
	label      string // "Chrome 142", "region eu-west", "app=4.13.1"
}

// keeps reports whether call c holds someone of the group.
func (g *groupFilter) keeps(c *diagnose.CallSummary) bool {
	for _, pg := range c.FleetGroups {
		if fleetview.Value(g.dim, pg, c.Tags) == g.value {
			return true
		}
	}
	return false
}

// groupLabel names a group for the header: the value, with its dimension
// when the value alone is unclear.
func groupLabel(dim, value string) string {
	if value == "" {
		value = "(unknown)"
	}
	value = clean(value)
	switch {
	case len(dim) > len(fleetview.TagPrefix) && dim[:len(fleetview.TagPrefix)] == fleetview.TagPrefix:
		return clean(dim[len(fleetview.TagPrefix):]) + "=" + value
	case dim == "version" || dim == "browser" || dim == "os":
		return value
	}
	return dim + " " + value
}

// SetGroup narrows the calls to group g (nil: every call) and re-sorts.
func (t *callsTable) SetGroup(g *groupFilter) {
	if g == nil && t.group == nil {
		return
	}
	t.group = g
	var keep func(*diagnose.CallSummary) bool
	if g != nil {
		keep = g.keeps
	}
	t.order.SetKeep(keep) // the rows are chosen again
	t.list.Home()
	t.refresh()
}

// filterText is what the header shows of the filter and the group.
func (t *callsTable) filterText() string {
	switch {
	case t.group == nil:
		return t.filter
	case t.filter == "":
		return t.group.label
	}
	return t.group.label + " + " + t.filter
}

// openFleet shows the fleet screen.
func (m *Model) openFleet() tea.Cmd {
	if m.screen == screenCall {
		m.closeCall()
	}
	m.screen = screenFleet
	m.layout()
	return m.focus("")
}

// fleetKey handles keys on the fleet screen: esc goes back to the calls,
// enter goes back narrowed to the selected group.
func (m *Model) fleetKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Back) {
		m.screen = screenCalls
		m.calls.Refresh()
		m.layout()
		return nil
	}
	if !m.fleet.Update(msg) {
		return nil
	}
	dim, value, _ := m.fleet.Selected()
	m.screen = screenCalls
	m.calls.Refresh()
	m.calls.SetGroup(&groupFilter{dim: dim, value: value, label: groupLabel(dim, value)})
	m.layout()
	return notice("calls with " + groupLabel(dim, value) + "; esc shows every call again")
}
