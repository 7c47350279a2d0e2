package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose/alert"
)

// act acknowledges, opens the mute picker for, or unmutes the selected alert.
func (p *alertPane) act(msg tea.KeyPressMsg, ctrl Controller) tea.Cmd {
	a := p.current()
	switch {
	case a == nil:
		return notice("no alert selected")
	case p.readOnly && p.whyRO != "":
		return notice("read-only: " + p.whyRO)
	case p.readOnly:
		return notice("read-only: acknowledging and muting are off")
	}
	k := p.keys
	name := a.Rule + " on " + p.subject(a)
	switch {
	case key.Matches(msg, k.Ack):
		if a.State != alert.Firing {
			return notice("only a firing alert can be acknowledged; this one is " + a.Status())
		}
		alertKey := a.Key
		// The acknowledged alert sinks below the firing ones; the cursor
		// moves on to the next alert, the next one to look at.
		if next := p.list.Cursor() + 1; next < len(p.rows) {
			p.list.Select(p.rows[next].ID)
		}
		return tea.Batch(func() tea.Msg { ctrl.Ack(alertKey, ""); return nil }, notice("acknowledged "+name))
	case key.Matches(msg, k.Mute):
		if a.State == alert.Resolved {
			return notice("this alert has resolved; nothing to mute")
		}
		p.picker = &mutePicker{keys: p.keys, alert: *a, name: name}
		p.resize()
		return nil
	}
	if !a.Muted() {
		return notice(name + " is not muted")
	}
	ids := append([]string(nil), a.SilencedBy...)
	return tea.Batch(func() tea.Msg {
		for _, id := range ids {
			ctrl.Unmute(id)
		}
		return nil
	}, notice(fmt.Sprintf("unmuted %s (%d silence(s) removed)", name, len(ids))))
}

// updatePicker handles keys while the mute picker is open.
func (p *alertPane) updatePicker(msg tea.KeyPressMsg, ctrl Controller) tea.Cmd {
	req, done := p.picker.Update(msg)
	if !done {
		return nil
	}
	pk := p.picker
	p.picker = nil
	p.resize()
	if req == nil {
		return notice("mute cancelled")
	}
	r := *req
	return tea.Batch(func() tea.Msg { ctrl.Mute(r); return nil }, notice("muted "+pk.describe()))
}
