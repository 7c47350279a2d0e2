package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/calltop/calltop/feed/dump"
	"github.com/calltop/calltop/feed/hub"
)

// headerCalls reads "<n> calls" and the feed clock from the header.
var headerCalls = regexp.MustCompile(`(\d+) calls( \(\+(\d+) ended\))?.*?(\d\d:\d\d:\d\d)`)

// TestHubReplayLoopInTmux: a hub replaying a recording in a loop, watched
// in the TUI: in each of three passes every recorded call is live on the
// screen and the feed clock runs in the recording's time (it used to show
// "3 calls (+1 ended)" with the clock frozen at the hub's start).
func TestHubReplayLoopInTmux(t *testing.T) {
	t.Parallel()
	bin := calltopBinary(t)
	loaded, err := dump.Load(writeRecording(t)) // 3 calls, 60 s
	if err != nil {
		t.Fatal(err)
	}
	url, _ := serveHub(t, hub.ReplaySource(loaded.Records, 10, true))
	p := startPane(t, fmt.Sprintf("sh -c '%s --feed %s --state-dir %s; echo CALLTOP-EXITED $?; exec sleep 120'", bin, url, t.TempDir()),
		"TERM=xterm-256color", "HOME="+t.TempDir())

	// Follow the passes by the clock going back; in each, wait to see the
	// 3 calls live with no ended ghosts and the clock moving on.
	pass, lastClock := 1, ""
	seen := map[int]map[string]bool{} // pass -> clocks seen with 3 live calls
	p.waitFor("three passes with every call live", func(s string) bool {
		m := headerCalls.FindStringSubmatch(s)
		if m == nil {
			return false
		}
		clock := m[4]
		if m[1] == "0" {
			return false // before the replay's first calls
		}
		if !strings.HasPrefix(clock, "09:0") {
			t.Fatalf("the feed clock shows %s, not the recording's time (09:00-09:01); screen:\n%s", clock, s)
		}
		if lastClock != "" && clock < lastClock {
			if len(seen[pass]) < 2 {
				t.Fatalf("pass %d ended without its 3 calls live on a running clock (seen at %v); screen:\n%s", pass, seen[pass], s)
			}
			pass++
		}
		lastClock = clock
		if m[1] == "3" && m[3] == "" && len(callRow.FindAllString(s, -1)) >= 3 {
			if seen[pass] == nil {
				seen[pass] = map[string]bool{}
			}
			seen[pass][clock] = true
		}
		return pass >= 3 && len(seen[3]) >= 2
	})
	p.keys("q")
	s := p.waitFor("calltop to exit", func(s string) bool { return strings.Contains(s, "CALLTOP-EXITED") })
	if !strings.Contains(s, "CALLTOP-EXITED 0") {
		t.Errorf("calltop did not exit cleanly:\n%s", s)
	}
}
