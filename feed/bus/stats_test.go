package bus

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/bus/bustest"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// TestAHubTakesTheOtherHubsStatsOnlyAsItsSubscribersWantThem: hub-a
// takes stats on demand (as team hubs do). With a view client that has
// hub-b's call-1 open it takes call-1's stats and not call-2's; a
// subscriber of the whole feed makes it take every call's, and when that
// subscriber leaves it goes back to the open call's.
func TestAHubTakesTheOtherHubsStatsOnlyAsItsSubscribersWantThem(t *testing.T) {
	s := bustest.StartServer(t, nil)
	changed := make(chan struct{}, 1)
	ov := &feedtest.OpenViews{}
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{Views: ov, DemandChanged: func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}})
	ov.H.Store(th.Hub)
	a, err := Connect(Config{URLs: []string{s.ClientURL()}, HubID: "hub-a", Heartbeat: 50 * time.Millisecond,
		Logf: th.Logs.Logf, StatsWanted: th.Hub.StatsDemand, StatsChanged: changed}, th.Hub)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	b := startBusHub(t, s.ClientURL(), "hub-b")
	ts := float64(time.Now().UnixMilli())
	startCall(t, b, "call-1", ts, "bo")
	startCall(t, b, "call-2", ts, "cy")
	waitFor(t, "hub-a to have hub-b's 2 calls", func() bool { return th.Hub.Stats().Calls == 2 })
	if got := a.Stats().StatsFor; got != "0 open calls" {
		t.Fatalf("hub-a with no subscriber takes the stats of %q, want 0 open calls", got)
	}

	conn, _, err := websocket.DefaultDialer.Dial(th.URL()+"?view=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req, _ := feed.EncodeView(feed.ViewRequest{Type: feed.TypeViewRequest, View: feed.ViewQuery{Open: "hub-b/call-1"}})
	conn.WriteMessage(websocket.TextMessage, req)
	waitFor(t, "hub-a to take call-1's stats", func() bool { return a.Stats().StatsFor == "1 open calls" })

	// The subscription reaches the server after a moment: until the view
	// client gets call-1's stats, hub-b keeps sending both calls'.
	stats := make(chan feed.Message, 64)
	go func() {
		for {
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, f, err := conn.ReadMessage()
			if err != nil {
				close(stats)
				return
			}
			var m feed.Message
			if json.Unmarshal(f, &m) == nil && m.Type == feed.TypeStats {
				stats <- m
			}
		}
	}()
	pub := func(call, who string, bytes float64) {
		t.Helper()
		if err := b.node.Publisher().Publish(feedtest.StatsMsg(call, who, ts+1000, bytes)); err != nil {
			t.Fatal(err)
		}
	}
	for got := false; !got; {
		pub("call-2", "cy", 1)
		pub("call-1", "bo", 1)
		select {
		case m, ok := <-stats:
			if !ok || m.CallID != "hub-b/call-1" {
				t.Fatalf("the view client with call-1 open got stats of %q (closed: %v)", m.CallID, !ok)
			}
			got = true
		case <-time.After(20 * time.Millisecond):
		}
	}
	drain(stats)
	// hub-b sends call-2's then call-1's: hub-a takes call-1's alone.
	before := a.Stats().Received
	for range 5 {
		pub("call-2", "cy", 2)
	}
	pub("call-1", "bo", 2)
	if m := <-stats; m.CallID != "hub-b/call-1" || m.Stats[0].BytesReceived != 2 {
		t.Fatalf("the view client got stats of %q (%v bytes), want call-1's last", m.CallID, m.Stats[0].BytesReceived)
	}
	// Its counter moves just after the frame went out; any call-2 frame
	// taken would have been counted before call-1's.
	waitFor(t, "hub-a to count call-1's stats", func() bool { return a.Stats().Received > before })
	time.Sleep(20 * time.Millisecond)
	if took := a.Stats().Received - before; took != 1 {
		t.Fatalf("hub-a took %d frames from the bus for 5 stats of call-2 and 1 of call-1, want only call-1's", took)
	}

	// A subscriber of the whole feed: every call's stats.
	full, stopFull := feedtest.RunClient(t, feedtest.FastClient(th.URL()))
	waitFor(t, "hub-a to take every call's stats", func() bool { return a.Stats().StatsFor == "every call" })
	feedtest.WaitEvent(t, full, 10*time.Second, "call-2's stats on hub-a's full feed", func(ev feed.Event) bool {
		if ev.Kind == feed.EventMessage && ev.Msg.Type == feed.TypeStats && ev.Msg.CallID == "hub-b/call-2" {
			return true
		}
		pub("call-2", "cy", 3)
		return false
	})
	stopFull()
	waitFor(t, "hub-a back to the open call's stats", func() bool { return a.Stats().StatsFor == "1 open calls" })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}

func drain(c chan feed.Message) {
	for {
		select {
		case <-c:
		case <-time.After(100 * time.Millisecond):
			return
		}
	}
}
