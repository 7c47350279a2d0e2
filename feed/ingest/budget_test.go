package ingest

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/hub"
)

// hostileLine is a getstats line whose report names objects new stats
// objects of fields fields each (ids prefixed with tag): every one is kept
// as delta-compression state.
func hostileLine(tag string, objects, fields int, ts float64, seq int) string {
	var b strings.Builder
	b.WriteString(`["getstats","PC_0",{`)
	for o := range objects {
		if o > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%s-%d":{"type":"inbound-rtp","kind":"audio","ssrc":%d`, tag, o, o+1)
		for f := range fields {
			fmt.Fprintf(&b, `,"f%d":%d`, f, f)
		}
		b.WriteByte('}')
	}
	fmt.Fprintf(&b, `},%.0f,%d]`, ts, seq)
	return b.String()
}

// sendLines opens session id at addr as the Jitsi client does, sends
// lines and, with leave, leaves the conference (the session is then kept
// as departed, for a reconnect).
func sendLines(t *testing.T, addr, id string, lines []string, leave bool) {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"3.1_STANDARD"}}
	conn, resp, err := d.Dial("ws://"+addr+"/rtcstats/room?statsSessionId="+id, nil)
	if err != nil {
		if resp != nil {
			return // refused: what a cap does
		}
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := conn.ReadMessage(); err != nil {
		return // closed by the hub
	}
	for _, line := range lines {
		msg := fmt.Sprintf(`{"statsSessionId":%q,"type":"stats-entry","data":%s}`, id, quoteJSON(line))
		if conn.WriteMessage(websocket.TextMessage, []byte(msg)) != nil {
			return
		}
	}
	// A keepalive is answered after every line before it was used.
	conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"keepalive"}`))
	for {
		if _, b, err := conn.ReadMessage(); err != nil || strings.Contains(string(b), `"sn"`) {
			break
		}
	}
	if leave {
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closeConferenceLeave, ""), time.Now().Add(time.Second))
	}
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestOneClientHoldsAtMostItsBudget: one client (one address) that grows
// one session's stats state without end, then opens 300 sessions with
// state and leaves each (departed sessions are kept for a reconnect),
// holds no more than ClientBytes of the hub's heap. Before the caps it
// held about 50 MB a second, and departed sessions outside any cap.
func TestOneClientHoldsAtMostItsBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("sends about 40 MB")
	}
	logs := &logBuf{}
	feedHub := hub.New(hub.Config{Logf: logs.Logf})
	ing := New(feedHub, Config{Logf: logs.Logf, Rate: 1e6, Burst: 1e6})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { feedHub.Serve(ctx, ln, hub.Route{Pattern: "/rtcstats/", Handler: ing}) })
	wg.Go(func() { ing.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	before := heapInUse()
	ts := nowMs()
	var grow []string
	for i := range 60 { // 60 lines of 40 new objects of 100 fields
		grow = append(grow, hostileLine(fmt.Sprintf("g%d", i), 40, 100, ts+float64(i)*1000, i+1))
	}
	sendLines(t, addr, "grower", grow, false)
	for s := range 300 {
		sendLines(t, addr, fmt.Sprintf("departed-%03d", s), []string{hostileLine("d", 20, 50, ts, 1)}, true)
	}
	for deadline := time.Now().Add(10 * time.Second); ing.Stats().Connections > 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("connections still open: %+v", ing.Stats())
		}
	}
	held := int64(heapInUse()) - int64(before)
	ing.mu.Lock()
	counted := ing.clients["127.0.0.1"]
	ing.mu.Unlock()
	t.Logf("the client holds %.1f MiB of heap, %.1f MiB by the hub's count; stats %+v", float64(held)/(1<<20), float64(counted)/(1<<20), ing.Stats())
	if held > DefaultClientBytes {
		t.Fatalf("one client holds %.1f MiB of the hub's heap, over its %d MiB budget", float64(held)/(1<<20), DefaultClientBytes>>20)
	}
}

// TestSessionOverItsBudgetIsEndedAndCounted: a session whose stats state
// outgrows SessionBytes leaves ("over its memory budget"), its connection
// is closed with 1008, the ending is counted and logged, and the other
// session of its call carries on.
func TestSessionOverItsBudgetIsEndedAndCounted(t *testing.T) {
	h := newHarness(t, Config{SessionBytes: 256 << 10})
	ts := nowMs()
	good := h.connectJitsi("room", "good", false)
	good.entry("getstats", "PC_0", getstats(ts, 1), ts)
	h.next(feed.TypeParticipantJoin)
	bad := h.connectJitsi("room", "grower", false)
	for i := 0; ; i++ {
		line := hostileLine(fmt.Sprintf("g%d", i), 10, 40, ts+float64(i), i+1)
		msg := fmt.Sprintf(`{"statsSessionId":"grower","type":"stats-entry","data":%s}`, quoteJSON(line))
		if bad.conn.WriteMessage(websocket.TextMessage, []byte(msg)) != nil {
			break
		}
		if i > 200 {
			t.Fatal("200 lines of new stats objects and the session is still in")
		}
	}
	bad.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := bad.conn.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
				t.Fatalf("the grower's connection ended with %v, want close 1008", err)
			}
			break
		}
	}
	leave := h.next(feed.TypeParticipantLeave)
	if leave.Reason != "over its memory budget" {
		t.Fatalf("leave %+v, want the budget named", leave)
	}
	good.entry("getstats", "PC_0", getstats(ts+1000, 2), ts+1000)
	if m := h.next(feed.TypeStats); m.ParticipantID != "good" {
		t.Fatalf("stats of %s after the grower left, want the good session's", m.ParticipantID)
	}
	if st := h.ing.Stats(); st.OverBudget != 1 || st.Sessions != 1 {
		t.Fatalf("stats %+v: want one session over budget, one left", st)
	}
	if !strings.Contains(h.logs.String(), "session grower ended: its state is over the 262144-byte session budget") {
		t.Fatalf("the ending is not logged:\n%s", h.logs)
	}
}
