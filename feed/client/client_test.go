package client_test

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/hub"

	"github.com/calltop/calltop/feed/feedtest"
	"github.com/gorilla/websocket"
)

func TestReconnectAfterHubRestartDropsGhostCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		th := mem.StartHub(t, "127.0.0.1:0", hub.Config{})
		addr := th.Addr
		feedtest.PublishAll(t, th, feedtest.CallStart("a", 1, "p1"))
		feedtest.PublishAll(t, th, feedtest.CallStart("b", 2, "p2"))

		c, _ := feedtest.RunClient(t, memClient(mem, th.URL()))
		calls := feedtest.CallSet{}
		ev := feedtest.WaitEvent(t, c, 3*time.Second, "first snapshot", feedtest.IsType(feed.TypeSnapshot))
		calls.Apply(ev.Msg)
		if len(calls) != 2 {
			t.Fatalf("first snapshot holds %v", calls)
		}

		th.Stop() // SIGTERM-like: subscribers get a close frame
		ev = feedtest.WaitEvent(t, c, 3*time.Second, "reconnecting", feedtest.IsState(feed.StateReconnecting))
		if !strings.Contains(ev.Status.Reason, "hub shutting down") {
			t.Fatalf("reconnect reason %q does not carry the hub's close reason", ev.Status.Reason)
		}
		if ev.Status.NextAttempt.IsZero() {
			t.Fatal("reconnecting status has no next attempt time")
		}

		// The hub comes back on the same port; call a is gone, c is new.
		hub2 := mem.StartHub(t, addr, hub.Config{})
		feedtest.PublishAll(t, hub2, feedtest.CallStart("c", 3, "p3"))
		feedtest.WaitEvent(t, c, 5*time.Second, "live again", feedtest.IsState(feed.StateLive))
		ev = feedtest.WaitEvent(t, c, 3*time.Second, "second snapshot", feedtest.IsType(feed.TypeSnapshot))
		calls.Apply(ev.Msg)
		if len(calls) != 1 || !calls["c"] {
			t.Fatalf("after reconnect the consumer holds %v, want only c", calls)
		}
		if st := c.Status(); st.Connects != 2 || st.State != feed.StateLive {
			t.Fatalf("status %+v, want live after 2 connections", st)
		}
	})
}

func TestFailoverToSecondURL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		down := "ws://127.0.0.1:1/feed" // nothing listens there
		th := mem.StartHub(t, "127.0.0.1:0", hub.Config{Name: "second"})

		c, _ := feedtest.RunClient(t, memClient(mem, down, th.URL()))
		ev := feedtest.WaitEvent(t, c, 3*time.Second, "hello", feedtest.IsType(feed.TypeHello))
		if ev.Msg.Server != "second" {
			t.Fatalf("hello from %q", ev.Msg.Server)
		}
		if st := c.Status(); st.URL != th.URL() || st.State != feed.StateLive {
			t.Fatalf("status %+v, want live on the second URL", st)
		}
	})
}

func TestAllURLsDownKeepsRetryingWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		down := "ws://127.0.0.1:1/feed" // nothing listens there
		c, _ := feedtest.RunClient(t, memClient(mem, down))
		var waits []time.Duration
		for len(waits) < 5 {
			ev := feedtest.WaitEvent(t, c, 3*time.Second, "reconnecting", feedtest.IsState(feed.StateReconnecting))
			waits = append(waits, ev.Status.NextAttempt.Sub(ev.Status.Since))
			if !strings.Contains(ev.Status.Reason, "refused") {
				t.Fatalf("reason %q does not say the connection was refused", ev.Status.Reason)
			}
		}
		// MinBackoff 20 ms doubling to the 200 ms cap, half of it jitter.
		if waits[0] > 25*time.Millisecond || waits[4] < 100*time.Millisecond || waits[4] > 205*time.Millisecond {
			t.Fatalf("backoff waits %v: want about 10-20 ms growing to 100-200 ms", waits)
		}
	})
}

// memClient is a client configuration with test-sized durations that
// dials on mem.
func memClient(mem *feedtest.MemNet, urls ...string) client.Config {
	cfg := feedtest.FastClient(urls...)
	cfg.NetDialContext = mem.DialContext
	return cfg
}

// badHub is a WebSocket server on mem that sends frames of its own
// choosing.
func badHub(t *testing.T, mem *feedtest.MemNet, script func(conn *websocket.Conn, n int)) string {
	t.Helper()
	up := websocket.Upgrader{Subprotocols: []string{feed.Subprotocol}}
	var n atomic.Int32
	url := mem.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		script(conn, int(n.Add(1)))
		conn.Close()
	}))
	return "ws" + strings.TrimPrefix(url, "http") + "/feed"
}

func TestMalformedAndOversizeFramesAreSurvived(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		url := badHub(t, mem, func(conn *websocket.Conn, n int) {
			send := func(s string) { conn.WriteMessage(websocket.TextMessage, []byte(s)) }
			send(`{"type":"hello","version":1,"server":"bad"}`)
			if n > 1 {
				time.Sleep(time.Second) // second connection: stay up
				return
			}
			send(`this is not json`)
			send(`{"type":"stats","callId":"a"}`)
			conn.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
			send(`{"type":"from.the.future","x":1}`)
			send(`{"type":"call.start","call":{"id":"ok"}}`)
			send(`{"type":"call.start","call":{"id":"big","room":"` + strings.Repeat("r", feed.MaxFrameBytes) + `"}}`)
			time.Sleep(time.Second)
		})
		c, _ := feedtest.RunClient(t, memClient(mem, url))
		var reasons []string
		ev := feedtest.WaitEvent(t, c, 3*time.Second, "call.start ok", func(ev feed.Event) bool {
			if ev.Kind == feed.EventBadFrame {
				reasons = append(reasons, ev.Reason)
			}
			return ev.Kind == feed.EventMessage && ev.Msg.Type == feed.TypeCallStart
		})
		if ev.Msg.Call.ID != "ok" {
			t.Fatalf("call.start %+v", ev.Msg.Call)
		}
		want := []string{"not a calltop.v1 JSON object", "stats message without callId", "binary frame"}
		if len(reasons) != len(want) {
			t.Fatalf("bad frame reasons %q, want %d", reasons, len(want))
		}
		for i, w := range want {
			if !strings.Contains(reasons[i], w) {
				t.Errorf("bad frame %d reason %q, want it to say %q", i, reasons[i], w)
			}
		}
		// The oversize frame ends that connection; the client comes back.
		ev = feedtest.WaitEvent(t, c, 3*time.Second, "oversize frame", func(ev feed.Event) bool { return ev.Kind == feed.EventBadFrame })
		if !strings.Contains(ev.Reason, "limit") {
			t.Fatalf("oversize reason %q", ev.Reason)
		}
		feedtest.WaitEvent(t, c, 3*time.Second, "hello after reconnect", feedtest.IsType(feed.TypeHello))
		st := c.Status()
		if st.BadFrames != 4 || st.Unknown != 1 || st.Connects != 2 || !strings.Contains(st.LastBadReason, "limit") {
			t.Fatalf("status %+v: want 4 bad frames, 1 unknown, 2 connections", st)
		}
	})
}

func TestStallDetectedAndCleared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		url := badHub(t, mem, func(conn *websocket.Conn, n int) {
			conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","version":1}`))
			go func() { // answer pings while silent
				for {
					if _, _, err := conn.ReadMessage(); err != nil {
						return
					}
				}
			}()
			time.Sleep(400 * time.Millisecond)
			conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"call.end","callId":"x"}`))
			time.Sleep(300 * time.Millisecond)
		})
		cfg := memClient(mem, url)
		cfg.StallAfter = 150 * time.Millisecond
		cfg.PingInterval = 50 * time.Millisecond
		c, _ := feedtest.RunClient(t, cfg)
		hello := feedtest.WaitEvent(t, c, 3*time.Second, "hello", feedtest.IsType(feed.TypeHello))
		ev := feedtest.WaitEvent(t, c, 3*time.Second, "stalled", feedtest.IsState(feed.StateStalled))
		if !ev.Status.Since.Equal(hello.Recv) {
			t.Fatalf("stalled since %v, want the last frame's time %v", ev.Status.Since, hello.Recv)
		}
		if s := ev.Status.Describe(ev.Status.Since.Add(41 * time.Second)); s != "stalled for 41s" {
			t.Fatalf("Describe = %q", s)
		}
		// The frame that ends the stall and the state change back to live come
		// from two goroutines (the reader delivers, serve reports the state):
		// either may be first, both must come.
		live, ended := false, false
		feedtest.WaitEvent(t, c, 3*time.Second, "live again and the call.end that ended the stall", func(ev feed.Event) bool {
			live = live || feedtest.IsState(feed.StateLive)(ev)
			ended = ended || feedtest.IsType(feed.TypeCallEnd)(ev)
			return live && ended
		})
	})
}

func TestDeadConnectionIsRedialed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		// A server that never answers pings (it does not read) and sends nothing.
		url := badHub(t, mem, func(conn *websocket.Conn, n int) {
			if n == 1 {
				time.Sleep(time.Second)
				return
			}
			conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","version":1}`))
			time.Sleep(200 * time.Millisecond)
		})
		cfg := memClient(mem, url)
		cfg.PingInterval = 50 * time.Millisecond
		cfg.DeadAfter = 600 * time.Millisecond
		c, _ := feedtest.RunClient(t, cfg)
		ev := feedtest.WaitEvent(t, c, 3*time.Second, "reconnecting", feedtest.IsState(feed.StateReconnecting))
		if !strings.Contains(ev.Status.Reason, "timeout") {
			t.Fatalf("reason %q, want a read timeout", ev.Status.Reason)
		}
		feedtest.WaitEvent(t, c, 3*time.Second, "hello on the second connection", feedtest.IsType(feed.TypeHello))
	})
}

func TestNewClientRejectsBadConfig(t *testing.T) {
	for _, cfg := range []client.Config{
		{},
		{URLs: []string{"http://127.0.0.1/feed"}},
		{URLs: []string{"ws://127.0.0.1/feed"}, CAFile: "/nonexistent/ca.pem"},
	} {
		if _, err := client.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a bad config", cfg)
		}
	}
}

func TestWSSWithCAFile(t *testing.T) {
	th := hub.New(hub.Config{Name: "tls", Logf: func(string, ...any) {}})
	srv := httptest.NewUnstartedServer(th.Handler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	defer srv.Close()
	defer th.Close()
	url := "wss" + strings.TrimPrefix(srv.URL, "https") + "/feed"

	// Without the CA the certificate is not trusted: the client keeps retrying.
	cfg := feedtest.FastClient(url)
	cfg.DialTimeout = 5 * time.Second // TLS handshakes are slow under -race
	c, stop := feedtest.RunClient(t, cfg)
	feedtest.WaitEvent(t, c, 10*time.Second, "a retry naming the certificate", func(ev feed.Event) bool {
		return ev.Kind == feed.EventState && ev.Status.State == feed.StateReconnecting && strings.Contains(ev.Status.Reason, "certificate")
	})
	stop()

	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.CAFile = ca
	c2, _ := feedtest.RunClient(t, cfg)
	if ev := feedtest.WaitEvent(t, c2, 10*time.Second, "hello over TLS", feedtest.IsType(feed.TypeHello)); ev.Msg.Server != "tls" {
		t.Fatalf("hello %+v", ev.Msg)
	}
}

func TestSteadyFeedIsNotTakenForDead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		// Frames every 20 ms and no pongs (the client does not ping within the
		// test): the frames alone must keep a 600 ms dead-peer deadline away
		// (under the 1 s the reader may wait between deadline moves, so a
		// reader that only moved it every second would redial). In virtual
		// time a busy machine cannot stretch the 20 ms.
		th := mem.StartHub(t, "127.0.0.1:0", hub.Config{})
		cfg := memClient(mem, th.URL())
		cfg.PingInterval = time.Minute
		cfg.DeadAfter = 600 * time.Millisecond
		c, _ := feedtest.RunClient(t, cfg)
		feedtest.WaitEvent(t, c, 3*time.Second, "snapshot", feedtest.IsType(feed.TypeSnapshot))
		go func() {
			for range c.Events() { // keep reading
			}
		}()
		for i := 0; i < 120; i++ {
			if err := th.Publish(feedtest.StatsMsg("a", "p1", float64(i), float64(i))); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if st := c.Status(); st.Connects != 1 || st.State != feed.StateLive {
			t.Fatalf("after 2.4 s of frames every 20 ms: %+v; want live on the first connection", st)
		}
	})
}
