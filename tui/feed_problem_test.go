package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
)

// downFrame is a frame of calls whose feed is in state with problem.
func downFrame(calls int, st engine.FeedStatus) engine.Frame {
	f := frame(1, max(calls, 1), "")
	if calls == 0 {
		f.Calls.Calls = nil
	}
	f.Feed = st
	return f
}

func TestConnectionFailuresAreSaidInTheBody(t *testing.T) {
	url := "ws://127.0.0.1:7071/feed"
	for _, c := range []struct {
		name string
		st   engine.FeedStatus
		says []string
	}{
		{"refused", engine.FeedStatus{Source: url, URL: url, State: "reconnecting", Problem: "refused",
			Reason:    url + ": connection refused: nothing listens at 127.0.0.1:7071 (is the hub running, on this port?)",
			NextRetry: t0.Add(3 * time.Second)},
			[]string{"Connection refused", "URL", url, "is the hub running", "Trying again in 3 s"}},
		{"unauthorized", engine.FeedStatus{Source: url, URL: url, State: "failed", Problem: "unauthorized",
			Reason: url + " refused: HTTP 401 Unauthorized (missing or wrong token: check --token or $CALLTOP_TOKEN)"},
			[]string{"refused the token: none was given, or the wrong one (HTTP 401)", "401 Unauthorized", "calltop gave up"}},
		{"tls", engine.FeedStatus{Source: url, URL: url, State: "reconnecting", Problem: "tls",
			Reason: "wss://x/feed: TLS: x509: certificate signed by unknown authority (trust the hub's CA with --ca)"},
			[]string{"TLS failed", "unknown authority", "--ca"}},
		{"dns", engine.FeedStatus{Source: url, URL: url, State: "reconnecting", Problem: "dns", Reason: `no such host "feeds.example"`},
			[]string{"does not resolve", "feeds.example"}},
		{"stalled", engine.FeedStatus{Source: url, URL: url, State: "stalled", Since: t0.Add(-41 * time.Second)},
			[]string{"stalled", "Nothing for 41 s"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := newTestModel(80, 24, downFrame(0, c.st))
			m.Update(tickMsg(t0))
			mustShow(t, m, c.says...)
			mustNotShow(t, m, "No calls right now", "engine stopped", "0 calls")
			if c.name == "unauthorized" {
				m.Update(feedClosedMsg{})
				mustShow(t, m, "refused the token: none was given, or the wrong one (HTTP 401)")
				mustNotShow(t, m, "engine stopped")
			}
		})
	}
}

func TestNoCallsOnlyWhenConnected(t *testing.T) {
	m, _ := newTestModel(80, 24, downFrame(0, engine.FeedStatus{Source: "ws://h/feed", State: "live"}))
	mustShow(t, m, "No calls right now")
}

func TestRowsAreMarkedStaleWhileTheFeedIsDown(t *testing.T) {
	st := engine.FeedStatus{Source: "ws://h/feed", URL: "ws://h/feed", State: "reconnecting", Problem: "dropped",
		Reason: "ws://h/feed: read: connection reset by peer", NextRetry: t0.Add(2 * time.Second)}
	m, _ := newTestModel(80, 24, downFrame(40, st))
	m.Update(tickMsg(t0))
	mustShow(t, m, "Feed down, rows are stale", "support-escalat")
	if !strings.Contains(flatScreen(m), "Trying again in 2 s") {
		t.Fatalf("the banner has no countdown:\n%s", screenText(m))
	}
	if n := m.calls.visibleRows(); n != 24-2-1-len(m.calls.banner) {
		t.Fatalf("%d rows fit under a %d-line banner", n, len(m.calls.banner))
	}
}
