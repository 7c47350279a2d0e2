package tui

import (
	"math"
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose"
)

// callView is the call screen: facts, participants, sparklines for the
// selected participant, diagnoses and the timeline.
type callView struct {
	common
	id     string
	name   string // room or id from the calls list, until detail arrives
	paused bool   // the display is paused, so new detail waits
	gone   bool   // the call is no longer in the feed and never arrived
	// endedView: view mode opened an ended call, which the hub does not
	// stream (its detail never comes).
	endedView bool
	// hubRow is the hub's row of this call in view mode (its worst
	// finding, shown while this screen's own diagnosis warms up).
	hubRow   *diagnose.CallSummary
	detail   *diagnose.CallDetail
	feedTime time.Time
	people   list   // the participants: cursor, selection by participant id, window
	diags    list   // the diagnoses: cursor, selection by finding, window
	page     list   // the diagnosis read in full, by line
	onDiags  bool   // the diagnoses have the cursor keys (else the participants)
	reading  bool   // one diagnosis fills the screen
	target   target // what to select once the detail arrives
	window   int    // index into windows
	graphs   graphCache
}

// target is what the call screen selects when it opens: the participant a
// filter matched, or the diagnosis an alert is about (opened in full).
type target struct {
	person  string // a ParticipantDetail's id
	finding string // a Finding's Key()
}

func newCallView(c common) *callView {
	v := &callView{common: c, window: 1}
	v.people = newList(c.keys, func(i int) string { return v.detail.Participants[i].ID })
	v.diags = newList(c.keys, func(i int) string { return findingID(&v.detail.Findings[i]) })
	v.page = newList(c.keys, strconv.Itoa)
	v.page.pager = true
	return v
}

// Open starts showing the call with this id, named name until its detail
// arrives, and selects to once it does; the participant and window are
// kept when it is the same call and there is no target.
func (v *callView) Open(id, name string, to target) {
	if v.id != id {
		v.people.Home()
		v.diags.Home()
		v.people.selected, v.diags.selected = "", ""
		v.detail, v.hubRow = nil, nil
	}
	v.id, v.name, v.target, v.reading = id, name, to, false
	if v.detail != nil {
		v.aim()
	}
}

// aim selects the target in the detail on screen; each part of it is
// forgotten once found.
func (v *callView) aim() {
	if v.target.person != "" && v.people.Select(v.target.person) {
		v.target.person = ""
	}
	if f := v.target.finding; f != "" {
		for i := range v.detail.Findings {
			if v.detail.Findings[i].Key() == f {
				v.diags.MoveTo(i)
				v.onDiags, v.target.finding = true, ""
				v.openReading()
				break
			}
		}
	}
}

// SetDetail takes the focused call's detail from a frame, if it is the
// call on screen, and keeps the selection on the same participant.
func (v *callView) SetDetail(d *diagnose.CallDetail, feedTime time.Time, want string) {
	v.feedTime = feedTime
	if d == nil || d.Summary == nil || d.Summary.Key != want {
		return
	}
	v.detail = d
	first := v.people.selected == ""
	v.people.SetRows(len(d.Participants))
	v.diags.SetRows(len(d.Findings))
	if first && len(d.Participants) > 0 { // first detail of this call: start on the worst
		v.people.MoveTo(worstParticipant(d.Participants))
	}
	v.aim()
	v.resize()
	if v.reading {
		v.page.SetRows(len(v.readingLines()))
	}
}

// worstParticipant is the index of the participant with the worst open
// finding, then the lowest MOS (unknown MOS counts as best), then first.
func worstParticipant(ps []diagnose.ParticipantDetail) int {
	sev := func(p *diagnose.ParticipantDetail) diagnose.Severity {
		if p.Worst == nil || !p.Worst.Open() {
			return diagnose.None
		}
		return p.Worst.Severity
	}
	mos := func(p *diagnose.ParticipantDetail) float64 {
		if math.IsNaN(p.MOS) {
			return math.Inf(1)
		}
		return p.MOS
	}
	best := 0
	for i := 1; i < len(ps); i++ {
		a, b := &ps[i], &ps[best]
		if sev(a) > sev(b) || sev(a) == sev(b) && mos(a) < mos(b) {
			best = i
		}
	}
	return best
}

// participant returns the selected participant, or nil.
func (v *callView) participant() *diagnose.ParticipantDetail {
	if c := v.people.Cursor(); v.detail != nil && c < len(v.detail.Participants) {
		return &v.detail.Participants[c]
	}
	return nil
}

// Window is the sparklines' time window.
func (v *callView) Window() time.Duration { return windows[v.window] }

// Name is the call's room (or id) for the header.
func (v *callView) Name() string {
	if v.detail != nil && v.detail.Summary != nil {
		return roomOf(v.detail.Summary)
	}
	if v.name != "" {
		return v.name
	}
	return clean(v.id)
}

// Update handles the call screen's own keys (esc and y are the root's).
func (v *callView) Update(msg tea.KeyPressMsg) {
	k := v.keys
	switch {
	case v.reading:
		v.page.Update(msg)
		return
	case key.Matches(msg, k.Diagnoses):
		v.onDiags = !v.onDiags
		v.resize()
		return
	case key.Matches(msg, k.Read):
		v.openReading()
		return
	case v.detail != nil && v.onDiags && v.diags.Update(msg):
		return
	case v.detail != nil && !v.onDiags && v.people.Update(msg):
		return
	}
	switch {
	case key.Matches(msg, k.WiderWindow):
		v.window = min(v.window+1, len(windows)-1)
	case key.Matches(msg, k.NarrowerWindow):
		v.window = max(v.window-1, 0)
	}
}

// ShortHelp implements help.KeyMap.
func (v *callView) ShortHelp() []key.Binding {
	k := v.keys
	if v.reading {
		back := k.Back
		back.SetHelp(back.Help().Key, "back to the call")
		return []key.Binding{back, k.Down, k.PageDown, k.Copy}
	}
	diags := k.Diagnoses
	if v.onDiags {
		diags.SetHelp(diags.Help().Key, "participants")
	}
	if v.detail == nil || len(v.detail.Findings) == 0 {
		return []key.Binding{k.Back, k.Down, k.WiderWindow, k.NarrowerWindow, k.Copy}
	}
	return []key.Binding{k.Back, k.Read, diags, k.Down, k.WiderWindow, k.Copy}
}

// FullHelp implements help.KeyMap.
func (v *callView) FullHelp() [][]key.Binding {
	k := v.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Back, k.Read, k.Diagnoses, k.WiderWindow, k.NarrowerWindow, k.Copy},
	}
}

// Reading reports whether one diagnosis fills the screen.
func (v *callView) Reading() bool { return v.reading }

// CloseReading goes back from the diagnosis to the call screen.
func (v *callView) CloseReading() { v.reading = false }
