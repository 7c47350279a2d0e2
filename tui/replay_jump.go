package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/cmd/calltop/engine"
)

// replayJump is the "jump to" prompt of a replay (t): a time into the
// recording as m:ss, h:mm:ss or a duration (90s, 2m30s).
type replayJump struct {
	on    bool
	input textinput.Model
}

func newReplayJump(st *Styles) replayJump {
	in := newFilterInput(st)
	in.Prompt = "jump to: "
	in.Placeholder = "m:ss into the recording (or 90s, 2m30s); enter jumps, esc cancels"
	in.CharLimit = 16
	return replayJump{input: in}
}

// startJump opens the prompt.
func (m *Model) startJump() tea.Cmd {
	m.jump.on = true
	m.jump.input.SetValue("")
	m.jump.input.SetWidth(max(m.width-len(m.jump.input.Prompt)-1, 1))
	return m.jump.input.Focus()
}

// jumpKey handles a key while the prompt is open.
func (m *Model) jumpKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.jump.on = false
		m.jump.input.Blur()
		return nil
	case "enter":
		m.jump.on = false
		m.jump.input.Blur()
		r := m.latest.Replay
		if r == nil {
			return nil
		}
		at, err := parseOffset(m.jump.input.Value())
		if err != nil {
			return notice(err.Error())
		}
		return m.seekTo(r, at)
	}
	var cmd tea.Cmd
	m.jump.input, cmd = m.jump.input.Update(msg)
	return cmd
}

// seekTo moves the replay to at into the recording (within its bounds).
func (m *Model) seekTo(r *engine.ReplayStatus, at time.Duration) tea.Cmd {
	total := r.End.Sub(r.Start)
	at = min(max(at, 0), total)
	d := at - r.Position.Sub(r.Start)
	m.notice = fmt.Sprintf("replay: jumping to %s of %s", fmtDuration(at), fmtDuration(total))
	ctrl := m.ctrl
	return func() tea.Msg { ctrl.ReplaySeek(d); return nil }
}

// parseOffset reads "2:30", "1:02:30", "90s" or "2m30s".
func parseOffset(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("jump to %q: give m:ss, h:mm:ss or a duration such as 90s", s)
	}
	var d time.Duration
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("jump to %q: give m:ss, h:mm:ss or a duration such as 90s", s)
		}
		d = d*60 + time.Duration(n)
	}
	return d * time.Second, nil
}
