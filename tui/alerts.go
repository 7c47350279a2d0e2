package tui

import (
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// recentResolved is how long a resolved alert stays in the pane.
const recentResolved = 15 * time.Minute

// alertPane lists firing, acknowledged and recently resolved alerts, with
// muted and inhibited ones behind a count that M reveals; e switches to
// the event log; m opens the mute picker.
type alertPane struct {
	common
	readOnly  bool
	whyRO     string // what a refused action key says (Options.ReadOnlyReason)
	beside    bool   // beside the screen (else below it)
	focused   bool   // the pane has the keyboard
	snap      alert.Snapshot
	rooms     map[string]string // call id -> room, for the alerts' calls
	rows      []alert.Alert     // what the list shows, in order
	hidden    int               // muted or inhibited alerts not shown
	showMuted bool
	events    bool // the event log replaces the list
	list      list // the alerts: cursor, selection by alert id, window
	log       list // the event log: follows the newest event until moved
	picker    *mutePicker
	paints    rowPaints
}

func newAlertPane(c common, readOnly bool) *alertPane {
	p := &alertPane{common: c, readOnly: readOnly, paints: newRowPaints(c.styles)}
	p.list = newList(c.keys, func(i int) string { return p.rows[i].ID })
	p.log = newList(c.keys, func(i int) string { return strconv.FormatUint(p.snap.Events[i].Seq, 10) })
	p.log.tail = true
	return p
}

// SetFrame takes the alerts from a frame, and the rooms of their calls
// from call, which finds a call of the frame by id (nil if none).
func (p *alertPane) SetFrame(f *engine.Frame, call func(id string) *diagnose.CallSummary) {
	p.snap = f.Alerts
	p.rooms = roomsOf(&p.snap, call)
	p.refresh()
}

// roomsOf maps the alerts' call ids to their rooms, looking up only those
// calls (not every call of the frame).
func roomsOf(s *alert.Snapshot, call func(id string) *diagnose.CallSummary) map[string]string {
	want := map[string]string{}
	for _, list := range [][]alert.Alert{s.Active, s.History} {
		for i := range list {
			if id := list[i].Subject.CallID; id != "" {
				want[id] = ""
			}
		}
	}
	for id := range want {
		if c := call(id); c != nil && c.Room != "" {
			want[id] = clean(c.Room)
		}
	}
	return want
}

// refresh rebuilds the rows and keeps the cursor on the selected alert.
func (p *alertPane) refresh() {
	p.rows, p.hidden = p.rows[:0], 0
	for _, a := range p.snap.Active {
		switch {
		case a.State == alert.Pending:
			continue
		case (a.Muted() || a.Inhibited()) && !p.showMuted:
			p.hidden++
			continue
		}
		p.rows = append(p.rows, a)
	}
	for _, a := range p.snap.History {
		if p.snap.Now.Sub(a.End) <= recentResolved {
			p.rows = append(p.rows, a)
		}
	}
	p.list.SetRows(len(p.rows))
	p.log.SetRows(len(p.snap.Events))
}

// current is the selected alert, or nil.
func (p *alertPane) current() *alert.Alert {
	if c := p.list.Cursor(); !p.events && c < len(p.rows) {
		return &p.rows[c]
	}
	return nil
}

// Firing counts firing alerts that are neither muted nor inhibited, by
// severity, for the header.
func (p *alertPane) Firing() [4]int {
	var n [4]int
	for i := range p.snap.Active {
		a := &p.snap.Active[i]
		if a.State == alert.Firing && !a.Muted() && !a.Inhibited() && a.Severity <= diagnose.Critical {
			n[a.Severity]++
		}
	}
	return n
}

// Picking reports whether the mute picker is open.
func (p *alertPane) Picking() bool { return p.picker != nil }

// SelectedCall is the call of the selected alert ("" for fleet alerts).
func (p *alertPane) SelectedCall() string {
	if a := p.current(); a != nil {
		return a.Subject.CallID
	}
	return ""
}

// subject names an alert's call (room) and participant.
func (p *alertPane) subject(a *alert.Alert) string {
	s := a.Subject
	if s.CallID == "" {
		return "fleet"
	}
	call := p.rooms[s.CallID]
	if call == "" {
		call = clean(s.CallID)
	}
	if a.ParticipantName != "" {
		return call + " / " + clean(a.ParticipantName)
	}
	return call
}

// ShortHelp implements help.KeyMap.
func (p *alertPane) ShortHelp() []key.Binding {
	if p.picker != nil {
		return p.picker.ShortHelp()
	}
	k := p.keys
	if p.events {
		back := k.EventLog
		back.SetHelp(back.Help().Key, "alert list")
		return []key.Binding{back, k.Up, k.Down, k.SwitchPane}
	}
	out := []key.Binding{k.Jump}
	if !p.readOnly {
		out = append(out, k.Ack, k.Mute, k.Unmute)
	}
	return append(out, k.ShowMuted, k.EventLog, k.SwitchPane)
}

// FullHelp implements help.KeyMap.
func (p *alertPane) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Jump}, {k.Ack, k.Mute, k.Unmute, k.ShowMuted, k.EventLog}}
}

// Update handles the pane's keys (enter is the root's: it changes screen).
func (p *alertPane) Update(msg tea.KeyPressMsg, ctrl Controller) tea.Cmd {
	if p.picker != nil {
		return p.updatePicker(msg, ctrl)
	}
	if p.events && p.log.Update(msg) || !p.events && p.list.Update(msg) {
		return nil
	}
	k := p.keys
	switch {
	case key.Matches(msg, k.ShowMuted):
		p.showMuted = !p.showMuted
		p.refresh()
	case key.Matches(msg, k.EventLog):
		p.events = !p.events
		p.log.Home()
	case key.Matches(msg, k.Ack), key.Matches(msg, k.Mute), key.Matches(msg, k.Unmute):
		return p.act(msg, ctrl)
	}
	return nil
}

// notice returns a command that shows text in the hint bar.
func notice(text string) tea.Cmd { return func() tea.Msg { return noticeMsg(text) } }
