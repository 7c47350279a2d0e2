package ingest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// harness is a real hub with the ingest on a loopback port, and a feed
// subscriber reading what the hub publishes.
type harness struct {
	t    *testing.T
	addr string
	ing  *Server
	logs *logBuf
	msgs chan feed.Message
	// netDial dials the in-memory network (nil: loopback TCP).
	netDial func(ctx context.Context, network, addr string) (net.Conn, error)
}

type logBuf struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuf) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// newHarness serves a hub with an ingest configured by cfg (its Logf is
// the harness's) on loopback and subscribes to its feed.
func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	return startHarness(t, cfg, nil)
}

// newVirtualHarness is newHarness on an in-memory network, for a test
// that runs in virtual time (in a testing/synctest bubble).
func newVirtualHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	// The bubble's clock starts at 2000-01-01 00:00 UTC, a data time the
	// dump reader refuses as implausible (feed/dump usableTS): start a day on.
	time.Sleep(24 * time.Hour)
	return startHarness(t, cfg, feedtest.NewMemNet())
}

// startHarness is newHarness on mem, or on loopback when mem is nil.
func startHarness(t *testing.T, cfg Config, mem *feedtest.MemNet) *harness {
	t.Helper()
	h := &harness{t: t, logs: &logBuf{}, msgs: make(chan feed.Message, 10000)}
	cfg.Logf = h.logs.Logf
	feedHub := hub.New(hub.Config{Logf: h.logs.Logf})
	h.ing = New(feedHub, cfg)
	listen := net.Listen
	if mem != nil {
		listen = func(_, addr string) (net.Listener, error) { return mem.Listen(addr) }
		h.netDial = mem.DialContext
	}
	ln, err := listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { feedHub.Serve(ctx, ln, hub.Route{Pattern: "/rtcstats/", Handler: h.ing}) })
	wg.Go(func() { h.ing.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })

	sub, _, err := (&websocket.Dialer{NetDialContext: h.netDial}).Dial("ws://"+h.addr+"/feed", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close() })
	if _, hello, err := sub.ReadMessage(); err != nil || !strings.Contains(string(hello), `"hello"`) {
		t.Fatalf("feed: want hello first, got %s %v", hello, err)
	}
	go func() {
		for {
			_, data, err := sub.ReadMessage()
			if err != nil {
				return
			}
			var m feed.Message
			if feed.Decode(data, &m) == nil && m.Type != feed.TypeHello && m.Type != feed.TypeSnapshot {
				h.msgs <- m
			}
		}
	}()
	return h
}

// next returns the next feed message of type typ, skipping others, or
// fails after 5 s.
func (h *harness) next(typ string) feed.Message {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-h.msgs:
			if m.Type == typ {
				return m
			}
		case <-deadline:
			h.t.Fatalf("no %s message on the feed within 5 s; hub log:\n%s", typ, h.logs)
		}
	}
}

// quiet checks no message of type typ comes within d.
func (h *harness) quiet(typ string, d time.Duration) {
	h.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case m := <-h.msgs:
			if m.Type == typ {
				h.t.Fatalf("unexpected %s: %+v", typ, m)
			}
		case <-deadline:
			return
		}
	}
}

// dial connects to /rtcstats/<path> with the subprotocols given.
func (h *harness) dial(path string, protocols ...string) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{Subprotocols: protocols, NetDialContext: h.netDial}
	return d.Dial("ws://"+h.addr+"/rtcstats/"+path, nil)
}

// jitsi is a Jitsi rtcstats client session.
type jitsi struct {
	t    *testing.T
	conn *websocket.Conn
	id   string
	seq  int
	sn   string // the server's first message
}

// connectJitsi opens session id in meeting as the Jitsi client does and
// reads the server's sequence-number message.
func (h *harness) connectJitsi(meeting, id string, reconnect bool) *jitsi {
	h.t.Helper()
	conn, resp, err := h.dial(fmt.Sprintf("%s?statsSessionId=%s&isReconnect=%v", meeting, id, reconnect), "3.1_STANDARD")
	if err != nil {
		h.t.Fatalf("dial: %v (%v); log:\n%s", err, resp, h.logs)
	}
	h.t.Cleanup(func() { conn.Close() })
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, sn, err := conn.ReadMessage()
	if err != nil {
		h.t.Fatalf("no sequence number message: %v", err)
	}
	conn.SetReadDeadline(time.Time{})
	return &jitsi{t: h.t, conn: conn, id: id, sn: string(sn)}
}

// entry sends one stats-entry line [method, pcId, value, ts, seq] with the
// next sequence number; value is JSON.
func (j *jitsi) entry(method, pc, value string, ts float64) {
	j.t.Helper()
	j.seq++
	j.sendSeq(method, pc, value, ts, j.seq)
}

// sendSeq sends a stats-entry with an explicit sequence number.
func (j *jitsi) sendSeq(method, pc, value string, ts float64, seq int) {
	j.t.Helper()
	pcJSON := "null"
	if pc != "" {
		pcJSON = `"` + pc + `"`
	}
	line := fmt.Sprintf(`[%q,%s,%s,%.0f,%d]`, method, pcJSON, value, ts, seq)
	typ, data := "stats-entry", quoteJSON(line)
	if method == "identity" {
		typ, data = "identity", line
	}
	msg := fmt.Sprintf(`{"statsSessionId":%q,"type":%q,"data":%s}`, j.id, typ, data)
	if err := j.conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		j.t.Fatalf("send: %v", err)
	}
}

func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// closeWith closes the connection with a close code.
func (j *jitsi) closeWith(code int) {
	j.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
	j.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		if _, _, err := j.conn.ReadMessage(); err != nil {
			return
		}
	}
}

// nowMs is the current time in ms since the epoch.
func nowMs() float64 { return float64(time.Now().UnixMilli()) }

// getstats is a first full getstats report of one audio stream.
func getstats(ts float64, packets int) string {
	return fmt.Sprintf(`{"ib":{"type":"inbound-rtp","kind":"audio","ssrc":11,"packetsReceived":%d,"packetsLost":0,"bytesReceived":%d,"jitter":0.002,"timestamp":%.0f},`+
		`"cp":{"type":"candidate-pair","state":"succeeded","nominated":true,"currentRoundTripTime":0.05,"timestamp":%.0f}}`, packets, packets*100, ts, ts)
}
