package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose/alert"
)

// paneQuestion is a yes/no question before an action that removes
// something (a silence): it says what, and waits for y or n.
type paneQuestion struct {
	text string
	yes  tea.Cmd
}

// act acknowledges or un-acknowledges, asks for an ack's note, opens the
// mute picker, or asks before removing silences.
func (p *alertPane) act(msg tea.KeyPressMsg, ctrl Controller) tea.Cmd {
	if p.readOnly && p.whyRO != "" {
		return notice("read-only: " + p.whyRO)
	}
	if p.readOnly {
		return notice("read-only: acknowledging and muting are off")
	}
	k := p.keys
	if key.Matches(msg, k.Expire) {
		return p.askExpire(ctrl)
	}
	a := p.current()
	if a == nil || p.tab != tabAlerts {
		return notice("no alert selected")
	}
	name := a.Rule + " on " + p.subject(a)
	switch {
	case key.Matches(msg, k.Ack):
		return p.ack(a, name, "", ctrl)
	case key.Matches(msg, k.AckNote):
		if a.State != alert.Firing {
			return notice("only a firing alert can be acknowledged; this one is " + a.Status())
		}
		in := newFilterInput(p.styles)
		in.Prompt, in.Placeholder = "note: ", "why you acknowledge it (enter acknowledges, esc cancels)"
		p.note, p.noteKey = &in, a.Key
		p.resize()
		return p.note.Focus()
	case key.Matches(msg, k.Mute):
		p.picker = &mutePicker{keys: p.keys, alert: *a, name: name}
		p.resize()
		return nil
	}
	return p.askUnmute(a, name, ctrl)
}

// ack acknowledges a firing alert, or withdraws the ack of an
// acknowledged one (like PagerDuty's un-acknowledge).
func (p *alertPane) ack(a *alert.Alert, name, note string, ctrl Controller) tea.Cmd {
	alertKey := a.Key
	switch a.State {
	case alert.Acknowledged:
		return tea.Batch(func() tea.Msg { ctrl.Unack(alertKey); return nil },
			notice("acknowledgement of "+name+" withdrawn: it fires again"))
	case alert.Firing:
	default:
		return notice("only a firing alert can be acknowledged; this one is " + a.Status())
	}
	// The acknowledged alert sinks below the firing ones; the cursor moves
	// on to the next alert, the next one to look at.
	if next := p.list().Cursor() + 1; next < len(p.rows) {
		p.list().Select(rowKey(&p.rows[next]))
	}
	text := "acknowledged " + name
	if note != "" {
		text += ": " + note
	}
	return tea.Batch(func() tea.Msg { ctrl.Ack(alertKey, note); return nil }, notice(text))
}

// askUnmute says which silences muting the alert it would remove, and
// removes them on y.
func (p *alertPane) askUnmute(a *alert.Alert, name string, ctrl Controller) tea.Cmd {
	if !a.Muted() {
		return notice(name + " is not muted")
	}
	ids := append([]string(nil), a.SilencedBy...)
	var what []string
	for _, id := range ids {
		what = append(what, p.describeSilence(id))
	}
	p.prompt = &paneQuestion{
		text: fmt.Sprintf("Remove %s? It mutes: %s. y removes, n keeps it.", plural(len(ids), "silence"), strings.Join(what, "; ")),
		yes: tea.Batch(func() tea.Msg {
			for _, id := range ids {
				ctrl.Unmute(id)
			}
			return nil
		}, notice(fmt.Sprintf("unmuted %s (%s removed)", name, plural(len(ids), "silence")))),
	}
	p.resize()
	return nil
}

// askExpire asks before expiring the selected silence.
func (p *alertPane) askExpire(ctrl Controller) tea.Cmd {
	s := p.currentSilence()
	if s == nil {
		return notice("no silence selected (v lists the silences)")
	}
	id := s.ID
	p.prompt = &paneQuestion{
		text: fmt.Sprintf("Expire %s now? y expires it, n keeps it.", p.describeSilence(id)),
		yes:  tea.Batch(func() tea.Msg { ctrl.Unmute(id); return nil }, notice("expired "+id)),
	}
	p.resize()
	return nil
}

// answer takes y or n for the open question.
func (p *alertPane) answer(msg tea.KeyPressMsg) tea.Cmd {
	q := p.prompt
	switch {
	case key.Matches(msg, p.keys.Yes):
		p.prompt = nil
		p.resize()
		return q.yes
	case key.Matches(msg, p.keys.No):
		p.prompt = nil
		p.resize()
		return notice("nothing removed")
	}
	return nil
}

// updateNote edits the ack's note; enter acknowledges with it.
func (p *alertPane) updateNote(msg tea.KeyPressMsg, ctrl Controller) tea.Cmd {
	switch {
	case key.Matches(msg, p.keys.Cancel):
		p.note = nil
		p.resize()
		return notice("acknowledgement cancelled")
	case key.Matches(msg, p.keys.Confirm):
		note := strings.TrimSpace(p.note.Value())
		p.note = nil
		p.resize()
		i := -1
		for j := range p.rows {
			if p.rows[j].Key == p.noteKey {
				i = j
			}
		}
		if i < 0 {
			return notice("the alert is gone; nothing acknowledged")
		}
		a := p.rows[i]
		return p.ack(&a, a.Rule+" on "+p.subject(&a), note, ctrl)
	}
	in, cmd := p.note.Update(msg)
	p.note = &in
	return cmd
}

// updateFilter edits the pane's filter, applied as it is typed; enter
// keeps it, esc clears it.
func (p *alertPane) updateFilter(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.keys.Confirm):
		p.filtering = false
		p.filter.Blur()
		return nil
	case key.Matches(msg, p.keys.ClearFilter):
		p.filtering = false
		p.filter.Blur()
		p.filter.SetValue("")
		p.refresh()
		p.resize()
		return nil
	}
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	p.refresh()
	return cmd
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
