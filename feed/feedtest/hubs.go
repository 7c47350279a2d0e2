package feedtest

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/hub"
)

// TestHub is a Hub served on a loopback listener, real or in memory.
type TestHub struct {
	*hub.Hub
	Addr   string
	cancel context.CancelFunc
	done   chan error
	Logs   *LogBuf
}

// LogBuf collects a hub's log lines.
type LogBuf struct {
	mu    sync.Mutex
	lines []string
}

func (l *LogBuf) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *LogBuf) Contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func (l *LogBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// StartHub serves a new hub on Addr ("127.0.0.1:0" for any port).
func StartHub(t testing.TB, Addr string, cfg hub.Config) *TestHub {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port of a hub just stopped may linger
		if ln, err = net.Listen("tcp", Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	return ServeHub(t, ln, cfg)
}

// StartHub serves a new hub on addr of the in-memory network.
func (n *MemNet) StartHub(t testing.TB, addr string, cfg hub.Config) *TestHub {
	t.Helper()
	ln, err := n.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	return ServeHub(t, ln, cfg)
}

// ServeHub serves a new hub on ln until the test ends (or Stop).
func ServeHub(t testing.TB, ln net.Listener, cfg hub.Config) *TestHub {
	Logs := &LogBuf{}
	if cfg.Logf == nil {
		cfg.Logf = Logs.Logf
	}
	h := hub.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	th := &TestHub{Hub: h, Addr: ln.Addr().String(), cancel: cancel, done: make(chan error, 1), Logs: Logs}
	go func() { th.done <- h.Serve(ctx, ln) }()
	t.Cleanup(th.Stop)
	return th
}

func (th *TestHub) URL() string { return "ws://" + th.Addr + "/feed" }

// stop shuts the hub down (idempotent).
func (th *TestHub) Stop() {
	if th.cancel == nil {
		return
	}
	th.cancel()
	<-th.done
	th.cancel = nil
}

// FastClient is a client configuration with test-sized durations.
func FastClient(urls ...string) client.Config {
	return client.Config{
		URLs: urls, DialTimeout: 3 * time.Second,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		PingInterval: time.Second, StallAfter: 2 * time.Second,
	}
}

// RunClient starts a client; the returned stop ends it and waits.
func RunClient(t testing.TB, cfg client.Config) (*client.Client, func() error) {
	t.Helper()
	c, err := client.New(cfg)
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

// CallSet is what a consumer keeps: the ongoing calls, replaced by every
// snapshot.
type CallSet map[string]bool

func (cs CallSet) Apply(m *feed.Message) {
	switch m.Type {
	case feed.TypeSnapshot:
		clear(cs)
		for _, c := range m.Calls {
			cs[c.ID] = true
		}
	case feed.TypeCallStart:
		cs[m.Call.ID] = true
	case feed.TypeCallEnd:
		delete(cs, m.CallID)
	}
}

func (cs CallSet) String() string {
	var ids []string
	for id := range cs {
		ids = append(ids, id)
	}
	return fmt.Sprint(ids)
}

// WaitEvent reads events until match returns true, failing after d.
func WaitEvent(t testing.TB, c *client.Client, d time.Duration, what string, match func(feed.Event) bool) feed.Event {
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

func IsType(typ string) func(feed.Event) bool {
	return func(ev feed.Event) bool { return ev.Kind == feed.EventMessage && ev.Msg.Type == typ }
}

func IsState(s feed.ConnState) func(feed.Event) bool {
	return func(ev feed.Event) bool { return ev.Kind == feed.EventState && ev.Status.State == s }
}

func CallStart(id string, start float64, participants ...string) []feed.Message {
	msgs := []feed.Message{{Type: feed.TypeCallStart, TS: start, Call: &feed.Call{ID: id, Room: "room-" + id, Start: start, Tags: map[string]string{"region": "eu"}}}}
	for _, p := range participants {
		msgs = append(msgs, feed.Message{Type: feed.TypeParticipantJoin, TS: start, CallID: id,
			Participant: &feed.Participant{ID: p, Name: "Name " + p, Joined: start}})
	}
	return msgs
}

func PublishAll(t testing.TB, p hub.Publisher, msgs []feed.Message) {
	t.Helper()
	for i := range msgs {
		if err := p.Publish(&msgs[i]); err != nil {
			t.Fatal(err)
		}
	}
}

func StatsMsg(callID, pID string, ts float64, bytes float64) *feed.Message {
	return &feed.Message{Type: feed.TypeStats, TS: ts, CallID: callID, ParticipantID: pID, ConnectionID: "PC_0",
		Stats: []feed.Stat{{ID: "IT01A1", Type: feed.StatInboundRTP, Timestamp: ts, SSRC: 1, Kind: "audio", BytesReceived: bytes, PacketsReceived: bytes / 100}}}
}
