package main

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/bus/bustest"
	"github.com/calltop/calltop/feed/feedtest"
)

// viewConn is a raw WebSocket view client (?view=1) of a hub.
type viewConn struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialView(t *testing.T, addr string) *viewConn {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{feed.Subprotocol}, HandshakeTimeout: 5 * time.Second}
	conn, _, err := d.Dial("ws://"+addr+"/feed?view=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &viewConn{t: t, conn: conn}
}

func (v *viewConn) ask(q feed.ViewQuery) {
	v.t.Helper()
	b, err := feed.EncodeView(feed.ViewRequest{Type: feed.TypeViewRequest, View: q})
	if err != nil {
		v.t.Fatal(err)
	}
	if err := v.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		v.t.Fatal(err)
	}
}

// frame is one frame a view client got, with what it says.
type viewFrame struct {
	Type   string        `json:"type"`
	CallID string        `json:"callId"`
	Calls  []feed.Call   `json:"calls"`
	Window feed.ViewPage `json:"window"`
	Error  string        `json:"error"`
	raw    []byte
}

// until reads frames until cond holds of one, failing after within; each
// frame read goes to seen (when set) first.
func (v *viewConn) until(within time.Duration, what string, seen func(*viewFrame), cond func(*viewFrame) bool) *viewFrame {
	v.t.Helper()
	v.conn.SetReadDeadline(time.Now().Add(within))
	for {
		_, b, err := v.conn.ReadMessage()
		if err != nil {
			v.t.Fatalf("waiting %v for %s: %v", within, what, err)
		}
		f := &viewFrame{raw: b}
		if err := json.Unmarshal(b, f); err != nil {
			v.t.Fatalf("waiting for %s: a frame that is not JSON: %.200s", what, b)
		}
		if seen != nil {
			seen(f)
		}
		if cond(f) {
			return f
		}
	}
}

func keysOf(rows []feed.ViewRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Key
	}
	return out
}

// TestHubIndexServesViewClients runs `calltop hub --simulate 40 --index`
// and a raw view client: it gets windows of the diagnosed calls and no
// call stream; a filter narrows them, an offset pages; opening a call
// streams that call alone (after a snapshot of it), switching and closing
// stop it; a subscriber of the whole feed on the same hub still gets
// every call.
func TestHubIndexServesViewClients(t *testing.T) {
	_, addr, _ := startHubCLI(t, "--simulate", "40", "--seed", "3", "--speed", "4", "--index")
	v := dialView(t, addr)
	noCalls := func(f *viewFrame) {
		if f.Type == feed.TypeStats || f.Type == feed.TypeSnapshot || f.Type == feed.TypeCallStart {
			t.Fatalf("a view client with no call open got %s: %.200s", f.Type, f.raw)
		}
	}
	v.until(5*time.Second, "hello", nil, func(f *viewFrame) bool { return f.Type == feed.TypeHello })
	v.ask(feed.ViewQuery{Sort: feed.SortWorst, Limit: 10, Ended: true})
	w := v.until(15*time.Second, "a window of 40 diagnosed calls", noCalls, func(f *viewFrame) bool {
		return f.Type == feed.TypeViewWindow && f.Window.Total >= 40 && len(f.Window.Rows) == 10 && f.Window.Rows[0].Participants > 0
	}).Window
	c := w.Counts
	if c.OK+c.Warning+c.Critical+c.Ended != w.Total || w.Matched != w.Total {
		t.Fatalf("counts %+v, total %d, matched %d: counts must add up to the total, and no filter matches all", c, w.Total, w.Matched)
	}
	for i := 1; i < len(w.Rows); i++ {
		if sevRank(w.Rows[i].Severity) > sevRank(w.Rows[i-1].Severity) && !w.Rows[i-1].Ended {
			t.Fatalf("worst first: row %d is %q after %q", i, w.Rows[i].Severity, w.Rows[i-1].Severity)
		}
	}

	// The filter narrows to one participant's calls.
	person := w.Rows[3].People[0]
	v.ask(feed.ViewQuery{Filter: person.Name, Limit: 10, Ended: true})
	f := v.until(5*time.Second, "a window filtered to "+person.Name, noCalls, func(f *viewFrame) bool {
		return f.Type == feed.TypeViewWindow && f.Window.Matched < f.Window.Total
	}).Window
	if f.Matched == 0 || !slices.ContainsFunc(f.Rows[0].People, func(p feed.ViewPerson) bool { return strings.EqualFold(p.Name, person.Name) }) {
		t.Fatalf("filter %q: %d of %d matched, first row %+v", person.Name, f.Matched, f.Total, f.Rows[0])
	}

	// An offset pages: rows 10-19 by room are none of rows 0-9.
	v.ask(feed.ViewQuery{Sort: feed.SortRoom, Limit: 10, Ended: true})
	first := v.until(5*time.Second, "page 1 by room", noCalls, func(f *viewFrame) bool {
		return f.Type == feed.TypeViewWindow && f.Window.Offset == 0 && f.Window.Matched == f.Window.Total
	}).Window
	v.ask(feed.ViewQuery{Sort: feed.SortRoom, Offset: 10, Limit: 10, Ended: true})
	second := v.until(5*time.Second, "page 2 by room", noCalls, func(f *viewFrame) bool {
		return f.Type == feed.TypeViewWindow && f.Window.Offset == 10
	}).Window
	if len(second.Rows) != 10 || slices.ContainsFunc(keysOf(second.Rows), func(k string) bool { return slices.Contains(keysOf(first.Rows), k) }) {
		t.Fatalf("page 2 %v overlaps page 1 %v", keysOf(second.Rows), keysOf(first.Rows))
	}

	// Opening a call: a snapshot of it alone, then its stats, no one else's.
	a, b := first.Rows[0].Key, first.Rows[1].Key
	v.ask(feed.ViewQuery{Sort: feed.SortRoom, Limit: 10, Ended: true, Open: a})
	v.until(5*time.Second, "a snapshot of "+a, nil, func(f *viewFrame) bool {
		if f.Type == feed.TypeStats {
			t.Fatalf("stats before the snapshot of the opened call: %.200s", f.raw)
		}
		return f.Type == feed.TypeSnapshot && len(f.Calls) == 1 && f.Calls[0].ID == a && len(f.Calls[0].Participants) > 0
	})
	onlyOf := func(key string) func(*viewFrame) {
		return func(f *viewFrame) {
			if f.CallID != "" && f.CallID != key {
				t.Fatalf("with %s open, a %s of %s: %.200s", key, f.Type, f.CallID, f.raw)
			}
		}
	}
	stats := 0
	v.until(10*time.Second, "3 stats of "+a, onlyOf(a), func(f *viewFrame) bool {
		if f.Type == feed.TypeStats {
			stats++
		}
		return stats == 3
	})

	// Switching to another call stops the first one's frames.
	v.ask(feed.ViewQuery{Sort: feed.SortRoom, Limit: 10, Ended: true, Open: b})
	v.until(5*time.Second, "a snapshot of "+b, nil, func(f *viewFrame) bool {
		return f.Type == feed.TypeSnapshot && len(f.Calls) == 1 && f.Calls[0].ID == b
	})
	stats = 0
	v.until(10*time.Second, "3 stats of "+b, onlyOf(b), func(f *viewFrame) bool {
		if f.Type == feed.TypeStats {
			stats++
		}
		return stats == 3
	})

	// Closing it stops its frames: the windows that follow come alone.
	v.ask(feed.ViewQuery{Sort: feed.SortRoom, Limit: 10, Ended: true})
	v.until(5*time.Second, "the answer to closing", nil, func(f *viewFrame) bool { return f.Type == feed.TypeViewWindow })
	windows := 0
	v.until(10*time.Second, "3 more windows with no call's frames between", noCalls, func(f *viewFrame) bool {
		if f.Type == feed.TypeViewWindow {
			windows++
		}
		return windows == 3
	})

	// A bad request is answered, naming what is wrong.
	v.ask(feed.ViewQuery{Sort: "loudest", Limit: 10})
	bad := v.until(5*time.Second, "view.error", noCalls, func(f *viewFrame) bool { return f.Type == feed.TypeViewError })
	if !strings.Contains(bad.Error, `view.sort "loudest"`) {
		t.Fatalf("bad request answered %q", bad.Error)
	}

	if health := healthOf(t, addr); !regexp.MustCompile(`"index":\{"calls":(4\d|5\d),"version":\d+,"clients":1,"windows":\d+,"checked":\d+\}`).MatchString(health) {
		t.Fatalf("/healthz of a hub with an index and one view client: %s", health)
	}

	// A subscriber of the whole feed still gets every call and its stats.
	full, _ := feedtest.RunClient(t, feedtest.FastClient("ws://"+addr+"/feed"))
	calls, withStats := feedtest.CallSet{}, map[string]bool{}
	feedtest.WaitEvent(t, full, 10*time.Second, "every call with stats on the full feed", func(ev feed.Event) bool {
		if ev.Kind != feed.EventMessage {
			return false
		}
		calls.Apply(ev.Msg)
		if ev.Msg.Type == feed.TypeStats {
			withStats[ev.Msg.CallID] = true
		}
		return len(calls) >= 40 && len(withStats) >= 20
	})
}

func sevRank(s string) int {
	return map[string]int{"": 0, "info": 0, "warning": 1, "critical": 2}[s]
}

// TestHubWithoutIndexRefusesViewClients: a plain hub tells a view client
// to run it with --index, and closes.
func TestHubWithoutIndexRefusesViewClients(t *testing.T) {
	_, addr, _ := startHubCLI(t, "--simulate", "2", "--seed", "1")
	v := dialView(t, addr)
	v.until(5*time.Second, "hello", nil, func(f *viewFrame) bool { return f.Type == feed.TypeHello })
	f := v.until(5*time.Second, "view.error", nil, func(f *viewFrame) bool { return true })
	if f.Type != feed.TypeViewError || f.Error != "this hub has no call index: run it with --index" {
		t.Fatalf("second frame %.200s, want view.error saying to run it with --index", f.raw)
	}
	v.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := v.conn.ReadMessage()
	if !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
		t.Fatalf("after the refusal: %v, want a close frame (policy violation)", err)
	}
}

// TestTeamHubHasIndexByDefault: a team hub keeps the index (from its own
// engine's diagnosis) without --index; its view clients get the team's
// welcome and book beside their windows, and no call stream.
func TestTeamHubHasIndexByDefault(t *testing.T) {
	logs, addr, _ := startHubCLI(t, "--team", "--state-dir", t.TempDir(), "--simulate", "20", "--speed", "8", "--seed", "5")
	// The line may follow the "serving" one that startHubCLI waits for.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), "call index on"); {
		if time.Now().After(deadline) {
			t.Fatalf("a team hub did not say its call index is on:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond) // polling the log, with a deadline
	}
	v := dialView(t, addr)
	v.until(5*time.Second, "team.welcome", nil, func(f *viewFrame) bool { return f.Type == feed.TypeTeamWelcome })
	v.ask(feed.ViewQuery{Limit: 5})
	sawAlerts := false
	v.until(15*time.Second, "a window of 20 calls and the team's book", func(f *viewFrame) {
		switch f.Type {
		case feed.TypeStats, feed.TypeSnapshot:
			t.Fatalf("a view client with no call open got %s", f.Type)
		case feed.TypeTeamAlerts:
			sawAlerts = true
		}
	}, func(f *viewFrame) bool {
		return sawAlerts && f.Type == feed.TypeViewWindow && f.Window.Total == 20 && len(f.Window.Rows) == 5
	})
}

// TestHubIndexWithToken: the index's own engine reads a hub that needs a
// token, and a view client presents it as any subscriber does.
func TestHubIndexWithToken(t *testing.T) {
	_, addr, _ := startHubCLI(t, "--simulate", "5", "--seed", "2", "--speed", "4", "--index", "--token", "s3cret")
	d := websocket.Dialer{Subprotocols: []string{feed.Subprotocol}, HandshakeTimeout: 5 * time.Second}
	if _, resp, err := d.Dial("ws://"+addr+"/feed?view=1", nil); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("a view client without the token: %v", err)
	}
	conn, _, err := d.Dial("ws://"+addr+"/feed?view=1&token=s3cret", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	v := &viewConn{t: t, conn: conn}
	v.ask(feed.ViewQuery{Limit: 10})
	v.until(15*time.Second, "a window of the 5 calls", nil, func(f *viewFrame) bool {
		return f.Type == feed.TypeViewWindow && f.Window.Total == 5 && len(f.Window.Rows) == 5
	})
}

// TestNATSHubHasIndexByDefault: a hub on the bus keeps the index without
// --index (its TUIs would otherwise take in the whole fleet), and
// --index=false turns it off.
func TestNATSHubHasIndexByDefault(t *testing.T) {
	s := bustest.StartServer(t, nil)
	_, addr, _ := startHubCLI(t, "--simulate", "3", "--seed", "1", "--speed", "4", "--nats", s.ClientURL(), "--hub-id", "east")
	v := dialView(t, addr)
	v.ask(feed.ViewQuery{Limit: 10})
	w := v.until(15*time.Second, "a window of east's 3 calls", nil, func(f *viewFrame) bool {
		return f.Type == feed.TypeViewWindow && f.Window.Total == 3 && len(f.Window.Rows) == 3
	}).Window
	if !strings.HasPrefix(w.Rows[0].Key, "east/") {
		t.Fatalf("row key %q, want the bus name east/...", w.Rows[0].Key)
	}
	_, off, _ := startHubCLI(t, "--simulate", "1", "--nats", s.ClientURL(), "--hub-id", "west", "--index=false")
	v = dialView(t, off)
	f := v.until(5*time.Second, "view.error", nil, func(f *viewFrame) bool { return f.Type == feed.TypeViewError })
	if f.Error != feed.NoIndexError {
		t.Fatalf("--index=false: %q", f.Error)
	}
}
