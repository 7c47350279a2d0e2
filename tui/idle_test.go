package tui

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/calltop/calltop/cmd/calltop/engine"
)

// The idle budget (DESIGN.md): no busy ticking when nothing changes. The
// engine sends a frame only when something changed, and Bubble Tea calls
// Update and then View once per message, so a quiet TUI is one that gets
// no messages: these tests run the real program and count what it does
// over a quiet second and a half.

// quietPeriod is longer than the one-second countdown tick, so a TUI
// that ticked would show it.
const quietPeriod = 1500 * time.Millisecond

func TestIdleNoWorkWithoutFrames(t *testing.T) {
	t.Parallel()
	p := startCounted(t, frame(1, 200, ""))
	p.waitScreen("support-escalat")
	if msgs, views, written := p.during(quietPeriod); len(msgs) > 0 || views > 0 || written > 0 {
		t.Fatalf("with no frames for %v the TUI handled %v, rendered %d views and wrote %d bytes", quietPeriod, msgs, views, written)
	}
}

// TestIdleTicksOnlyForACountdown is the one case where the TUI works
// between frames: the header counts down to the next reconnect, once a
// second; it also shows that the counting above would see ticking.
func TestIdleTicksOnlyForACountdown(t *testing.T) {
	t.Parallel()
	f := frame(1, 200, "")
	f.Feed.State, f.Feed.Reason, f.Feed.NextRetry = "reconnecting", "connection refused", time.Now().Add(time.Hour)
	p := startCounted(t, f)
	p.waitScreen("support-escalat")
	msgs, views, _ := p.during(quietPeriod)
	if len(msgs) == 0 || views == 0 || strings.Count(fmt.Sprint(msgs), "tui.tickMsg") != len(msgs) {
		t.Fatalf("during a reconnect countdown the TUI handled %v and rendered %d views over %v; want one tick a second", msgs, views, quietPeriod)
	}
}

// counted runs the real program and records every message Update gets,
// every View and every byte written to the terminal.
type counted struct {
	t      *testing.T
	m      *Model
	frames chan engine.Frame
	mu     sync.Mutex
	msgs   []string
	views  int
	out    strings.Builder
}

func startCounted(t *testing.T, first engine.Frame) *counted {
	t.Helper()
	c := &counted{t: t, frames: make(chan engine.Frame)}
	c.m = New(&recorder{}, c.frames, Options{})
	prog := tea.NewProgram(c, tea.WithInput(nil), tea.WithOutput(c), tea.WithWindowSize(120, 40),
		tea.WithColorProfile(colorprofile.Ascii), tea.WithoutSignals())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := prog.Run(); err != nil {
			t.Errorf("program: %v", err)
		}
	}()
	t.Cleanup(func() {
		prog.Quit()
		<-done
		close(c.frames)
	})
	c.frames <- first
	return c
}

// Init implements tea.Model.
func (c *counted) Init() tea.Cmd { return c.m.Init() }

// Update implements tea.Model.
func (c *counted) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	c.mu.Lock()
	c.msgs = append(c.msgs, fmt.Sprintf("%T", msg))
	c.mu.Unlock()
	_, cmd := c.m.Update(msg)
	return c, cmd
}

// View implements tea.Model.
func (c *counted) View() tea.View {
	c.mu.Lock()
	c.views++
	c.mu.Unlock()
	return c.m.View()
}

// Write is the terminal.
func (c *counted) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(b)
}

// waitScreen waits until the terminal got want.
func (c *counted) waitScreen(want string) {
	c.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c.mu.Lock()
		ok := strings.Contains(c.out.String(), want)
		c.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the screen never showed %q", want)
		}
	}
}

// during returns the messages, views and bytes written over the next d.
func (c *counted) during(d time.Duration) (msgs []string, views, written int) {
	c.mu.Lock()
	m0, v0, w0 := len(c.msgs), c.views, c.out.Len()
	c.mu.Unlock()
	time.Sleep(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs[m0:]...), c.views - v0, c.out.Len() - w0
}
