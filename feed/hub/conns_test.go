package hub_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// keepAlive opens a connection to addr, asks /healthz on it and leaves it
// open and idle, as a keep-alive client does.
func keepAlive(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("healthz on a fresh connection: %v", err)
	}
	resp.Body.Close()
	return c
}

// closedByHub waits up to 5 s for the hub to close c.
func closedByHub(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.ReadAll(c)
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout())
}

// subscribe dials the feed and reads hello and the snapshot.
func subscribe(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("subscriber locked out: %v %v", err, resp)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for _, want := range []string{`"hello"`, `"snapshot"`} {
		if _, b, err := conn.ReadMessage(); err != nil || !strings.Contains(string(b), want) {
			t.Fatalf("subscriber: want %s, got %s %v", want, b, err)
		}
	}
	return conn
}

func TestIdleKeepAliveConnectionIsClosed(t *testing.T) {
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{IdleTimeout: 100 * time.Millisecond})
	if c := keepAlive(t, th.Addr); !closedByHub(c) {
		t.Fatal("an idle keep-alive connection was still open after 5 s")
	}
}

// TestIdleConnectionsCannotLockSubscribersOut: 246 idle /healthz
// connections once locked every subscriber out at a 256-file limit. At
// the cap the oldest idle one is closed for a newcomer.
func TestIdleConnectionsCannotLockSubscribersOut(t *testing.T) {
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{MaxConns: 24, SubscriberReserve: 6})
	var idle []net.Conn
	for range 40 {
		idle = append(idle, keepAlive(t, th.Addr))
	}
	subscribe(t, th.URL())
	if !closedByHub(idle[0]) {
		t.Fatal("the oldest idle connection was not closed to make room")
	}
	st := th.Stats()
	if st.Shed < 40-18 || st.Subscribers != 1 {
		t.Fatalf("stats %+v: want about 23 connections shed and the subscriber in", st)
	}
	if !th.Logs.Contains("connection cap reached (24 connections") {
		t.Fatalf("the cap is not logged:\n%s", th.Logs)
	}
}

// TestSilentConnectionsCannotLockSubscribersOut: connections that never
// send a request are closed, oldest first, for a newcomer.
func TestSilentConnectionsCannotLockSubscribersOut(t *testing.T) {
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{MaxConns: 24, SubscriberReserve: 6})
	for range 40 {
		c, err := net.Dial("tcp", th.Addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	subscribe(t, th.URL())
}

// TestReserveIsForSubscribers: with every other connection busy, a
// subscriber still comes in on the reserve, a /healthz there is refused
// with 503, and beyond the cap a connection is closed at once.
func TestReserveIsForSubscribers(t *testing.T) {
	logs := &feedtest.LogBuf{}
	h := hub.New(hub.Config{MaxConns: 8, SubscriberReserve: 3, Logf: logs.Logf})
	release := make(chan struct{})
	var held sync.WaitGroup
	hold := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		held.Done()
		<-release // a request that takes its time: not idle, not silent
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Serve(ctx, ln, hub.Route{Pattern: "/hold", Handler: hold}); close(done) }()
	t.Cleanup(func() { close(release); cancel(); <-done })
	addr := ln.Addr().String()
	held.Add(5)
	for range 5 { // MaxConns - SubscriberReserve
		go http.Get("http://" + addr + "/hold")
	}
	held.Wait()

	url := "ws://" + addr + "/feed"
	subscribe(t, url)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz on the reserve: %v %v, want 503", err, resp)
	}
	resp.Body.Close()
	// The refused healthz's connection counts until the server has closed
	// it, a moment after its client read the answer: a subscriber dialing
	// in that moment is one over the cap. So these two try again for a
	// while (a real lock-out never lets them in); once both are in, the
	// healthz's connection is gone and the cap is full.
	for range 2 {
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if c, _, err := websocket.DefaultDialer.Dial(url, nil); err == nil {
				t.Cleanup(func() { c.Close() })
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				for _, want := range []string{`"hello"`, `"snapshot"`} {
					if _, b, err := c.ReadMessage(); err != nil || !strings.Contains(string(b), want) {
						t.Fatalf("subscriber: want %s, got %s %v", want, b, err)
					}
				}
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("subscriber locked out of the reserve after the healthz: %v", err)
			}
		}
	}
	if _, _, err := websocket.DefaultDialer.Dial(url, nil); err == nil {
		t.Fatal("a ninth connection got in at a cap of 8")
	}
	if st := h.Stats(); st.Subscribers != 3 || st.Refused < 2 {
		t.Fatalf("stats %+v: want 3 subscribers, the healthz and the ninth refused", st)
	}
}

// TestCapHoldsOverTLS: with Config.TLS the hub serves wss:// above its
// connection cap: idle TLS keep-alive connections are shed for a
// subscriber, who gets hello and the snapshot.
func TestCapHoldsOverTLS(t *testing.T) {
	certs := httptest.NewTLSServer(http.NotFoundHandler()) // for its certificate
	defer certs.Close()
	clientTLS := certs.Client().Transport.(*http.Transport).TLSClientConfig
	logs := &feedtest.LogBuf{}
	h := hub.New(hub.Config{TLS: certs.TLS.Clone(), MaxConns: 24, SubscriberReserve: 6, Logf: logs.Logf})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	addr := ln.Addr().String()
	for range 30 {
		c, err := tls.Dial("tcp", addr, clientTLS)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
			t.Fatalf("https healthz: %v", err)
		} else {
			resp.Body.Close()
		}
	}
	d := websocket.Dialer{TLSClientConfig: clientTLS}
	conn, _, err := d.Dial("wss://"+addr+"/feed", nil)
	if err != nil {
		t.Fatalf("wss subscriber locked out: %v\n%s", err, logs)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, b, err := conn.ReadMessage(); err != nil || !strings.Contains(string(b), `"hello"`) {
		t.Fatalf("wss: %s %v", b, err)
	}
	if st := h.Stats(); st.Shed < 30-18 || st.Subscribers != 1 {
		t.Fatalf("stats %+v: want the idle TLS connections shed and one subscriber", st)
	}
}
