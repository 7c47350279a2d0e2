package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// anyCallRow is a calls table row at any width (long severity words from
// 160 columns).
var anyCallRow = regexp.MustCompile(`(?m)^(!!|! |i |- ) ?(crit|critical|warn|warning|info|ok)\s+\S`)

// resize sets the pane's window to w x h cells.
func (p *pane) resize(w, h int) {
	p.t.Helper()
	args := []string{"-L", p.socket, "resize-window", "-t", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)}
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		p.t.Fatalf("tmux resize-window: %v\n%s", err, out)
	}
}

// fitsWidth fails the test when a screen line is wider than w cells.
func fitsWidth(t *testing.T, s string, w int) {
	t.Helper()
	for i, l := range strings.Split(s, "\n") {
		if n := len([]rune(l)); n > w {
			t.Errorf("line %d is %d cells wide at %d columns: %q", i, n, w, l)
		}
	}
}

// TestFleetScreenInTmux drives the fleet view of a demo whose Chrome 142
// users lose packets, at 80x24 and then 200x50: F opens it with Chrome 142
// standing out and first; d changes the dimension; enter narrows the calls
// to Chrome 142's; esc clears that; q quits cleanly.
func TestFleetScreenInTmux(t *testing.T) {
	t.Parallel()
	bin := calltopBinary(t)
	home := t.TempDir()
	env := []string{"TERM=xterm-256color", "HOME=" + home, "XDG_STATE_HOME=" + filepath.Join(home, "state")}
	cmd := fmt.Sprintf("sh -c '%s demo --calls 60 --scenario good,fleet-chrome142 --seed 3; echo CALLTOP-EXITED $?; exec sleep 120'", bin)
	p := startPane(t, cmd, env...)
	p.waitFor("the calls table", func(s string) bool { return len(callRow.FindAllString(s, -1)) >= 10 })

	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		w, h := size[0], size[1]
		p.resize(w, h)
		p.keys("F")
		s := p.waitFor(fmt.Sprintf("the fleet screen at %dx%d with Chrome 142 standing out", w, h), func(s string) bool {
			return strings.Contains(s, "Fleet by Browser version") && strings.Contains(s, "Stands out: loss-inbound") &&
				strings.Contains(s, "Chrome 142 participants vs")
		})
		fitsWidth(t, s, w)
		if lines := strings.Split(strings.TrimRight(s, "\n"), "\n"); len(lines) > h {
			t.Errorf("%d lines at %dx%d", len(lines), w, h)
		}
		rows := strings.Split(s[strings.Index(s, "GROUP"):], "\n")
		if len(rows) < 2 || !strings.HasPrefix(rows[1], "Chrome 142") {
			t.Errorf("at %dx%d the worst group is not Chrome 142 first:\n%s", w, h, s)
		}
		if !strings.Contains(s, "F fleet") && !strings.Contains(s, "d next dimension") {
			t.Errorf("the hint bar does not show the fleet keys:\n%s", s)
		}

		p.keys("d")
		p.waitFor("the browser dimension", func(s string) bool {
			return strings.Contains(s, "Fleet by Browser ·") && strings.Contains(s, "Firefox")
		})
		p.keys("D", "Enter")
		s = p.waitFor("the calls narrowed to Chrome 142", func(s string) bool {
			return strings.Contains(s, "filter: Chrome 142") && len(anyCallRow.FindAllString(s, -1)) > 0
		})
		fitsWidth(t, s, w)
		p.keys("Escape")
		p.waitFor("every call again", func(s string) bool {
			return !strings.Contains(s, "filter: Chrome 142") && strings.Contains(s, "F fleet")
		})
	}
	p.keys("q")
	s := p.waitFor("calltop to exit", func(s string) bool { return strings.Contains(s, "CALLTOP-EXITED") })
	if !strings.Contains(s, "CALLTOP-EXITED 0") || strings.Contains(s, "Fleet by") {
		t.Errorf("calltop did not exit cleanly from the fleet session:\n%s", s)
	}
}
