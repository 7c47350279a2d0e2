package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/sim"
)

// viewHub is a small real WebSocket server on loopback speaking the hub's
// side of view mode (docs/feed-protocol.md): it refuses a client without
// ?view=1, decodes every view.request with the real decoder, answers with
// the window of its rows the request asks for (rows whose room contains
// the filter, in their order) and streams the open call's frames. It
// stands in for `calltop hub --index` in the engine's tests.
type viewHub struct {
	t      *testing.T
	srv    *httptest.Server
	rows   []feed.ViewRow
	frames map[string][][]byte // each call's frames, by key
	refuse string              // answer every request with this view.error
	lose   int                 // leave this many requests unanswered (lost on their way)

	mu       sync.Mutex
	requests []feed.ViewQuery
	conns    []*websocket.Conn
	got      chan feed.ViewQuery
}

func startViewHub(t *testing.T, calls int) *viewHub {
	t.Helper()
	h := &viewHub{t: t, frames: map[string][][]byte{}, got: make(chan feed.ViewQuery, 1024)}
	s, err := sim.New(sim.Config{Calls: calls, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 6; step++ {
		for _, m := range s.Step() {
			raw, err := json.Marshal(&m)
			if err != nil {
				t.Fatal(err)
			}
			key := m.CallID
			if m.Call != nil {
				key = m.Call.ID
			}
			if key != "" {
				h.frames[key] = append(h.frames[key], raw)
			}
		}
	}
	i := 0
	for key := range h.frames {
		mos := 4.4 - float64(i)/100
		r := feed.ViewRow{Key: key, ID: key, Room: fmt.Sprintf("room-%04d", i), Participants: 2, WorstMOS: &mos,
			People: []feed.ViewPerson{{ID: "p1", Name: fmt.Sprintf("Person %d", i)}}}
		if i == 1 {
			r.Source = "lost"
		}
		h.rows = append(h.rows, r)
		i++
	}
	up := websocket.Upgrader{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("view") != "1" {
			http.Error(w, "want ?view=1", http.StatusBadRequest)
			return
		}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		h.mu.Lock()
		h.conns = append(h.conns, conn)
		h.mu.Unlock()
		h.serve(conn)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *viewHub) url() string { return "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/feed" }

// serve answers one connection's requests until it closes.
func (h *viewHub) serve(conn *websocket.Conn) {
	defer conn.Close()
	var seq uint64
	for {
		_, frame, err := conn.ReadMessage()
		if err != nil {
			return
		}
		req, err := feed.DecodeViewRequest(frame)
		if err != nil {
			h.t.Errorf("the engine sent a bad view.request %s: %v", frame, err)
			return
		}
		h.mu.Lock()
		h.requests = append(h.requests, req.View)
		h.mu.Unlock()
		h.got <- req.View
		h.mu.Lock()
		refuse, lost := h.refuse, h.lose > 0
		if lost {
			h.lose--
		}
		h.mu.Unlock()
		if lost {
			continue
		}
		if refuse != "" {
			out, _ := feed.EncodeView(feed.ViewError{Type: feed.TypeViewError, Error: refuse})
			conn.WriteMessage(websocket.TextMessage, out)
			continue
		}
		seq++
		out, _ := feed.EncodeView(h.window(req.View, seq))
		if conn.WriteMessage(websocket.TextMessage, out) != nil {
			return
		}
		for _, f := range h.frames[req.View.Open] {
			if conn.WriteMessage(websocket.TextMessage, f) != nil {
				return
			}
		}
	}
}

// window is the answer to q.
func (h *viewHub) window(q feed.ViewQuery, seq uint64) feed.ViewWindow {
	var matched []feed.ViewRow
	for _, r := range h.rows {
		if strings.Contains(r.Room, q.Filter) {
			matched = append(matched, r)
		}
	}
	from := min(q.Offset, len(matched))
	to := min(from+q.Limit, len(matched))
	return feed.ViewWindow{Type: feed.TypeViewWindow, TS: 1.7e12, Window: feed.ViewPage{Seq: seq,
		Total: len(h.rows), Matched: len(matched), Counts: feed.ViewCounts{OK: len(h.rows)}, Offset: from,
		Rows: matched[from:to]}}
}

// drop closes every connection (the client reconnects).
func (h *viewHub) drop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.Close()
	}
	h.conns = nil
}

// nextRequest waits for the engine's next request.
func (h *viewHub) nextRequest(d time.Duration, what string) feed.ViewQuery {
	h.t.Helper()
	select {
	case q := <-h.got:
		return q
	case <-time.After(d):
		h.t.Fatalf("no view.request (%s) within %v", what, d)
		return feed.ViewQuery{}
	}
}

// startViewEngine runs a feed client and a view-mode engine on h.
func startViewEngine(t *testing.T, h *viewHub, refused ...func(string)) (*Engine, *client.Client) {
	t.Helper()
	c, err := client.New(client.Config{URLs: []string{h.url() + "?view=1"}, KeepUnknown: true,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	vo := &ViewOptions{Send: c.Send}
	if len(refused) > 0 {
		vo.Refused = refused[0]
	}
	e, err := New(Options{NewMonitor: realMonitor, Events: c.Events(), View: vo})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.Run(ctx) })
	wg.Go(func() { e.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return e, c
}

func TestViewModeShowsTheHubsWindowAndPagesIt(t *testing.T) {
	h := startViewHub(t, 60)
	e, _ := startViewEngine(t, h)
	q := h.nextRequest(5*time.Second, "the first")
	if !q.Ended || q.Sort != feed.SortWorst || q.Open != "" {
		t.Errorf("first request %+v: want every call (ended too), worst first, none open", q)
	}
	f := waitFrame(t, e, 5*time.Second, "a window", func(f Frame) bool { return f.View != nil && f.View.Seq > 0 })
	w := f.View
	if w.Total != len(h.rows) || w.Matched != len(h.rows) {
		t.Errorf("window says %d calls, %d matched; the hub has %d", w.Total, w.Matched, len(h.rows))
	}
	if w.Row(0) == nil || w.Row(0).Room != "room-0000" || w.Row(0).People[0].Name != "Person 0" {
		t.Errorf("row 0 = %+v, want the hub's first row", w.Row(0))
	}
	if !w.Lost[h.rows[1].Key] || w.Lost[h.rows[0].Key] {
		t.Errorf("lost rows %v: want only %s (source lost)", w.Lost, h.rows[1].Key)
	}
	if w.FeedTime.UnixMilli() != 1.7e12 {
		t.Errorf("feed time %v, want the window's ts", w.FeedTime)
	}

	e.SetView(feed.ViewQuery{Filter: "room-004", Sort: feed.SortWorst, Offset: 0, Limit: 40, Ended: true})
	for q = h.nextRequest(5*time.Second, "the filter"); q.Filter != "room-004"; q = h.nextRequest(5*time.Second, "the filter") {
	}
	f = waitFrame(t, e, 5*time.Second, "the filtered window", func(f Frame) bool { return f.View != nil && f.View.Matched == 10 })
	if r := f.View.Row(0); r == nil || r.Room != "room-0040" {
		t.Errorf("filtered row 0 = %+v, want room-0040", r)
	}

	e.SetView(feed.ViewQuery{Sort: feed.SortWorst, Offset: 40, Limit: 10, Ended: true})
	f = waitFrame(t, e, 5*time.Second, "rows 40 to 49", func(f Frame) bool { return f.View != nil && f.View.Offset == 40 })
	if f.View.Row(39) != nil || f.View.Row(40) == nil || f.View.Row(40).Room != "room-0040" || f.View.Row(50) != nil {
		t.Errorf("window at 40 holds rows %d to %d", f.View.Offset, f.View.Offset+len(f.View.Rows)-1)
	}
}

func TestViewModeOpenCallStreamsThroughTheMonitor(t *testing.T) {
	h := startViewHub(t, 5)
	e, _ := startViewEngine(t, h)
	h.nextRequest(5*time.Second, "the first")
	key := h.rows[2].Key
	e.Focus(key)
	q := h.nextRequest(5*time.Second, "the open call")
	for q.Open == "" { // the first request again, sent once the connection was up
		q = h.nextRequest(5*time.Second, "the open call")
	}
	if q.Open != key {
		t.Fatalf("request after Focus opens %q, want %q", q.Open, key)
	}
	f := waitFrame(t, e, 5*time.Second, "the open call's detail", func(f Frame) bool {
		return f.Calls.Focus != nil && f.Calls.Focus.Summary != nil && f.Calls.Focus.Summary.Key == key && len(f.Calls.Focus.Participants) > 0
	})
	if len(f.Calls.Calls) != 1 {
		t.Errorf("the Monitor holds %d calls, want only the open one", len(f.Calls.Calls))
	}
	// The scroll position moves while the call is open: the call stays open.
	e.SetView(feed.ViewQuery{Offset: 3, Limit: 2, Ended: true, Open: "ignored"})
	for q = h.nextRequest(5*time.Second, "the scroll"); q.Offset != 3; q = h.nextRequest(5*time.Second, "the scroll") {
	}
	if q.Open != key {
		t.Errorf("a scroll while a call is open asks to open %q, want %q", q.Open, key)
	}
	e.Focus("")
	for q = h.nextRequest(5*time.Second, "closing"); q.Open != ""; q = h.nextRequest(5*time.Second, "closing") {
	}
	waitFrame(t, e, 5*time.Second, "no call in the Monitor once closed", func(f Frame) bool { return len(f.Calls.Calls) == 0 })
}

func TestViewModeResendsItsRequestOnReconnect(t *testing.T) {
	h := startViewHub(t, 20)
	e, _ := startViewEngine(t, h)
	h.nextRequest(5*time.Second, "the first")
	e.SetView(feed.ViewQuery{Filter: "room-001", Sort: feed.SortMOS, Desc: true, Offset: 0, Limit: 30, Ended: true})
	for q := h.nextRequest(5*time.Second, "the filter"); q.Filter != "room-001"; q = h.nextRequest(5*time.Second, "the filter") {
	}
	waitFrame(t, e, 5*time.Second, "the filtered window", func(f Frame) bool { return f.View != nil && f.View.Matched == 10 })
	h.drop()
	q := h.nextRequest(5*time.Second, "after the reconnect")
	if q.Filter != "room-001" || q.Sort != feed.SortMOS || !q.Desc || q.Limit != 30 {
		t.Errorf("request after reconnect %+v, want the one in force (filter room-001, mos, desc, limit 30)", q)
	}
	waitFrame(t, e, 5*time.Second, "a window from the new connection", func(f Frame) bool {
		return f.View != nil && f.View.Seq == 1 && f.View.Matched == 10 && f.Feed.Connects >= 2
	})
}

func TestViewModeDebouncesAScroll(t *testing.T) {
	h := startViewHub(t, 20)
	e, _ := startViewEngine(t, h)
	h.nextRequest(5*time.Second, "the first")
	waitFrame(t, e, 5*time.Second, "a window", func(f Frame) bool { return f.View != nil && f.View.Seq > 0 })
	const steps = 200
	for i := 1; i <= steps; i++ { // a held-down arrow key, faster than any hub answers
		e.SetView(feed.ViewQuery{Offset: i, Limit: 30, Ended: true})
	}
	n := 0
	for q := h.nextRequest(5*time.Second, "the scroll"); q.Offset != steps; q = h.nextRequest(5*time.Second, "the scroll") {
		n++
	}
	if n > 20 {
		t.Errorf("%d requests for %d scroll steps: the debounce let a storm through", n+1, steps)
	}
}

func TestViewModeSaysTheHubHasNoIndex(t *testing.T) {
	h := startViewHub(t, 3)
	h.refuse = feed.NoIndexError
	refused := make(chan string, 4)
	e, _ := startViewEngine(t, h, func(why string) { refused <- why })
	f := waitFrame(t, e, 5*time.Second, "the refusal", func(f Frame) bool { return f.View != nil && f.View.Error != "" })
	if f.View.Error != feed.NoIndexError || len(f.View.Rows) != 0 {
		t.Errorf("view error %q with %d rows, want %q and none", f.View.Error, len(f.View.Rows), feed.NoIndexError)
	}
	if f.Feed.State != "failed" || f.Feed.Reason != feed.NoIndexError {
		t.Errorf("feed %s (%s) after the refusal, want failed saying why", f.Feed.State, f.Feed.Reason)
	}
	select {
	case why := <-refused:
		if why != feed.NoIndexError {
			t.Errorf("Refused(%q), want the hub's reason", why)
		}
	case <-time.After(5 * time.Second):
		t.Error("Refused was not called: the client would reconnect to be refused again")
	}
}

func TestViewModeKeepsItsWindowWhenARequestIsRefused(t *testing.T) {
	h := startViewHub(t, 10)
	e, _ := startViewEngine(t, h)
	waitFrame(t, e, 5*time.Second, "a window", func(f Frame) bool { return f.View != nil && f.View.Seq > 0 })
	h.mu.Lock()
	h.refuse = "view.request: view.limit 1001: must be 0 to 1000"
	h.mu.Unlock()
	e.SetView(feed.ViewQuery{Offset: 1, Limit: 5, Ended: true})
	f := waitFrame(t, e, 5*time.Second, "the refusal", func(f Frame) bool { return f.Feed.BadFrames > 0 })
	if f.View.Error != "" || len(f.View.Rows) == 0 || !strings.Contains(f.Feed.LastBad, "view.limit") {
		t.Errorf("after a refused request: view error %q, %d rows, last bad %q; want the window kept and the reason said",
			f.View.Error, len(f.View.Rows), f.Feed.LastBad)
	}
}

func TestViewModeNeedsASender(t *testing.T) {
	if _, err := New(Options{NewMonitor: realMonitor, Events: make(chan feed.Event), View: &ViewOptions{}}); err == nil ||
		!strings.Contains(err.Error(), "View.Send") {
		t.Errorf("New with View but no Send: err %v, want one naming View.Send", err)
	}
}

func TestViewModeSendsAFilterWhenTheTypingPauses(t *testing.T) {
	h := startViewHub(t, 20)
	e, _ := startViewEngine(t, h)
	h.nextRequest(5*time.Second, "the first")
	waitFrame(t, e, 5*time.Second, "a window", func(f Frame) bool { return f.View != nil && f.View.Seq > 0 })
	word := "room-0012"
	for i := 1; i <= len(word); i++ { // typed at 30 ms a key: faster than the pause
		e.SetView(feed.ViewQuery{Filter: word[:i], Limit: 30, Ended: true})
		time.Sleep(30 * time.Millisecond) // the typist's pace is what is tested
	}
	q := h.nextRequest(5*time.Second, "the typed filter")
	for q.Filter == "" { // the first request again, sent once the connection was up
		q = h.nextRequest(5*time.Second, "the typed filter")
	}
	if q.Filter != word {
		t.Errorf("the hub was asked for filter %q while it was typed; want only the whole word %q", q.Filter, word)
	}
	waitFrame(t, e, 5*time.Second, "the filtered window", func(f Frame) bool { return f.View != nil && f.View.Matched == 1 })
}

func TestViewModeAsksAgainWhenARequestGoesUnanswered(t *testing.T) {
	h := startViewHub(t, 20)
	e, _ := startViewEngine(t, h)
	waitFrame(t, e, 5*time.Second, "a window", func(f Frame) bool { return f.View != nil && f.View.Seq > 0 })
	h.mu.Lock()
	h.lose = 1
	h.mu.Unlock()
	e.SetView(feed.ViewQuery{Offset: 7, Limit: 5, Ended: true})
	f := waitFrame(t, e, 5*time.Second, "the window at 7 after the request was lost", func(f Frame) bool {
		return f.View != nil && f.View.Offset == 7 && len(f.View.Rows) == 5
	})
	if r := f.View.Row(7); r == nil || r.Room != "room-0007" {
		t.Errorf("row 7 = %+v, want room-0007", r)
	}
	h.mu.Lock()
	asked := 0
	for _, q := range h.requests {
		if q.Offset == 7 {
			asked++
		}
	}
	h.mu.Unlock()
	if asked < 2 {
		t.Errorf("the request for row 7 went %d times: the window came without asking again?", asked)
	}
}

func TestViewModeAsksAgainWhenTheHubStaysQuiet(t *testing.T) {
	h := startViewHub(t, 5) // it answers requests and sends nothing else, like a hub whose window never changes
	c, err := client.New(client.Config{URLs: []string{h.url() + "?view=1"}, KeepUnknown: true})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{NewMonitor: realMonitor, Events: c.Events(), View: &ViewOptions{Send: c.Send, KeepAlive: 300 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.Run(ctx) })
	wg.Go(func() { e.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	waitFrame(t, e, 5*time.Second, "a window", func(f Frame) bool { return f.View != nil && f.View.Seq > 0 })
	for len(h.got) > 0 {
		<-h.got
	}
	start := time.Now()
	h.nextRequest(5*time.Second, "the keep-alive")
	h.nextRequest(5*time.Second, "the next keep-alive")
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("two keep-alive requests in %v: faster than KeepAlive (300 ms)", d)
	}
}
