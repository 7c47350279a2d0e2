package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
)

// headerLine is the first line of the screen, without styling.
func headerLine(m *Model) string { return strings.SplitN(screenText(m), "\n", 2)[0] }

func TestHeaderKeepsStateCallsAndAlertsAt80Columns(t *testing.T) {
	retry := time.Date(2026, 11, 21, 22, 0, 10, 0, time.UTC)
	for _, c := range []struct {
		name, reason string
		paused       bool
		want, not    []string
	}{
		{"short reason", "connection refused", false,
			[]string{"reconnecting in 3 s (connection refused)", "9 calls (+1 ended)", "alerts 2 crit"}, []string{"…", "21:12:00"}},
		{"long reason", "dial tcp 127.0.0.1:7070: connect: connection refused", false,
			[]string{"reconnecting in 3 s |", "9 calls", "alerts 2 crit"}, []string{"…"}},
		{"paused", "dial tcp 127.0.0.1:7070: connect: connection refused", true,
			[]string{"reconnecting in 3 s |", "9 calls", "alerts 2 crit", "PAUSED, 1 waiting"}, []string{"…"}},
	} {
		f := frame(1, 10, "")
		f.Feed = engine.FeedStatus{Source: "ws://127.0.0.1:7070/feed", State: "reconnecting", Reason: c.reason, NextRetry: retry}
		m, _ := newTestModel(80, 24, f)
		m.Update(tickMsg(retry.Add(-3 * time.Second)))
		if c.paused {
			hit(m, "p")
			m.Update(frameMsg(f))
		}
		line := headerLine(m)
		for _, w := range c.want {
			if !strings.Contains(line, w) {
				t.Errorf("%s: header %q lacks %q", c.name, line, w)
			}
		}
		for _, b := range c.not {
			if strings.Contains(line, b) {
				t.Errorf("%s: header %q shows %q", c.name, line, b)
			}
		}
	}
}

func TestHeaderDropsFeedTimeBeforeSource(t *testing.T) {
	f := frame(1, 10, "")
	f.Feed = engine.FeedStatus{Source: "wss://feeds.example:443/v1/feed", State: "live"}
	m, _ := newTestModel(80, 24, f)
	line := headerLine(m)
	if !strings.Contains(line, "calltop | feeds.example:443 | live") || strings.Contains(line, "21:12:00") {
		t.Errorf("header %q: want the source kept and the feed time dropped", line)
	}
	m, _ = newTestModel(120, 24, f)
	if line := headerLine(m); !strings.Contains(line, "wss://feeds.example:443/v1/feed") || !strings.Contains(line, "feed 21:12:00") {
		t.Errorf("header %q at 120 columns: want the full source and the feed time", line)
	}
}

func TestOneCallOneParticipantAreSingular(t *testing.T) {
	f := frame(1, 1, "")
	m, _ := newTestModel(120, 24, f)
	mustShow(t, m, "| 1 call |")
	mustNotShow(t, m, "1 calls")
	hit(m, "enter")
	d := wifiDetail(f.Calls.Calls[0])
	d.Participants = d.Participants[:1]
	f.Calls.Focus = d
	m.Update(frameMsg(f))
	mustShow(t, m, "1 participant")
	mustNotShow(t, m, "1 participants")
}

// A feed that failed before any data: at 80 columns the header still says
// whose it is ("calltop |") and why it failed, with no "-" for a feed
// time there is not.
func TestHeaderOfAFailedFeedKeepsTheTitle(t *testing.T) {
	f := engine.Frame{Seq: 1, Feed: engine.FeedStatus{Source: "ws://127.0.0.1:7070/feed", State: "failed",
		Reason: "401 Unauthorized: the hub refused the token (check --token or $CALLTOP_TOKEN)", Problem: "unauthorized"}}
	m, _ := newTestModel(80, 24, f)
	line := headerLine(m)
	if !strings.HasPrefix(line, "calltop | ") || !strings.Contains(line, "failed") || strings.Contains(line, " - ") {
		t.Errorf("header %q: want it to start with the title and say failed, with no empty feed time", line)
	}
}
