package tui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose"
)

// callView is the call screen: facts, participants, sparklines for the
// selected participant, diagnoses and the timeline.
type callView struct {
	common
	id       string
	detail   *diagnose.CallDetail
	feedTime time.Time
	cursor   int
}

func newCallView(c common) *callView { return &callView{common: c} }

// Open starts showing the call with this id.
func (v *callView) Open(id string) {
	if v.id != id {
		v.cursor = 0
	}
	v.id = id
	v.detail = nil
}

// SetDetail takes the focused call's detail from a frame, if it is ours.
func (v *callView) SetDetail(d *diagnose.CallDetail, feedTime time.Time, want string) {
	v.feedTime = feedTime
	if d != nil && d.Summary != nil && d.Summary.ID == want {
		v.detail = d
	}
}

// Name is the call's room (or id) for the header.
func (v *callView) Name() string {
	if v.detail != nil && v.detail.Summary != nil {
		return roomOf(v.detail.Summary)
	}
	return clean(v.id)
}

// Summary returns the plain-text diagnosis and the call's name.
func (v *callView) Summary() (string, string) { return "", v.Name() }

// Update handles the call screen's keys.
func (v *callView) Update(msg tea.KeyPressMsg) {}

// ShortHelp implements help.KeyMap.
func (v *callView) ShortHelp() []key.Binding { return []key.Binding{v.keys.Back} }

// FullHelp implements help.KeyMap.
func (v *callView) FullHelp() [][]key.Binding { return [][]key.Binding{{v.keys.Back}} }

// View renders the call screen.
func (v *callView) View() string { return block(nil, v.width, v.height) }
