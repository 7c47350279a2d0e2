package tui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
)

// seekStep is how far left and right move a replay.
const seekStep = 10 * time.Second

// onKey routes a key: text inputs and pickers first, then global keys,
// then the alert pane or the screen that has the keyboard.
func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	m.notice = ""
	m.calls.finding = false // the user takes over from --find
	k := &m.keys
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if m.screen == screenCalls && m.calls.Filtering() {
		cmd, _ := m.calls.Update(msg)
		return cmd
	}
	if m.screen == screenHistory && m.hist.Typing() {
		cmd, _ := m.hist.Update(msg)
		return cmd
	}
	if m.alerts.Picking() {
		return m.alerts.Update(msg, m.ctrl)
	}
	if m.jump.on {
		return m.jumpKey(msg)
	}
	if m.showHelp {
		if key.Matches(msg, k.Help, k.Back) {
			m.showHelp = false
		} else if key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		return nil
	}
	if cmd, ok := m.globalKey(msg); ok {
		return cmd
	}
	if m.alertOpen && m.alertKeys {
		return m.alertKey(msg)
	}
	return m.screenKey(msg)
}

// globalKey handles keys that work everywhere.
func (m *Model) globalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit, true
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.Pause) && m.latest.Replay != nil:
		return m.toggleReplay(m.latest.Replay), true // a replay pauses itself, not only the display
	case key.Matches(msg, k.Pause):
		return m.setPaused(!m.paused), true
	case key.Matches(msg, k.Fleet) && m.screen != screenFleet:
		return m.openFleet(), true
	case key.Matches(msg, k.AlertPane):
		m.alertOpen = !m.alertOpen
		m.alertKeys = m.alertOpen
		m.layout()
	case key.Matches(msg, k.SwitchPane) && m.alertOpen:
		m.alertKeys = !m.alertKeys
		m.layout()
	default:
		return m.replayKey(msg)
	}
	return nil, true
}

// replayKey handles space, left/right and [ ] during a replay. Pause and
// speed start from what the user last asked for, not from the frame on
// screen, so two quick presses count twice.
func (m *Model) replayKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	r := m.latest.Replay
	if r == nil {
		return nil, false
	}
	k, ctrl := &m.keys, m.ctrl
	switch {
	case key.Matches(msg, k.ReplayPause):
		return m.toggleReplay(r), true
	case key.Matches(msg, k.SeekBack):
		return func() tea.Msg { ctrl.ReplaySeek(-seekStep); return nil }, true
	case key.Matches(msg, k.JumpTo):
		return m.startJump(), true
	case key.Matches(msg, k.SeekForward):
		return func() tea.Msg { ctrl.ReplaySeek(seekStep); return nil }, true
	case key.Matches(msg, k.Slower, k.Faster):
		speed := stepSpeed(m.asked.speedOf(r), key.Matches(msg, k.Faster))
		m.asked.speed = speed
		m.notice = "replay speed x" + fmtSpeed(speed)
		return func() tea.Msg { ctrl.ReplaySpeed(speed); return nil }, true
	}
	return nil, false
}

// toggleReplay pauses or resumes the replay (space, and p during a
// replay), from what the user last asked for.
func (m *Model) toggleReplay(r *engine.ReplayStatus) tea.Cmd {
	paused := !m.asked.paused(r)
	m.asked.pause = &paused
	ctrl := m.ctrl
	return func() tea.Msg { ctrl.ReplayPause(paused); return nil }
}

// replayAsk is what the user last asked of the replay, until a frame
// shows it done.
type replayAsk struct {
	speed float64 // 0: nothing asked
	pause *bool
}

// speedOf is the speed asked for, else the replay's.
func (a *replayAsk) speedOf(r *engine.ReplayStatus) float64 {
	if a.speed > 0 {
		return a.speed
	}
	return r.Speed
}

// paused is the pause state asked for, else the replay's.
func (a *replayAsk) paused(r *engine.ReplayStatus) bool {
	if a.pause != nil {
		return *a.pause
	}
	return r.Paused
}

// seen forgets requests a frame shows carried out.
func (a *replayAsk) seen(r *engine.ReplayStatus) {
	if r == nil {
		*a = replayAsk{}
		return
	}
	if a.speed == r.Speed {
		a.speed = 0
	}
	if a.pause != nil && *a.pause == r.Paused {
		a.pause = nil
	}
}

// stepSpeed returns the next of the engine's speed steps up or down from cur.
func stepSpeed(cur float64, up bool) float64 {
	speeds := engine.Speeds
	if up {
		for _, s := range speeds {
			if s > cur+1e-9 {
				return s
			}
		}
		return speeds[len(speeds)-1]
	}
	for i := len(speeds) - 1; i >= 0; i-- {
		if speeds[i] < cur-1e-9 {
			return speeds[i]
		}
	}
	return speeds[0]
}

// alertKey handles keys while the alert pane has the keyboard.
func (m *Model) alertKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Jump) {
		if a := m.alerts.current(); a != nil && a.Subject.CallID != "" {
			m.alertKeys = false
			f := diagnose.Finding{Rule: a.Rule, Subject: a.Subject}
			return m.openCall(a.Subject.CallID, target{person: clean(a.Subject.ParticipantID), finding: f.Key()})
		}
		return notice("this alert is not about one call")
	}
	zoomed := m.alerts.zoomed
	cmd := m.alerts.Update(msg, m.ctrl)
	if zoomed != m.alerts.zoomed {
		m.layout()
	}
	return cmd
}

// screenKey handles keys for the calls or call screen.
func (m *Model) screenKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.screen == screenCalls && key.Matches(msg, m.keys.CallHistory) {
		return m.openHistory()
	}
	if m.screen == screenCalls && msg.String() == "H" && m.opts.History == nil {
		return m.openHistory() // says why there is no history here
	}
	if m.screen == screenCalls {
		cmd, open := m.calls.Update(msg)
		if c := m.calls.Selected(); open {
			return m.openCall(c.Key, target{person: m.calls.matchedPerson(c)})
		}
		return cmd
	}
	if m.screen == screenFleet {
		return m.fleetKey(msg)
	}
	if m.screen == screenHistory {
		return m.historyKey(msg)
	}
	if key.Matches(msg, m.keys.Back) {
		if m.call.Reading() {
			m.call.CloseReading()
			return nil
		}
		return m.closeCall()
	}
	if key.Matches(msg, m.keys.Copy) {
		return m.copyDiagnosis()
	}
	m.call.Update(msg)
	return nil
}

// openCall drills into a call, selecting to once its detail is there, and
// asks the engine for that detail.
func (m *Model) openCall(id string, to target) tea.Cmd {
	m.screen = screenCall
	m.focusID = id
	m.call.Open(id, m.callName(id), to)
	m.keepHubRow()
	m.call.SetDetail(m.shown.Calls.Focus, m.shown.Calls.FeedTime, id)
	m.call.gone = false
	m.layout()
	return m.focus(id)
}

// callName is the room (or id) of a call in the shown frame.
func (m *Model) callName(id string) string {
	if c := m.calls.Selected(); c != nil && c.Key == id {
		return roomOf(c)
	}
	for _, c := range m.shown.Calls.Calls {
		if c.Key == id {
			return roomOf(c)
		}
	}
	return clean(id)
}

// closeCall goes back to the calls screen, cursor and filter as they were.
func (m *Model) closeCall() tea.Cmd {
	if m.stored != nil {
		return m.closeStored()
	}
	m.screen = screenCalls
	m.focusID = ""
	m.calls.Refresh()
	m.layout()
	return m.focus("")
}

// copyDiagnosis copies the call's diagnosis as plain text (OSC 52).
func (m *Model) copyDiagnosis() tea.Cmd {
	text, name := m.call.Summary()
	if text == "" {
		m.notice = "nothing to copy yet: the call's detail has not arrived"
		return nil
	}
	m.notice = "copied the diagnosis of " + name + " to the clipboard (OSC 52)"
	return tea.SetClipboard(text)
}
