package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
)

// anyRow is a row of the calls list, a call still warming up ("~  new")
// too: a loaded hub's young calls stay new a while.
var anyRow = regexp.MustCompile(`(?m)^(!!|! |i |- |~ ) ?(crit|warn|info|ok|new)\s+\S`)

// callsHeader finds the header's count of ongoing calls.
var callsHeader = regexp.MustCompile(`\| (\d+) calls`)

// TestViewModeInTmux runs `calltop hub --simulate 2000 --index` and the
// real binary in view mode (`calltop --feed ... --view`) in an 80x24 tmux
// pane without colour, as a user would: the list shows the hub's 2,000
// calls worst first, "/" finds one customer by name (and user id), enter
// opens that call and its stats move on the call screen, esc comes back.
func TestViewModeInTmux(t *testing.T) {
	bin := calltopBinary(t)
	_, addr, _ := startHubCLI(t, "--simulate", "2000", "--seed", "11", "--index")

	// A customer to look for: a participant of a healthy ongoing call (the
	// worst-first order reversed), so their stats are there to move, as
	// the hub's own view protocol tells (a raw view client).
	v := dialView(t, addr)
	v.ask(feed.ViewQuery{Sort: feed.SortWorst, Desc: true, Offset: 100, Limit: 20})
	w := v.until(60*time.Second, "a window of the 2000 calls", nil, func(f *viewFrame) bool {
		return f.Type == feed.TypeViewWindow && f.Window.Total >= 2000 && len(f.Window.Rows) == 20 && len(f.Window.Rows[5].People) > 0
	}).Window
	person := w.Rows[5].People[0]
	filter := fmt.Sprintf("%q %s", person.Name, person.UserID)

	home := t.TempDir()
	cmd := fmt.Sprintf("sh -c '%s --feed ws://%s/feed --view; echo CALLTOP-EXITED $?; exec sleep 120'", bin, addr)
	p := startPane(t, cmd, "TERM=xterm-256color", "NO_COLOR=1", "HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"))

	s := p.waitFor("the calls list of 2000 calls", func(s string) bool {
		m := callsHeader.FindStringSubmatch(s)
		return m != nil && len(m[1]) >= 4 && len(callRow.FindAllString(s, -1)) >= 20
	})
	if basic, extended := colourCodes(p.styled()); basic+extended > 0 {
		t.Errorf("with NO_COLOR=1 the calls list sets %d colours", basic+extended)
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 24 {
		t.Errorf("%d lines in a 24-line pane", len(lines))
	}
	rank := map[string]int{"crit": 3, "warn": 2, "info": 1, "ok": 0}
	last := 4
	for _, row := range callRow.FindAllStringSubmatch(s, -1) {
		if r := rank[row[2]]; r > last {
			t.Fatalf("not worst first: a %s row below a less severe one:\n%s", row[2], s)
		} else {
			last = r
		}
	}

	p.keys("/")
	p.keys("-l", filter)
	p.keys("Enter")
	s = p.waitFor("the filter to find "+person.Name, func(s string) bool {
		return strings.Contains(s, "(1)") && len(anyRow.FindAllString(s, -1)) == 1 && strings.Contains(s, person.Name)
	})
	if header, _, _ := strings.Cut(s, "\n"); !strings.Contains(header, "filter:") || !strings.Contains(header, "2000") && !callsHeader.MatchString(header) {
		t.Errorf("the header while filtering does not show the filter and the hub's call count:\n%s", s)
	}

	p.keys("Enter")
	s = p.waitFor("the call screen with its graphs", func(s string) bool {
		return sparkline.MatchString(s) && strings.Contains(s, "DIAGNOSES")
	})
	body := func(s string) string { // the screen without the header's clock
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			return s[i+1:]
		}
		return s
	}
	before := body(s)
	p.waitFor("the open call's stats to move", func(s string) bool {
		return sparkline.MatchString(s) && body(s) != before
	})

	p.keys("Escape")
	p.waitFor("the filtered list again", func(s string) bool { return len(anyRow.FindAllString(s, -1)) == 1 })
	p.keys("q")
	s = p.waitFor("calltop to exit", func(s string) bool { return strings.Contains(s, "CALLTOP-EXITED") })
	if !strings.Contains(s, "CALLTOP-EXITED 0") {
		t.Errorf("calltop exited with an error:\n%s", s)
	}
}

// TestViewModeOnAHubWithoutIndexInTmux: `calltop --view` on a plain hub
// says what to do instead of showing an empty list, and does not keep
// reconnecting.
func TestViewModeOnAHubWithoutIndexInTmux(t *testing.T) {
	bin := calltopBinary(t)
	_, addr, _ := startHubCLI(t, "--simulate", "3", "--seed", "1")
	home := t.TempDir()
	cmd := fmt.Sprintf("sh -c '%s --feed ws://%s/feed --view; echo CALLTOP-EXITED $?; exec sleep 120'", bin, addr)
	p := startPane(t, cmd, "TERM=xterm-256color", "NO_COLOR=1", "HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"))
	s := p.waitFor("the no-index message", func(s string) bool {
		return strings.Contains(s, "this hub has no call index: run it with --index")
	})
	if strings.Contains(s, "reconnecting") {
		t.Errorf("the TUI reconnects to a hub that refused it:\n%s", s)
	}
	p.keys("q")
	p.waitFor("calltop to exit", func(s string) bool { return strings.Contains(s, "CALLTOP-EXITED 0") })
}

// firingHeader finds the header's count of firing alerts ("alerts 2 crit").
var firingHeader = regexp.MustCompile(`alerts \d+ (crit|warn|info)`)

// TestViewModeOnATeamHubInTmux: `calltop --view` on a team hub (whose
// index is on by default) lists the hub's windows and shows the team's
// alert book, the fleet's alerts, not just the open call's; enter opens a
// call with its graphs.
func TestViewModeOnATeamHubInTmux(t *testing.T) {
	bin := calltopBinary(t)
	_, addr, _ := startHubCLI(t, "--team", "--state-dir", t.TempDir(), "--simulate", "60", "--speed", "8", "--seed", "5")
	home := t.TempDir()
	cmd := fmt.Sprintf("sh -c '%s --feed ws://%s/feed --view; echo CALLTOP-EXITED $?; exec sleep 120'", bin, addr)
	p := startPane(t, cmd, "TERM=xterm-256color", "NO_COLOR=1", "HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"))
	s := p.waitFor("the calls list and the team's firing alerts", func(s string) bool {
		return len(callRow.FindAllString(s, -1)) >= 15 && firingHeader.MatchString(s)
	})
	if strings.Contains(s, "alerts: open call") {
		t.Errorf("on a team hub the header says the alerts cover the open call only:\n%s", s)
	}
	p.keys("F") // the fleet screen says what view mode lacks: this is view mode, not the full feed
	p.waitFor("the fleet screen of view mode", func(s string) bool { return strings.Contains(s, "not in view mode") })
	p.keys("Escape")
	p.waitFor("the calls list again", func(s string) bool { return len(callRow.FindAllString(s, -1)) >= 15 })
	p.keys("Enter")
	p.waitFor("the call screen with its graphs", func(s string) bool {
		return sparkline.MatchString(s) && strings.Contains(s, "DIAGNOSES")
	})
	p.keys("q")
	p.waitFor("calltop to exit", func(s string) bool { return strings.Contains(s, "CALLTOP-EXITED 0") })
}
