package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/cmd/calltop/engine"
)

// screen is which full screen the body shows.
type screen int

const (
	screenCalls screen = iota
	screenCall
	screenFleet
	screenHistory
)

// frameMsg carries one engine frame into Update.
type frameMsg engine.Frame

// feedClosedMsg says the engine closed the frame channel.
type feedClosedMsg struct{}

// tickMsg carries the wall-clock time for countdowns ("reconnecting in
// 3 s"); ticks run only while such a countdown is on screen.
type tickMsg time.Time

// noticeMsg puts a transient message in the hint bar.
type noticeMsg string

// Model is the root of the TUI: it owns the screens and the alert pane,
// routes keys and frames, and is the only part that returns a tea.View.
type Model struct {
	ctrl   Controller
	frames <-chan engine.Frame
	opts   Options
	styles Styles
	keys   KeyMap
	width  int
	height int

	latest    engine.Frame // newest frame received
	shown     engine.Frame // frame on screen (older than latest while paused)
	hasFrame  bool
	paused    bool
	waiting   int // frames received while paused
	closed    bool
	now       time.Time // wall clock from the last tick, zero if none
	ticking   bool
	focusID   string // call the call screen shows
	screen    screen
	showHelp  bool
	alertOpen bool
	alertKeys bool // the alert pane has the keyboard
	notice    string
	asked     replayAsk // replay changes asked for and not yet seen in a frame

	calls  *callsTable
	call   *callView
	fleet  *fleetScreen
	hist   *historyScreen
	stored *storedView // the stored call on the call screen, opened from history
	jump   replayJump  // a replay's "jump to" prompt
	// findText is --find's text; findAsked says history was asked for it.
	findText  string
	findAsked bool
	alerts    *alertPane
	header    *header
	help      *helpScreen
}

func newModel(ctrl Controller, frames <-chan engine.Frame, opts Options) *Model {
	m := &Model{ctrl: ctrl, frames: frames, opts: opts, styles: DefaultStyles(), keys: DefaultKeyMap()}
	c := common{styles: &m.styles, keys: &m.keys}
	m.calls = newCallsTable(c)
	m.call = newCallView(c)
	m.fleet = newFleetScreen(c)
	m.hist = newHistoryScreen(c, opts.History)
	m.jump = newReplayJump(&m.styles)
	m.keys.CallHistory.SetEnabled(opts.History != nil)
	m.alerts = newAlertPane(c, opts.ReadOnly)
	m.alerts.whyRO = opts.ReadOnlyReason
	m.header = &header{common: c}
	m.help = newHelpScreen(c)
	m.setReplayKeys(false)
	m.startFind(opts.Find)
	return m
}

// Init starts listening for frames.
func (m *Model) Init() tea.Cmd { return m.listen() }

// listen waits for the next frame; Update re-arms it after each one, so
// the engine can never push faster than the program consumes.
func (m *Model) listen() tea.Cmd {
	ch := m.frames
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		f, ok := <-ch
		if !ok {
			return feedClosedMsg{}
		}
		return frameMsg(f)
	}
}

// Update handles frames, ticks, resizes and keys, then sends the calls
// table's view request if they changed what it needs (view mode).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := m.update(msg)
	if v := m.sendView(); v != nil {
		cmd = tea.Batch(cmd, v)
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
	case frameMsg:
		return m, m.onFrame(engine.Frame(msg))
	case feedClosedMsg:
		m.closed = true
	case tickMsg:
		return m, m.onTick(time.Time(msg))
	case noticeMsg:
		m.notice = string(msg)
	case historyResultsMsg:
		m.hist.SetResults(msg)
	case storedCallMsg:
		return m, m.openStored(msg)
	case findStoredMsg:
		if m.calls.finding && m.screen == screenCalls { // no live call matched meanwhile
			m.calls.finding = false
			return m, m.openStored(msg.storedCallMsg)
		}
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	case tea.PasteMsg:
		if m.screen == screenCalls && m.calls.Filtering() {
			m.calls.Paste(msg.Content)
		}
	}
	return m, nil
}

// onFrame records the newest frame and shows it unless the display is paused.
func (m *Model) onFrame(f engine.Frame) tea.Cmd {
	m.latest = f
	m.hasFrame = true
	m.asked.seen(f.Replay)
	if m.paused {
		m.waiting++
		return m.listen()
	}
	m.show(f)
	return tea.Batch(m.listen(), m.armTick(), m.refocus(), m.findStep(), m.openWaited())
}

// show puts a frame on screen.
func (m *Model) show(f engine.Frame) {
	m.shown = f
	m.setReplayKeys(f.Replay != nil)
	m.calls.SetSnapshot(f.Calls.Calls, f.Calls.FeedTime, m.screen == screenCalls)
	m.calls.SetWindow(f.View)
	m.calls.SetFeed(f.Feed, m.now)
	if m.stored != nil {
		m.call.SetDetail(m.stored.detail, m.stored.detail.Summary.End, m.focusID)
	} else {
		m.call.SetDetail(f.Calls.Focus, f.Calls.FeedTime, m.focusID)
	}
	m.fleet.SetView(f.Calls.Fleet)
	m.fleet.viewMode = f.View != nil
	if m.screen == screenCall {
		m.keepHubRow()
	}
	m.call.gone = m.screen == screenCall && m.stored == nil && m.call.detail == nil && m.calls.Call(m.focusID) == nil
	m.call.endedView = false
	if f.View != nil && m.screen == screenCall && m.stored == nil && m.call.detail == nil {
		c := m.calls.windowCall(m.focusID)
		m.call.endedView = c != nil && c.Ended
	}
	m.alerts.SetFrame(&f, m.calls.Call)
	m.layout()
}

// keepHubRow gives the call screen the hub's row of the open call when
// the window holds it (view mode), the newest seen.
func (m *Model) keepHubRow() {
	if c := m.calls.windowCall(m.focusID); c != nil {
		m.call.hubRow = c
	}
}

// refocus repeats a Focus request when the engine shows another call or
// none while the call screen still waits for its call (requests run in
// their own goroutines, so a quick esc then enter can cross), so the call
// screen converges on what the user chose.
func (m *Model) refocus() tea.Cmd {
	if m.screen != screenCall || m.call.gone || m.stored != nil {
		return nil
	}
	fd := m.shown.Calls.Focus
	if (fd != nil && fd.Summary != nil && fd.Summary.Key != m.focusID) || (fd == nil && m.call.detail == nil) {
		return m.focus(m.focusID)
	}
	return nil
}

// armTick starts the one-second countdown tick when the header shows a
// wall-clock countdown, and only then.
func (m *Model) armTick() tea.Cmd {
	if m.ticking || !needsClock(m.shown.Feed) {
		return nil
	}
	m.ticking = true
	return func() tea.Msg { return tickMsg(time.Now()) }
}

func (m *Model) onTick(t time.Time) tea.Cmd {
	m.now = t
	m.calls.SetFeed(m.shown.Feed, t)
	if !needsClock(m.shown.Feed) {
		m.ticking = false
		return nil
	}
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// setPaused pauses or resumes the display (never ingestion).
func (m *Model) setPaused(p bool) tea.Cmd {
	m.paused = p
	m.call.paused = p
	if p || !m.hasFrame {
		return nil
	}
	m.waiting = 0
	m.show(m.latest)
	return tea.Batch(m.armTick(), m.refocus())
}

// setReplayKeys enables the replay bindings only during a replay, so help
// and Update agree on what works.
func (m *Model) setReplayKeys(on bool) {
	k := &m.keys
	k.ReplayPause.SetEnabled(on)
	k.SeekBack.SetEnabled(on)
	k.SeekForward.SetEnabled(on)
	k.Slower.SetEnabled(on)
	k.Faster.SetEnabled(on)
	k.JumpTo.SetEnabled(on)
	if on { // p pauses the replay itself (see globalKey)
		k.Pause.SetHelp("p", "pause replay")
	} else {
		k.Pause.SetHelp("p", "pause display")
	}
}

// focus asks the engine for a call's detail.
func (m *Model) focus(id string) tea.Cmd {
	ctrl := m.ctrl
	return func() tea.Msg {
		ctrl.Focus(id)
		return nil
	}
}
