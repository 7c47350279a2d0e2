package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/history"
)

// The support agent's "my call at 3 pm was bad": on a team hub, H opens
// the history, a search by the person's name lists the ended call, enter
// opens it on the call screen with that person selected, its graphs and
// its diagnoses, and esc goes back to the results.
func TestHistoryScreenInTmux(t *testing.T) {
	t.Parallel()
	bin := calltopBinary(t)
	_, addr, _ := startHubCLI(t, "--team", "--state-dir", t.TempDir(), "--simulate", "40", "--speed", "16", "--seed", "5")
	url := "ws://" + addr + "/feed"
	var calls []history.Summary
	waitUntil(t, 60*time.Second, "an ended call with findings in history", func() bool {
		out, err := runCLI(t, "history", "sev:warning", "--feed", url, "--json")
		calls = nil
		return err == nil && json.Unmarshal([]byte(out), &calls) == nil && len(calls) > 0
	})
	want := calls[0]
	name := want.People[0]
	p := startPane(t, fmt.Sprintf("sh -c '%s --feed %s --state-dir %s; echo CALLTOP-EXITED $?; exec sleep 120'",
		bin, url, filepath.Join(t.TempDir(), "state")), "TERM=xterm-256color", "HOME="+t.TempDir())
	p.waitFor("the team hub's calls", func(s string) bool { return len(callRow.FindAllString(s, -1)) >= 4 })

	p.keys("H")
	p.waitFor("the history screen", func(s string) bool {
		return strings.Contains(s, "Call history") && strings.Contains(s, "ENDED (UTC)")
	})
	p.keys("-l", name+" call:"+want.ID)
	p.keys("Enter")
	s := p.waitFor("the call in the results", func(s string) bool {
		return strings.Contains(s, "1 ended call matching") && strings.Contains(s, want.Room)
	})
	if !strings.Contains(s, "warn") && !strings.Contains(s, "crit") {
		t.Errorf("the result row does not show the worst finding's severity:\n%s", s)
	}
	p.keys("Enter")
	s = p.waitFor("the stored call on the call screen", func(s string) bool {
		return strings.Contains(s, want.Room) && strings.Contains(s, "DIAGNOSES") && strings.Contains(s, name)
	})
	t.Logf("the stored call:\n%s", s)
	if !strings.Contains(s, name+", last") {
		t.Errorf("the person searched for (%s) is not the one selected:\n%s", name, s)
	}
	if !sparkline.MatchString(s) {
		t.Errorf("the stored call shows no graph:\n%s", s)
	}
	if !strings.Contains(s, "ended") {
		t.Errorf("the stored call is not marked ended:\n%s", s)
	}
	p.keys("Escape")
	p.waitFor("the results again", func(s string) bool { return strings.Contains(s, "Call history") })
	p.keys("Escape")
	p.waitFor("the calls screen again", func(s string) bool { return len(callRow.FindAllString(s, -1)) >= 4 })
	p.keys("q")
	p.waitFor("calltop to exit", func(s string) bool { return strings.Contains(s, "CALLTOP-EXITED 0") })
}
