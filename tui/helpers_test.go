package tui

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// run executes cmd as the program would (batches included), feeds notices
// back into m, and returns every other message produced.
func run(m *Model, cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	var out []tea.Msg
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			out = append(out, run(m, c)...)
		}
	case noticeMsg:
		m.Update(msg)
	default:
		out = append(out, msg)
	}
	return out
}

// hit presses k, runs the resulting command, and returns its messages.
func hit(m *Model, k string) []tea.Msg {
	_, cmd := m.Update(press(k))
	return run(m, cmd)
}

// keys presses each key in turn.
func keys(m *Model, ks ...string) {
	for _, k := range ks {
		hit(m, k)
	}
}

// clipboardText returns the text of a SetClipboard message among msgs.
func clipboardText(msgs []tea.Msg) (string, bool) {
	for _, msg := range msgs {
		if fmt.Sprintf("%T", msg) == "tea.setClipboardMsg" {
			return reflect.ValueOf(msg).String(), true
		}
	}
	return "", false
}

func hasQuit(msgs []tea.Msg) bool {
	return slices.ContainsFunc(msgs, func(m tea.Msg) bool { _, ok := m.(tea.QuitMsg); return ok })
}

// mustShow fails unless the screen text holds every want.
func mustShow(t *testing.T, m *Model, want ...string) {
	t.Helper()
	s := screenText(m)
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

// mustNotShow fails if the screen text holds any of bad.
func mustNotShow(t *testing.T, m *Model, bad ...string) {
	t.Helper()
	s := screenText(m)
	for _, b := range bad {
		if strings.Contains(s, b) {
			t.Fatalf("screen shows %q:\n%s", b, s)
		}
	}
}

// lastLog is the newest thing the Controller was asked.
func lastLog(r *recorder) string {
	l := r.log()
	if len(l) == 0 {
		return ""
	}
	return l[len(l)-1]
}

func teaSize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
