package tui

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// paneTab is what the alert pane shows.
type paneTab int

// The pane's tabs: active alerts, the resolved history, the silences, and
// the event log.
const (
	tabAlerts paneTab = iota
	tabHistory
	tabSilences
	tabEvents
)

// alertPane is the on-call pane: active alerts (firing first, then
// acknowledged, then muted and inhibited, grouped by person), the history
// in time order, the silences and the event log, each a tab; z zooms it to
// the full screen, / filters it, and it pages like every list.
type alertPane struct {
	common
	readOnly bool
	whyRO    string // what a refused action key says (Options.ReadOnlyReason)
	beside   bool   // beside the screen (else below it)
	// openCallOnly: view mode's own book, which hears the open call only.
	openCallOnly bool
	focused      bool // the pane has the keyboard
	zoomed       bool // the pane takes the whole body
	tab          paneTab
	snap         alert.Snapshot
	rooms        map[string]string // call id -> room, for alerts without one
	rows         []alert.Alert     // the alerts or history tab's rows, in order
	silences     []alert.SilenceStatus
	hidden       counts // muted and inhibited alerts not shown
	showMuted    bool
	lists        [4]list // one per tab: cursor, selection by id, window
	filter       textinput.Model
	filtering    bool             // the filter input has the keyboard
	picker       *mutePicker      // m: scope and duration
	prompt       *paneQuestion    // y/n before removing a silence
	note         *textinput.Model // A: the note of an ack
	noteKey      string           // the alert the note is for
	paints       rowPaints
}

// counts of hidden rows, said in the title.
type counts struct{ muted, inhibited int }

func newAlertPane(c common, readOnly bool) *alertPane {
	p := &alertPane{common: c, readOnly: readOnly, paints: newRowPaints(c.styles), filter: newFilterInput(c.styles)}
	p.filter.Placeholder = "filter alerts by rule, person, room, call or message"
	rowID := func(i int) string { return rowKey(&p.rows[i]) }
	p.lists[tabAlerts] = newList(c.keys, rowID)
	p.lists[tabHistory] = newList(c.keys, rowID)
	p.lists[tabSilences] = newList(c.keys, func(i int) string { return p.silences[i].ID })
	p.lists[tabEvents] = newList(c.keys, func(i int) string { return strconv.FormatUint(p.snap.Events[i].Seq, 10) })
	p.lists[tabEvents].tail = true
	return p
}

// rowKey identifies a row: an alert's id, and for a resolved one its end
// (a re-opened incident resolves again under the same id).
func rowKey(a *alert.Alert) string {
	if a.End.IsZero() {
		return a.ID
	}
	return a.ID + "@" + strconv.FormatInt(a.End.UnixMilli(), 10)
}

// list is the current tab's list.
func (p *alertPane) list() *list { return &p.lists[p.tab] }

// SetFrame takes the alerts from a frame, and the rooms of their calls
// from call, which finds a call of the frame by id (nil if none).
func (p *alertPane) SetFrame(f *engine.Frame, call func(id string) *diagnose.CallSummary) {
	p.snap = f.Alerts
	p.openCallOnly = f.View != nil && f.View.OpenCallAlerts
	p.rooms = roomsOf(&p.snap, call)
	p.refresh()
}

// roomsOf maps the call ids of alerts that carry no room to their rooms,
// looking up only those calls (not every call of the frame).
func roomsOf(s *alert.Snapshot, call func(id string) *diagnose.CallSummary) map[string]string {
	want := map[string]string{}
	for _, list := range [][]alert.Alert{s.Active, s.History} {
		for i := range list {
			if id := list[i].Subject.CallID; id != "" && list[i].Room == "" {
				want[id] = ""
			}
		}
	}
	for _, e := range s.Events {
		if e.Subject.CallID != "" {
			want[e.Subject.CallID] = ""
		}
	}
	for id := range want {
		if c := call(id); c != nil && c.Room != "" {
			want[id] = clean(c.Room)
		}
	}
	return want
}

// refresh rebuilds every tab's rows, keeping each cursor on its row.
func (p *alertPane) refresh() {
	p.rows, p.hidden = p.tabRows(p.tab)
	p.silences = p.snap.Silences
	if p.tab == tabSilences {
		p.silences = p.filteredSilences()
	}
	switch p.tab {
	case tabAlerts, tabHistory:
		p.list().SetRows(len(p.rows))
	case tabSilences:
		p.list().SetRows(len(p.silences))
	case tabEvents:
		p.list().SetRows(len(p.snap.Events))
	}
}

// setTab shows tab t (or the alerts when t is already shown).
func (p *alertPane) setTab(t paneTab) {
	if p.tab == t {
		t = tabAlerts
	}
	p.tab = t
	p.refresh()
	if t == tabEvents {
		p.list().Home()
	}
}

// current is the selected alert (alerts or history tab), or nil.
func (p *alertPane) current() *alert.Alert {
	if c := p.list().Cursor(); (p.tab == tabAlerts || p.tab == tabHistory) && c < len(p.rows) {
		return &p.rows[c]
	}
	return nil
}

// currentSilence is the selected silence (silences tab), or nil.
func (p *alertPane) currentSilence() *alert.SilenceStatus {
	if c := p.list().Cursor(); p.tab == tabSilences && c < len(p.silences) {
		return &p.silences[c]
	}
	return nil
}

// Firing counts firing alerts that are neither muted nor inhibited, by
// severity, for the header (of the whole book when the picture is cut).
func (p *alertPane) Firing() [4]int {
	if p.snap.Whole != nil { // the picture holds the worst alerts, not all
		return p.snap.Whole.Alerting
	}
	var n [4]int
	for i := range p.snap.Active {
		a := &p.snap.Active[i]
		if a.State == alert.Firing && !a.Muted() && !a.Inhibited() && a.Severity <= diagnose.Critical {
			n[a.Severity]++
		}
	}
	return n
}

// Picking reports whether the pane holds the keyboard for typing or a
// choice (the mute picker, a question, the note or the filter input).
func (p *alertPane) Picking() bool {
	return p.picker != nil || p.prompt != nil || p.note != nil || p.filtering
}

// Zoomed reports whether the pane takes the whole body.
func (p *alertPane) Zoomed() bool { return p.zoomed }

// SelectedCall is the call of the selected alert ("" for fleet alerts).
func (p *alertPane) SelectedCall() string {
	if a := p.current(); a != nil {
		return a.Subject.CallID
	}
	return ""
}

// subject names an alert's room (or call) and person.
func (p *alertPane) subject(a *alert.Alert) string {
	s := a.Subject
	if s.CallID == "" {
		if a.Rule == alert.RuleFeedDown {
			return "the feed"
		}
		return "fleet"
	}
	where := clean(a.Room)
	if where == "" {
		where = p.rooms[s.CallID]
	}
	if where == "" {
		where = clean(s.CallID)
	}
	if a.ParticipantName != "" {
		return where + " / " + clean(a.ParticipantName)
	}
	if s.ParticipantID != "" {
		return where + " / " + clean(s.ParticipantID)
	}
	return where
}

// relabel is b saying what it does here (Confirm's enter mutes in the
// picker, acknowledges in the note).
func relabel(b key.Binding, what string) key.Binding {
	b.SetHelp(b.Help().Key, what)
	return b
}

// ShortHelp implements help.KeyMap.
func (p *alertPane) ShortHelp() []key.Binding {
	switch {
	case p.picker != nil:
		return p.picker.ShortHelp()
	case p.prompt != nil:
		return []key.Binding{p.keys.Yes, p.keys.No}
	case p.note != nil:
		return []key.Binding{relabel(p.keys.Confirm, "acknowledge"), p.keys.Cancel}
	case p.filtering:
		return []key.Binding{relabel(p.keys.Confirm, "keep filter"), p.keys.ClearFilter}
	}
	k := p.keys
	out := []key.Binding{k.Jump}
	switch p.tab {
	case tabAlerts:
		if !p.readOnly {
			out = append(out, k.Ack, k.AckNote, k.Mute, k.Unmute)
		}
		out = append(out, k.ShowMuted)
	case tabSilences:
		if !p.readOnly {
			out = []key.Binding{k.Expire}
		}
	}
	tabs := []key.Binding{k.History, k.Silences, k.EventLog}
	if p.tab != tabAlerts { // the current tab's key goes back to the alerts
		back := tabs[p.tab-1]
		back.SetHelp(back.Help().Key, "alert list")
		tabs[p.tab-1] = back
	}
	return append(append(out, tabs...), k.Filter, k.Zoom, k.SwitchPane)
}

// FullHelp implements help.KeyMap.
func (p *alertPane) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Jump},
		{k.Ack, k.AckNote, k.Mute, k.Unmute, k.ShowMuted, k.Expire},
		{k.History, k.Silences, k.EventLog, k.Filter, k.Zoom}}
}

// Update handles the pane's keys (enter is the root's: it changes screen).
func (p *alertPane) Update(msg tea.KeyPressMsg, ctrl Controller) tea.Cmd {
	switch {
	case p.picker != nil:
		return p.updatePicker(msg, ctrl)
	case p.prompt != nil:
		return p.answer(msg)
	case p.note != nil:
		return p.updateNote(msg, ctrl)
	case p.filtering:
		return p.updateFilter(msg)
	}
	if p.list().Update(msg) {
		return nil
	}
	k := p.keys
	switch {
	case key.Matches(msg, k.ShowMuted):
		p.showMuted = !p.showMuted
		p.refresh()
	case key.Matches(msg, k.EventLog):
		p.setTab(tabEvents)
	case key.Matches(msg, k.History):
		p.setTab(tabHistory)
	case key.Matches(msg, k.Silences):
		p.setTab(tabSilences)
	case key.Matches(msg, k.Zoom):
		p.zoomed = !p.zoomed // the root lays the screen out again
	case key.Matches(msg, k.Filter):
		p.filtering = true
		p.resize()
		return p.filter.Focus()
	case key.Matches(msg, k.ClearFilter) && p.filter.Value() != "":
		p.filter.SetValue("")
		p.refresh()
		p.resize()
	case key.Matches(msg, k.Ack), key.Matches(msg, k.AckNote), key.Matches(msg, k.Mute),
		key.Matches(msg, k.Unmute), key.Matches(msg, k.Expire):
		return p.act(msg, ctrl)
	}
	return nil
}

// notice returns a command that shows text in the hint bar.
func notice(text string) tea.Cmd { return func() tea.Msg { return noticeMsg(text) } }
