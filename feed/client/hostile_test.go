package client_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// TestTokenInTheURLIsRedacted: a token given in a --feed URL never
// reaches the status (what the TUI, record and watch print).
func TestTokenInTheURLIsRedacted(t *testing.T) {
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{Token: "right"})
	c, stop := feedtest.RunClient(t, feedtest.FastClient(th.URL()+"?token=hunter2"))
	ev := feedtest.WaitEvent(t, c, 5*time.Second, "failed state", feedtest.IsState(feed.StateFailed))
	if err := stop(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Run returned %v: want the refusal, without the token", err)
	}
	for what, s := range map[string]string{"url": ev.Status.URL, "reason": ev.Status.Reason, "description": ev.Status.Describe(time.Now())} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("the status %s shows the token: %q", what, s)
		}
	}
	if !strings.Contains(ev.Status.Reason, "token=REDACTED") {
		t.Errorf("reason %q does not say which URL (redacted)", ev.Status.Reason)
	}
	if _, err := client.New(client.Config{URLs: []string{"ws://h:port/feed?token=hunter2"}}); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a URL that does not parse: %v, want an error without the token", err)
	}
}

// TestHubCloseReasonIsEscaped: a hub's close reason reaches the status
// (record prints it) with its control characters escaped.
func TestHubCloseReasonIsEscaped(t *testing.T) {
	const forged = "\x1b[31mred\r\ncalltop record: forged"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4000, forged), time.Now().Add(time.Second))
		conn.Close()
	}))
	defer srv.Close()
	c, _ := feedtest.RunClient(t, feedtest.FastClient("ws"+strings.TrimPrefix(srv.URL, "http")+"/feed"))
	ev := feedtest.WaitEvent(t, c, 5*time.Second, "reconnecting", feedtest.IsState(feed.StateReconnecting))
	if strings.ContainsAny(ev.Status.Reason, "\x1b\r\n") || !strings.Contains(ev.Status.Reason, `\x1b[31mred\r\ncalltop record`) {
		t.Fatalf("reason %q: want the hub's text escaped", ev.Status.Reason)
	}
}
