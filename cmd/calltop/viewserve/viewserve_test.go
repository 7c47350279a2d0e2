package viewserve

import (
	"context"
	"encoding/json"
	"math"
	"net"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/hub"
)

func serve(t *testing.T) (*Server, string) {
	t.Helper()
	s := New(Config{Logf: t.Logf})
	h := hub.New(s.HubConfig(hub.Config{Logf: t.Logf}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { h.Serve(ctx, ln); done <- struct{}{} }()
	go func() { s.Run(ctx, h); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	return s, "ws://" + ln.Addr().String() + "/feed?view=1"
}

func call(id string, sev diagnose.Severity) *diagnose.CallSummary {
	return &diagnose.CallSummary{ID: id, Key: id, Severity: sev, Participants: 2, WorstMOS: 4.2,
		WorstLoss: math.NaN(), WorstRTTMs: math.NaN(), BitrateKbps: math.NaN()}
}

// window reads frames until a view.window.
func window(t *testing.T, c *websocket.Conn) feed.ViewWindow {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for a window: %v", err)
		}
		var w feed.ViewWindow
		if json.Unmarshal(b, &w) == nil && w.Type == feed.TypeViewWindow {
			return w
		}
	}
}

func dial(t *testing.T, url string, q feed.ViewQuery) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	b, _ := feed.EncodeView(feed.ViewRequest{Type: feed.TypeViewRequest, View: q})
	if err := c.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWindowsOnlyWhenRowsChange: a client gets a window at once, none
// when only the feed time moves, and one when a row changes; clients that
// leave are forgotten.
func TestWindowsOnlyWhenRowsChange(t *testing.T) {
	s, url := serve(t)
	t0 := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	a, b, c := call("a", diagnose.None), call("b", diagnose.Warning), call("c", diagnose.None)
	s.Sync(diagnose.Snapshot{FeedTime: t0, Calls: []*diagnose.CallSummary{a, b, c}})
	conn := dial(t, url, feed.ViewQuery{Limit: 10})
	w := window(t, conn)
	if w.Window.Seq != 1 || w.Window.Total != 3 || w.Window.Rows[0].Key != "b" || w.Window.Counts.Warning != 1 {
		t.Fatalf("first window %+v, want seq 1 with b (warning) first of 3", w.Window)
	}
	// The feed time moves on; nothing on screen changes.
	checked := s.Stats().Checked
	s.Sync(diagnose.Snapshot{FeedTime: t0.Add(time.Second), Calls: []*diagnose.CallSummary{a, b, c}})
	for deadline := time.Now().Add(5 * time.Second); s.Stats().Checked == checked; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the window was not worked out again after the feed time moved")
		}
	}
	// c turns critical: the window changes.
	c2 := call("c", diagnose.Critical)
	s.Sync(diagnose.Snapshot{FeedTime: t0.Add(2 * time.Second), Calls: []*diagnose.CallSummary{a, b, c2}})
	w = window(t, conn)
	if w.Window.Seq != 2 || w.Window.Rows[0].Key != "c" || w.Window.Counts.Critical != 1 {
		t.Fatalf("after c turned critical: %+v, want seq 2 (nothing sent for the time alone) with c first", w.Window)
	}
	if w.TS != float64(t0.Add(2*time.Second).UnixMilli()) {
		t.Fatalf("window ts %v, want the index's feed time", w.TS)
	}

	other := dial(t, url, feed.ViewQuery{Limit: 1, Offset: 2})
	if w := window(t, other); w.Window.Offset != 2 || len(w.Window.Rows) != 1 || w.Window.Rows[0].Key != "a" {
		t.Fatalf("the second client's window %+v, want a at offset 2", w.Window)
	} else if f := w.Window.For; f == nil || f.Offset != 2 || f.Limit != 1 {
		t.Fatalf("the second client's window answers %+v, want its request named (a window says which request it answers)", f)
	}
	if n := s.Stats().Clients; n != 2 {
		t.Fatalf("%d clients, want 2", n)
	}
	other.Close()
	for deadline := time.Now().Add(5 * time.Second); s.Stats().Clients != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a client that left is still counted: %d clients", s.Stats().Clients)
		}
	}
}
