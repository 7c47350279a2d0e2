package hub_test

import (
	"context"
	"github.com/calltop/calltop/feed/hub"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"

	"github.com/gorilla/websocket"
)

func TestLateJoinerGetsHelloThenOneSnapshot(t *testing.T) {
	hub := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{Name: "test-hub"})
	feedtest.PublishAll(t, hub, feedtest.CallStart("a", 1000, "p1", "p2"))
	feedtest.PublishAll(t, hub, feedtest.CallStart("b", 2000, "p3"))
	feedtest.PublishAll(t, hub, feedtest.CallStart("gone", 3000, "p4"))
	feedtest.PublishAll(t, hub, []feed.Message{
		{Type: feed.TypeParticipantLeave, TS: 3500, CallID: "a", ParticipantID: "p2"},
		{Type: feed.TypeCallEnd, TS: 4000, CallID: "gone"},
	})

	c, _ := feedtest.RunClient(t, feedtest.FastClient(hub.URL()))
	var msgs []*feed.Message
	for len(msgs) < 2 {
		ev := feedtest.WaitEvent(t, c, 3*time.Second, "hello and snapshot", func(ev feed.Event) bool { return ev.Kind == feed.EventMessage })
		msgs = append(msgs, ev.Msg)
	}
	if msgs[0].Type != feed.TypeHello || msgs[0].Server != "test-hub" || msgs[0].Version != feed.ProtocolVersion {
		t.Fatalf("first message %+v, want hello from test-hub", msgs[0])
	}
	snap := msgs[1]
	if snap.Type != feed.TypeSnapshot || len(snap.Calls) != 2 {
		t.Fatalf("second message: %s with %d calls, want a snapshot of 2 ongoing calls", snap.Type, len(snap.Calls))
	}
	a, b := snap.Calls[0], snap.Calls[1]
	if a.ID != "a" || b.ID != "b" || a.Room != "room-a" || a.Tags["region"] != "eu" {
		t.Fatalf("snapshot calls %+v", snap.Calls)
	}
	if len(a.Participants) != 1 || a.Participants[0].ID != "p1" || a.Participants[0].Name != "Name p1" {
		t.Fatalf("call a participants %+v, want only p1 (p2 left)", a.Participants)
	}
	if snap.TS != 4000 {
		t.Fatalf("snapshot ts %v, want the last feed time 4000", snap.TS)
	}

	// Then the live stream.
	if err := hub.Publish(feedtest.StatsMsg("a", "p1", 5000, 1234)); err != nil {
		t.Fatal(err)
	}
	ev := feedtest.WaitEvent(t, c, 3*time.Second, "live stats", feedtest.IsType(feed.TypeStats))
	if ev.Msg.Stats[0].BytesReceived != 1234 || string(ev.Frames[0]) == "" {
		t.Fatalf("stats event %+v", ev)
	}
}

func TestBigSnapshotIsSplitAndReassembled(t *testing.T) {
	hub := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{SnapshotPartBytes: 1024})
	const calls = 60
	for i := 0; i < calls; i++ {
		feedtest.PublishAll(t, hub, feedtest.CallStart(string(rune('A'+i%26))+strings.Repeat("x", i), float64(i), "p1", "p2", "p3"))
	}
	c, _ := feedtest.RunClient(t, feedtest.FastClient(hub.URL()))
	ev := feedtest.WaitEvent(t, c, 3*time.Second, "snapshot", feedtest.IsType(feed.TypeSnapshot))
	if len(ev.Msg.Calls) != calls {
		t.Fatalf("reassembled snapshot has %d calls, want %d", len(ev.Msg.Calls), calls)
	}
	if len(ev.Frames) < 5 {
		t.Fatalf("snapshot came in %d frames; with 1 KiB parts it should be split", len(ev.Frames))
	}
	for i, f := range ev.Frames {
		if len(f) > 2048 {
			t.Fatalf("part %d is %d bytes, far above the 1 KiB aim", i+1, len(f))
		}
	}
	if ev.Msg.Part != 0 || ev.Msg.Parts != 0 {
		t.Fatalf("reassembled snapshot still numbered %d/%d", ev.Msg.Part, ev.Msg.Parts)
	}
}

func TestSlowSubscriberIsDroppedFastOneGetsEverything(t *testing.T) {
	hub := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{QueueBytes: 100 << 10, WriteTimeout: 5 * time.Second})
	// The slow subscriber connects with a small receive buffer and then
	// never reads.
	d := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			conn.(*net.TCPConn).SetReadBuffer(8 << 10)
		}
		return conn, err
	}}
	slow, _, err := d.Dial(hub.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()

	c, _ := feedtest.RunClient(t, feedtest.FastClient(hub.URL()))
	feedtest.WaitEvent(t, c, 3*time.Second, "snapshot", feedtest.IsType(feed.TypeSnapshot))

	var got atomic.Int64
	const most = 30000 // ~45 MB: far more than any socket buffers hold
	done := make(chan []float64)
	go func() {
		var seen []float64
		for ev := range c.Events() {
			if ev.Kind == feed.EventMessage && ev.Msg.Type == feed.TypeCallEnd {
				break // the end marker
			}
			if ev.Kind == feed.EventMessage && ev.Msg.Type == feed.TypeStats {
				seen = append(seen, ev.Msg.TS)
				got.Add(1)
			}
		}
		done <- seen
	}()
	pad := strings.Repeat("x", 1500)
	start := time.Now()
	var slowest time.Duration
	dropAt, n := 0, 0
	for ; n < most && (dropAt == 0 || n < dropAt+500); n++ {
		for wait := time.Now(); int64(n)-got.Load() > 32; { // keep pace with the fast reader only
			if time.Since(wait) > 5*time.Second {
				t.Fatalf("fast subscriber stuck at %d of %d frames; status %+v; hub log %q", got.Load(), n, c.Status(), hub.Logs.String())
			}
			time.Sleep(50 * time.Microsecond)
		}
		m := feedtest.StatsMsg("a", "p1", float64(n), float64(n))
		m.Stats[0].TrackIdentifier = pad
		t0 := time.Now()
		if err := hub.Publish(m); err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, time.Since(t0))
		if dropAt == 0 && hub.Stats().Dropped > 0 {
			dropAt = n
		}
	}
	if err := hub.Publish(&feed.Message{Type: feed.TypeCallEnd, CallID: "end"}); err != nil {
		t.Fatal(err)
	}
	var seen []float64
	select {
	case seen = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("fast subscriber got %d of %d frames", got.Load(), n)
	}
	if len(seen) != n {
		t.Fatalf("fast subscriber got %d of %d frames", len(seen), n)
	}
	for i, ts := range seen {
		if ts != float64(i) {
			t.Fatalf("fast subscriber frame %d has ts %v: lost or reordered", i, ts)
		}
	}
	st := hub.Stats()
	if st.Dropped != 1 || st.Subscribers != 1 {
		t.Fatalf("hub stats %+v: want the slow subscriber dropped and the fast one kept", st)
	}
	if !hub.Logs.Contains("too slow") {
		t.Fatalf("no logged reason for dropping the slow subscriber: %v", hub.Logs.String())
	}
	t.Logf("%d frames in %v; slowest Publish %v; slow one dropped at frame %d", n, time.Since(start), slowest, dropAt)
}

func TestTokenRefusedAndAccepted(t *testing.T) {
	hub := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{Token: "s3cret"})

	// No token: refused with 401, and the client gives up (failed).
	c, stop := feedtest.RunClient(t, feedtest.FastClient(hub.URL()))
	ev := feedtest.WaitEvent(t, c, 3*time.Second, "failed state", feedtest.IsState(feed.StateFailed))
	if !strings.Contains(ev.Status.Reason, "401") {
		t.Fatalf("failed reason %q does not name the 401", ev.Status.Reason)
	}
	if err := stop(); err == nil {
		t.Fatal("Run returned nil after the token was refused")
	}

	// A wrong token in the query: 401.
	_, resp, err := websocket.DefaultDialer.Dial(hub.URL()+"?token=wrong", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong token: err %v resp %v, want 401", err, resp)
	}
	// The right token in the query (browsers): accepted.
	conn, _, err := websocket.DefaultDialer.Dial(hub.URL()+"?token=s3cret", nil)
	if err != nil {
		t.Fatalf("token in query refused: %v", err)
	}
	conn.Close()

	// The right token as a Bearer header (feed.Client): live.
	cfg := feedtest.FastClient(hub.URL())
	cfg.Token = "s3cret"
	c2, _ := feedtest.RunClient(t, cfg)
	feedtest.WaitEvent(t, c2, 3*time.Second, "hello", feedtest.IsType(feed.TypeHello))
}

func TestCheckListenRefusesOpenAddressWithoutToken(t *testing.T) {
	cases := []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:7070", "", true},
		{"[::1]:7070", "", true},
		{"localhost:7070", "", true},
		{"0.0.0.0:7070", "", false},
		{":7070", "", false},
		{"192.168.1.10:7070", "", false},
		{"feed.example.com:7070", "", false},
		{"0.0.0.0:7070", "t", true},
		{"nonsense", "t", false},
	}
	for _, tc := range cases {
		err := hub.CheckListen(tc.addr, tc.token)
		if (err == nil) != tc.ok {
			t.Errorf("CheckListen(%q, %q) = %v, want ok=%v", tc.addr, tc.token, err, tc.ok)
		}
		if err != nil && tc.addr != "nonsense" && !strings.Contains(err.Error(), "CALLTOP_TOKEN") {
			t.Errorf("refusal %q does not say how to fix it", err)
		}
	}
}

func TestHealthz(t *testing.T) {
	hub := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	feedtest.PublishAll(t, hub, feedtest.CallStart("a", 1, "p"))
	resp, err := http.Get("http://" + hub.Addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body [256]byte
	n, _ := resp.Body.Read(body[:])
	if resp.StatusCode != 200 || !strings.Contains(string(body[:n]), `"calls":1`) {
		t.Fatalf("healthz %d %s", resp.StatusCode, body[:n])
	}
}

func TestPublishFrameKeepsBytesAndTracksCalls(t *testing.T) {
	hub := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	c, _ := feedtest.RunClient(t, feedtest.FastClient(hub.URL()))
	feedtest.WaitEvent(t, c, 3*time.Second, "snapshot", feedtest.IsType(feed.TypeSnapshot))
	frame := []byte(`{"type":"call.start", "ts":5,"call":{"id":"x","futureField":[1,2]},"extra":true}`)
	if err := hub.PublishFrame(frame); err != nil {
		t.Fatal(err)
	}
	ev := feedtest.WaitEvent(t, c, 3*time.Second, "call.start", feedtest.IsType(feed.TypeCallStart))
	if string(ev.Frames[0]) != string(frame) {
		t.Fatalf("frame changed on the way:\n got %s\nwant %s", ev.Frames[0], frame)
	}
	if hub.Stats().Calls != 1 {
		t.Fatalf("hub tracks %d calls after a raw call.start", hub.Stats().Calls)
	}
	if err := hub.PublishFrame([]byte("not json")); err == nil {
		t.Fatal("PublishFrame accepted a frame that is not JSON")
	}
}

func TestListenerLeftFree(t *testing.T) {
	hub := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	addr := hub.Addr
	hub.Stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("port not released after shutdown: %v", err)
	}
	ln.Close()
}

func TestFramesOfEveryLengthArriveWhole(t *testing.T) {
	hub := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	conn, _, err := websocket.DefaultDialer.Dial(hub.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, want := range []string{feed.TypeHello, feed.TypeSnapshot} {
		if _, b, err := conn.ReadMessage(); err != nil || !strings.Contains(string(b), `"`+want+`"`) {
			t.Fatalf("read %q, %v; want %s", b, err, want)
		}
	}
	// Lengths on both sides of the 7-bit, 16-bit and 64-bit length
	// encodings, published back to back so that they share writes.
	var sent []string
	for _, n := range []int{0, 1, 124, 125, 126, 127, 65534, 65535, 65536, 300000, 3} {
		f := `{"type":"x.pad","pad":"` + strings.Repeat("a", n) + `"}`
		if err := hub.PublishFrame([]byte(f)); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, f)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for i, want := range sent {
		typ, got, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if typ != websocket.TextMessage || string(got) != want {
			t.Fatalf("message %d: type %d, %d bytes; want text of %d bytes", i, typ, len(got), len(want))
		}
	}
}

func TestIdleSubscriberKeptAlive(t *testing.T) {
	// No frames at all after the snapshot: the client's pings, answered
	// by the hub, are what keeps it from redialing. In virtual time over
	// the in-memory network: a busy machine cannot delay a pong.
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		hub := mem.StartHub(t, "127.0.0.1:0", hub.Config{})
		cfg := feedtest.FastClient(hub.URL())
		cfg.NetDialContext = mem.DialContext
		cfg.PingInterval = 30 * time.Millisecond
		cfg.DeadAfter = 150 * time.Millisecond
		cfg.StallAfter = time.Minute
		c, stop := feedtest.RunClient(t, cfg)
		feedtest.WaitEvent(t, c, 3*time.Second, "snapshot", feedtest.IsType(feed.TypeSnapshot))
		time.Sleep(time.Second)
		st := c.Status()
		if st.State != feed.StateLive || st.Connects != 1 {
			t.Fatalf("after 1 s idle: status %+v; want live on its first connection", st)
		}
		stop()
		synctest.Wait() // the hub has noticed the close
		if n := hub.Stats().Subscribers; n > 0 {
			t.Fatalf("the hub still counts %d subscribers after the client left", n)
		}
		if !hub.Logs.Contains("subscriber closed the connection") {
			t.Fatalf("hub log %q; want the client's close noticed", hub.Logs.String())
		}
	})
}
