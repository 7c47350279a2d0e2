package client_test

import (
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

func TestSendReachesTheHubOnceHelloHasCome(t *testing.T) {
	got := make(chan string, 1)
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{Inbound: func(_ hub.Peer, frame []byte) { got <- string(frame) }})
	c, err := client.New(feedtest.FastClient(th.URL()))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Send([]byte(`{}`)); err == nil {
		t.Fatal("Send before Run: no error")
	}
	c, _ = feedtest.RunClient(t, feedtest.FastClient(th.URL()))
	feedtest.WaitEvent(t, c, 5*time.Second, "hello", feedtest.IsType(feed.TypeHello))
	if err := c.Send([]byte(`{"type":"team.command","id":"1"}`)); err != nil {
		t.Fatalf("Send once hello came: %v", err)
	}
	select {
	case f := <-got:
		if f != `{"type":"team.command","id":"1"}` {
			t.Fatalf("the hub got %q", f)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the hub never got the frame")
	}
}
