package hub_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// viewFrames reads a view client's frames.
type viewFrames struct {
	t    *testing.T
	conn *websocket.Conn
}

func (v viewFrames) next() feed.Message {
	v.t.Helper()
	v.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := v.conn.ReadMessage()
	if err != nil {
		v.t.Fatalf("reading the view client's next frame: %v", err)
	}
	var m feed.Message
	if err := json.Unmarshal(b, &m); err != nil {
		v.t.Fatalf("frame %s: %v", b, err)
	}
	return m
}

// TestViewClientGetsOnlyItsOpenCall: a view client gets hello and no
// call stream; opening a call sends a snapshot of it alone, then only its
// frames; a snapshot published (a replay starting over) becomes that
// call's own snapshot; frames that are not about a call reach it.
func TestViewClientGetsOnlyItsOpenCall(t *testing.T) {
	ov := &feedtest.OpenViews{}
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{Views: ov})
	ov.H.Store(th.Hub)
	feedtest.PublishAll(t, th, feedtest.CallStart("a", 1000, "p1", "p2"))
	feedtest.PublishAll(t, th, feedtest.CallStart("b", 1000, "p3"))

	conn, _, err := websocket.DefaultDialer.Dial(th.URL()+"?view=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	v := viewFrames{t, conn}
	if m := v.next(); m.Type != feed.TypeHello {
		t.Fatalf("first frame %s, want hello", m.Type)
	}
	req, _ := feed.EncodeView(feed.ViewRequest{Type: feed.TypeViewRequest, View: feed.ViewQuery{Open: "a"}})
	conn.WriteMessage(websocket.TextMessage, req)
	if m := v.next(); m.Type != feed.TypeSnapshot || len(m.Calls) != 1 || m.Calls[0].ID != "a" || len(m.Calls[0].Participants) != 2 {
		t.Fatalf("after opening a: %s with %+v, want a snapshot of a alone with its 2 participants", m.Type, m.Calls)
	}
	th.Publish(feedtest.StatsMsg("b", "p3", 2000, 10))
	th.Publish(feedtest.StatsMsg("a", "p1", 2000, 20))
	th.PublishFrame([]byte(`{"type":"team.findings","findings":[]}`)) // every call's findings: not for a view client
	th.PublishFrame([]byte(`{"type":"team.alerts","alerts":[]}`))
	if m := v.next(); m.Type != feed.TypeStats || m.CallID != "a" {
		t.Fatalf("got %s of %q, want a's stats (b's are not its)", m.Type, m.CallID)
	}
	if m := v.next(); m.Type != "team.alerts" {
		t.Fatalf("got %s, want the frame about no call (and not the fleet's findings)", m.Type)
	}
	// A snapshot replaces every call: the client gets its call's part.
	th.Publish(&feed.Message{Type: feed.TypeSnapshot, TS: 3000, Calls: []feed.Call{
		{ID: "a", Room: "room-a2", Participants: []feed.Participant{{ID: "p9"}}}, {ID: "c"}}})
	if m := v.next(); m.Type != feed.TypeSnapshot || len(m.Calls) != 1 || m.Calls[0].Room != "room-a2" || m.Calls[0].Participants[0].ID != "p9" {
		t.Fatalf("after a published snapshot: %s with %+v, want a's new state alone", m.Type, m.Calls)
	}
	// Closing it: nothing more of a.
	req, _ = feed.EncodeView(feed.ViewRequest{Type: feed.TypeViewRequest, View: feed.ViewQuery{}})
	conn.WriteMessage(websocket.TextMessage, req)
	for deadline := time.Now().Add(5 * time.Second); ov.Requests.Load() < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the request closing the call was not handled")
		}
	}
	th.Publish(feedtest.StatsMsg("a", "p9", 4000, 30))
	th.PublishFrame([]byte(`{"type":"team.alerts","alerts":[]}`))
	if m := v.next(); m.Type != "team.alerts" {
		t.Fatalf("after closing a: got %s of %q, want nothing of a", m.Type, m.CallID)
	}
}
