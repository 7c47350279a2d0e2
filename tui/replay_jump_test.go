package tui

import (
	"testing"
	"time"
)

// In a replay, p pauses the replay itself, the hint bar leads with the
// replay's keys, and t jumps to a time typed as m:ss: the engine is asked
// for the difference from where the replay is (12:00 of 20:00 here).
func TestReplayPauseAndJumpTo(t *testing.T) {
	m, rec := newTestModel(80, 24, replayFrame(1, false))
	mustShow(t, m, "space pause replay", "← back 10s")
	hit(m, "p")
	if got := lastLog(rec); got != "replay-pause true" {
		t.Fatalf("p in a replay: controller got %q, want the replay paused", got)
	}
	hit(m, "t")
	mustShow(t, m, "jump to:")
	typeText(m, "2:30")
	hit(m, "enter")
	if got := lastLog(rec); got != "replay-seek -9m30s" {
		t.Fatalf("jump to 2:30 from 12:00: controller got %q, want replay-seek -9m30s", got)
	}
	hit(m, "t")
	typeText(m, "99:00")
	hit(m, "enter")
	if got := lastLog(rec); got != "replay-seek 8m0s" {
		t.Fatalf("jump past the end: %q, want the end (8m0s on)", got)
	}
	n := len(rec.log())
	hit(m, "t")
	typeText(m, "soon")
	hit(m, "enter")
	mustShow(t, m, `jump to "soon"`)
	hit(m, "t")
	hit(m, "esc")
	if len(rec.log()) != n {
		t.Fatalf("a bad time or esc reached the controller: %v", rec.log()[n:])
	}
}

func TestParseOffset(t *testing.T) {
	for in, want := range map[string]time.Duration{"2:30": 150 * time.Second, "1:02:03": 3723 * time.Second,
		"90s": 90 * time.Second, "2m30s": 150 * time.Second, " 0:05 ": 5 * time.Second} {
		if got, err := parseOffset(in); err != nil || got != want {
			t.Errorf("parseOffset(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "1:2:3:4", "-1:00", "-5s"} {
		if _, err := parseOffset(bad); err == nil {
			t.Errorf("parseOffset(%q) accepted", bad)
		}
	}
}
