package feed

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testHub is a Hub served on a real loopback listener.
type testHub struct {
	*Hub
	addr   string
	cancel context.CancelFunc
	done   chan error
	logs   *logBuf
}

// logBuf collects a hub's log lines.
type logBuf struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuf) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logBuf) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// startHub serves a new hub on addr ("127.0.0.1:0" for any port).
func startHub(t *testing.T, addr string, cfg HubConfig) *testHub {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port of a hub just stopped may linger
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuf{}
	if cfg.Logf == nil {
		cfg.Logf = logs.logf
	}
	h := NewHub(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	th := &testHub{Hub: h, addr: ln.Addr().String(), cancel: cancel, done: make(chan error, 1), logs: logs}
	go func() { th.done <- h.Serve(ctx, ln) }()
	t.Cleanup(th.stop)
	return th
}

func (th *testHub) url() string { return "ws://" + th.addr + "/feed" }

// stop shuts the hub down (idempotent).
func (th *testHub) stop() {
	if th.cancel == nil {
		return
	}
	th.cancel()
	<-th.done
	th.cancel = nil
}

// fastClient is a client configuration with test-sized durations.
func fastClient(urls ...string) ClientConfig {
	return ClientConfig{
		URLs: urls, DialTimeout: 3 * time.Second,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		PingInterval: time.Second, StallAfter: 2 * time.Second,
	}
}

// runClient starts a client; the returned stop ends it and waits.
func runClient(t *testing.T, cfg ClientConfig) (*Client, func() error) {
	t.Helper()
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- c.Run(ctx) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			for range c.Events() { // drain so Run can finish
			}
			runErr = <-errc
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return c, stop
}

// callSet is what a consumer keeps: the ongoing calls, replaced by every
// snapshot.
type callSet map[string]bool

func (cs callSet) apply(m *Message) {
	switch m.Type {
	case TypeSnapshot:
		clear(cs)
		for _, c := range m.Calls {
			cs[c.ID] = true
		}
	case TypeCallStart:
		cs[m.Call.ID] = true
	case TypeCallEnd:
		delete(cs, m.CallID)
	}
}

func (cs callSet) String() string {
	var ids []string
	for id := range cs {
		ids = append(ids, id)
	}
	return fmt.Sprint(ids)
}

// waitEvent reads events until match returns true, failing after d.
func waitEvent(t *testing.T, c *Client, d time.Duration, what string, match func(Event) bool) Event {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-c.Events():
			if !ok {
				t.Fatalf("events closed while waiting for %s (status %+v)", what, c.Status())
			}
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s within %v (status %+v)", what, d, c.Status())
		}
	}
}

func isType(typ string) func(Event) bool {
	return func(ev Event) bool { return ev.Kind == EventMessage && ev.Msg.Type == typ }
}

func isState(s ConnState) func(Event) bool {
	return func(ev Event) bool { return ev.Kind == EventState && ev.Status.State == s }
}

func callStart(id string, start float64, participants ...string) []Message {
	msgs := []Message{{Type: TypeCallStart, TS: start, Call: &Call{ID: id, Room: "room-" + id, Start: start, Tags: map[string]string{"region": "eu"}}}}
	for _, p := range participants {
		msgs = append(msgs, Message{Type: TypeParticipantJoin, TS: start, CallID: id,
			Participant: &Participant{ID: p, Name: "Name " + p, Joined: start}})
	}
	return msgs
}

func publishAll(t *testing.T, p Publisher, msgs []Message) {
	t.Helper()
	for i := range msgs {
		if err := p.Publish(&msgs[i]); err != nil {
			t.Fatal(err)
		}
	}
}

func statsMsg(callID, pID string, ts float64, bytes float64) *Message {
	return &Message{Type: TypeStats, TS: ts, CallID: callID, ParticipantID: pID, ConnectionID: "PC_0",
		Stats: []Stat{{ID: "IT01A1", Type: StatInboundRTP, Timestamp: ts, SSRC: 1, Kind: "audio", BytesReceived: bytes, PacketsReceived: bytes / 100}}}
}
