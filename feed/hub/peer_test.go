package hub_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// dialRaw opens a plain WebSocket to a hub, with token when set.
func dialRaw(t *testing.T, url, token string) *websocket.Conn {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	c, resp, err := websocket.DefaultDialer.Dial(url, h)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readType reads frames until one whose type is typ.
func readType(t *testing.T, c *websocket.Conn, typ string) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		if strings.Contains(string(b), `"type":"`+typ+`"`) {
			return b
		}
	}
}

func TestPlainHubAnswersACommandNotInTeamMode(t *testing.T) {
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	c := dialRaw(t, th.URL(), "")
	readType(t, c, feed.TypeSnapshot)
	c.WriteMessage(websocket.TextMessage, []byte(`{"type":"team.command","id":"x1","op":"ack","key":"k"}`))
	var r feed.TeamResult
	if err := feed.DecodeTeam(readType(t, c, feed.TypeTeamResult), feed.TypeTeamResult, &r); err != nil {
		t.Fatal(err)
	}
	if r.ID != "x1" || r.OK || r.Code != feed.CodeNotTeam || !strings.Contains(r.Error, "not in team mode") {
		t.Fatalf("answer %+v; want not-team for x1", r)
	}
}

func TestHooksSayWhoJoinedAndHearWhatTheySend(t *testing.T) {
	got := make(chan hub.Peer, 1)
	var th *feedtest.TestHub
	th = feedtest.StartHub(t, "127.0.0.1:0", hub.Config{
		Authenticate: func(r *http.Request) (hub.Peer, bool) {
			return hub.Peer{User: "dana", Role: "responder"}, hub.BearerToken(r) == "dana-token"
		},
		Joined: func(p hub.Peer) [][]byte { return [][]byte{[]byte(`{"type":"team.welcome","user":"` + p.User + `"}`)} },
		Inbound: func(p hub.Peer, frame []byte) {
			th.Hub.SendTo(p.ID, []byte(`{"type":"team.result","id":"echo","ok":true}`))
			got <- p
		},
	})
	if _, resp, err := websocket.DefaultDialer.Dial(th.URL(), nil); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %v, %v; want 401", err, resp)
	}
	c := dialRaw(t, th.URL(), "dana-token")
	if _, b, err := c.ReadMessage(); err != nil || !strings.Contains(string(b), `"hello"`) {
		t.Fatalf("first frame %s, %v; want hello", b, err)
	}
	if _, b, err := c.ReadMessage(); err != nil || !strings.Contains(string(b), `"user":"dana"`) {
		t.Fatalf("second frame %s, %v; want the joined frame before the snapshot", b, err)
	}
	c.WriteMessage(websocket.TextMessage, []byte(`{"type":"team.command","id":"1"}`))
	if p := <-got; p.User != "dana" || p.Role != "responder" || p.ID == 0 || p.Remote == "" {
		t.Fatalf("inbound from %+v", p)
	}
	readType(t, c, feed.TypeTeamResult)
}
