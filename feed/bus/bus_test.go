package bus

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/bus/bustest"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// busHub is a hub on loopback joined to the bus.
type busHub struct {
	*feedtest.TestHub
	node *Node
	stop context.CancelFunc
	done chan struct{}
}

func startBusHub(t testing.TB, natsURL, id string) *busHub {
	t.Helper()
	bh := connectBusHub(t, natsURL, id)
	ctx, cancel := context.WithCancel(context.Background())
	bh.stop = cancel
	go func() { bh.node.Run(ctx); close(bh.done) }()
	if tt, ok := t.(*testing.T); ok {
		tt.Cleanup(func() {
			if tt.Failed() {
				tt.Logf("%s's log:\n%s", id, bh.Logs)
			}
		})
	}
	t.Cleanup(func() { cancel(); <-bh.done })
	return bh
}

// connectBusHub joins a hub to the bus without running its node: it sends
// no heartbeat until told.
func connectBusHub(t testing.TB, natsURL, id string) *busHub {
	t.Helper()
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	n, err := Connect(Config{URLs: []string{natsURL}, HubID: id, Heartbeat: 50 * time.Millisecond,
		Quiet: 400 * time.Millisecond, LostFor: testLostFor, Logf: th.Logs.Logf}, th.Hub)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return &busHub{TestHub: th, node: n, done: make(chan struct{})}
}

// testLostFor is how long the test hubs keep a lost hub's calls.
const testLostFor = 2 * time.Second

// leave stops the hub's node as Ctrl-C would (goodbye on the bus).
func (bh *busHub) leave() { bh.stop(); <-bh.done }

// watcher is a subscriber of one hub keeping the calls it sees, those
// marked source lost and the reasons of those ended.
type watcher struct {
	t     *testing.T
	c     *client.Client
	calls feedtest.CallSet
	lost  map[string]bool
	ended map[string]string
}

func watch(t *testing.T, url string) *watcher {
	c, _ := feedtest.RunClient(t, feedtest.FastClient(url))
	w := &watcher{t: t, c: c, calls: feedtest.CallSet{}, lost: map[string]bool{}, ended: map[string]string{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the subscriber of %s had seen calls %v", url, w.calls)
		}
	})
	return w
}

// until reads events, keeping the calls, until match holds for one.
func (w *watcher) until(what string, match func(m *feed.Message) bool) *feed.Message {
	w.t.Helper()
	var got *feed.Message
	feedtest.WaitEvent(w.t, w.c, 10*time.Second, what, func(ev feed.Event) bool {
		if ev.Kind != feed.EventMessage {
			return false
		}
		w.calls.Apply(ev.Msg)
		w.keepSource(ev.Msg)
		if match(ev.Msg) {
			m := *ev.Msg
			got = &m
			return true
		}
		return false
	})
	return got
}

// keepSource notes the calls marked lost (every snapshot and call
// message says) and the reasons of those ended.
func (w *watcher) keepSource(m *feed.Message) {
	switch m.Type {
	case feed.TypeSnapshot:
		clear(w.lost)
		for _, c := range m.Calls {
			w.lost[c.ID] = c.Source == feed.SourceLost
		}
	case feed.TypeCallStart, feed.TypeCallUpdate:
		w.lost[m.Call.ID] = m.Call.Source == feed.SourceLost
	case feed.TypeCallEnd:
		w.ended[m.CallID] = m.Reason
		delete(w.lost, m.CallID)
	}
}

// untilLost waits until each of ids is an ongoing call marked lost (lost)
// or live (!lost).
func (w *watcher) untilLost(lost bool, ids ...string) {
	w.t.Helper()
	ok := func(*feed.Message) bool {
		for _, id := range ids {
			if !w.calls[id] || w.lost[id] != lost {
				return false
			}
		}
		return true
	}
	if !ok(nil) {
		w.until(fmt.Sprintf("calls %v ongoing with lost=%v", ids, lost), ok)
	}
}

func (w *watcher) untilCalls(ids ...string) {
	w.t.Helper()
	w.until(fmt.Sprintf("calls %v", ids), func(*feed.Message) bool {
		for _, id := range ids {
			if !w.calls[id] {
				return false
			}
		}
		return true
	})
}

// untilGone waits until none of ids is an ongoing call.
func (w *watcher) untilGone(ids ...string) {
	w.t.Helper()
	gone := func(*feed.Message) bool {
		for _, id := range ids {
			if w.calls[id] {
				return false
			}
		}
		return true
	}
	if !gone(nil) {
		w.until(fmt.Sprintf("calls %v to end", ids), gone)
	}
}

func startCall(t testing.TB, bh *busHub, id string, ts float64, people ...string) {
	t.Helper()
	feedtest.PublishAll(t, bh.node.Publisher(), feedtest.CallStart(id, ts, people...))
}

// twoHubs starts hub-a and hub-b on one server, each with one call (ana
// in hub-a's callA, bo in hub-b's callB), and a subscriber of hub-a that
// has seen both.
func twoHubs(t *testing.T, callA, callB string) (a, b *busHub, w *watcher, ts float64) {
	s := bustest.StartServer(t, nil)
	a, b = startBusHub(t, s.ClientURL(), "hub-a"), startBusHub(t, s.ClientURL(), "hub-b")
	w = watch(t, a.URL())
	ts = float64(time.Now().UnixMilli())
	startCall(t, a, callA, ts, "ana")
	startCall(t, b, callB, ts, "bo")
	w.untilCalls("hub-a/"+callA, "hub-b/"+callB)
	return a, b, w, ts
}

func TestSubscriberOfOneHubSeesTheOtherHubsCallsAndStats(t *testing.T) {
	// Both producers call their call "call-1": the hub id keeps them apart.
	a, b, w, ts := twoHubs(t, "call-1", "call-1")

	if err := b.node.Publisher().Publish(feedtest.StatsMsg("call-1", "bo", ts+1000, 50000)); err != nil {
		t.Fatal(err)
	}
	m := w.until("hub-b's stats", func(m *feed.Message) bool { return m.Type == feed.TypeStats })
	if m.CallID != "hub-b/call-1" || m.ParticipantID != "bo" || len(m.Stats) != 1 || m.Stats[0].BytesReceived != 50000 {
		t.Fatalf("stats at hub-a: call %q participant %q stats %+v", m.CallID, m.ParticipantID, m.Stats)
	}
	if got := a.Hub.Stats().Calls; got != 2 {
		t.Fatalf("hub-a tracks %d calls, want its own and hub-b's", got)
	}
	// hub-b's own subscribers see the same names.
	wb := watch(t, b.URL())
	wb.untilCalls("hub-a/call-1", "hub-b/call-1")
}

func TestAHubJoiningLateGetsTheCallsAlreadyGoing(t *testing.T) {
	s := bustest.StartServer(t, nil)
	b := startBusHub(t, s.ClientURL(), "hub-b")
	ts := float64(time.Now().UnixMilli())
	for i := range 3 {
		startCall(t, b, fmt.Sprintf("room/%d with spaces", i), ts, "bo", "cy")
	}
	a := startBusHub(t, s.ClientURL(), "hub-a")
	w := watch(t, a.URL())
	w.untilCalls("hub-b/room/0 with spaces", "hub-b/room/1 with spaces", "hub-b/room/2 with spaces")
	if st := a.node.Stats(); st.Peers != 1 || st.RemoteCalls != 3 || st.BadFrames != 0 {
		t.Fatalf("hub-a's bus: %+v", st)
	}
}

func TestAHubStoppingHasItsCallsMarkedLostThenEndedAsSourceLost(t *testing.T) {
	a, b, w, _ := twoHubs(t, "mine", "theirs")

	left := time.Now()
	b.leave()
	w.untilLost(true, "hub-b/theirs")
	if w.lost["hub-a/mine"] || w.ended["hub-b/theirs"] != "" {
		t.Fatalf("after hub-b's goodbye: lost %v, ended %v", w.lost, w.ended)
	}
	if st := a.node.Stats(); st.Peers != 0 || st.LostCalls != 1 || st.Lost != 1 {
		t.Fatalf("hub-a's bus with hub-b lost: %+v", st)
	}
	// A subscriber arriving now is told in its snapshot.
	late := watch(t, a.URL())
	late.untilLost(true, "hub-b/theirs")

	// Nobody takes it back: it ends after LostFor, and only it.
	w.untilGone("hub-b/theirs")
	if waited := time.Since(left); waited < testLostFor {
		t.Fatalf("hub-b's call ended %s after its goodbye, before LostFor (%s)", waited, testLostFor)
	}
	if got := w.ended["hub-b/theirs"]; got != ReasonSourceLost {
		t.Fatalf("hub-b's call ended with reason %q, want %q", got, ReasonSourceLost)
	}
	if !w.calls["hub-a/mine"] || a.Hub.Stats().Calls != 1 {
		t.Fatalf("hub-a's own call went too: %v (hub-a tracks %d calls)", w.calls, a.Hub.Stats().Calls)
	}
}

func TestAHubGoneQuietHasItsCallsMarkedLostAndTakesThemBackWhenItSpeaks(t *testing.T) {
	s := bustest.StartServer(t, nil)
	a := startBusHub(t, s.ClientURL(), "hub-a")
	b := connectBusHub(t, s.ClientURL(), "hub-b") // no heartbeats
	w := watch(t, a.URL())
	startCall(t, b, "theirs", float64(time.Now().UnixMilli()), "bo")
	w.untilCalls("hub-b/theirs")

	w.untilLost(true, "hub-b/theirs")
	if !a.Logs.Contains("bus: hub hub-b went quiet") {
		t.Fatalf("no log of hub-b going quiet:\n%s", a.Logs)
	}
	// hub-b speaks again: hub-a asks it for its calls and the call is live
	// again, never having ended.
	b.node.send(Prefix+"hb.hub-b", nil)
	w.untilLost(false, "hub-b/theirs")
	if reason, ended := w.ended["hub-b/theirs"]; ended {
		t.Fatalf("hub-b's call ended (%q) instead of being taken back", reason)
	}
	if st := a.node.Stats(); st.Lost != 1 || st.RemoteCalls != 1 || st.LostCalls != 0 || st.Peers != 1 {
		t.Fatalf("hub-a's bus: %+v", st)
	}
}

func TestAHubsStatsAfterItWasLostTakeItsCallBack(t *testing.T) {
	s := bustest.StartServer(t, nil)
	a := startBusHub(t, s.ClientURL(), "hub-a")
	b := connectBusHub(t, s.ClientURL(), "hub-b") // no heartbeats
	w := watch(t, a.URL())
	ts := float64(time.Now().UnixMilli())
	startCall(t, b, "theirs", ts, "bo")
	w.untilLost(true, "hub-b/theirs")
	// Its first word back is a stats frame of the call (routed undecoded
	// otherwise): the call is live again before the stats arrive.
	if err := b.node.Publisher().Publish(feedtest.StatsMsg("theirs", "bo", ts+1000, 500)); err != nil {
		t.Fatal(err)
	}
	m := w.until("hub-b's stats", func(m *feed.Message) bool { return m.Type == feed.TypeStats })
	if w.lost["hub-b/theirs"] || m.CallID != "hub-b/theirs" {
		t.Fatalf("stats of %s arrived with the call still lost (%v)", m.CallID, w.lost)
	}
}

func TestBusFramesNamingAnotherHubsCallsAreRefused(t *testing.T) {
	s := bustest.StartServer(t, nil)
	a := startBusHub(t, s.ClientURL(), "hub-a")
	w := watch(t, a.URL())
	startCall(t, a, "mine", float64(time.Now().UnixMilli()), "ana")
	w.untilCalls("hub-a/mine")
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// hub-x tries to end hub-a's call and to start a call without its prefix.
	nc.Publish(Prefix+"calls.hub-x.c", []byte(`{"type":"call.end","callId":"hub-a/mine"}`))
	nc.Publish(Prefix+"calls.hub-x.c", []byte(`{"type":"call.start","call":{"id":"plain"}}`))
	nc.Publish(Prefix+"calls.hub-x.c", []byte("\x1b[2J not json"))
	nc.Publish(Prefix+"calls.hub-x.c", []byte(`{"type":"call.start","call":{"id":"hub-x/ok"}}`))
	w.untilCalls("hub-x/ok")
	if !w.calls["hub-a/mine"] || w.calls["plain"] {
		t.Fatalf("calls at hub-a: %v", w.calls)
	}
	if bad := a.node.Stats().BadFrames; bad != 3 {
		t.Fatalf("bad frames counted %d, want 3", bad)
	}
	if strings.Contains(a.Logs.String(), "\x1b") {
		t.Fatal("an escape from the bus reached the log")
	}
}

func TestAReplayedSnapshotAndRestartChangeOnlyThatHubsCalls(t *testing.T) {
	a, b, w, ts := twoHubs(t, "mine", "theirs")
	// hub-b replays a recording: its snapshot names two calls and not "theirs".
	snap := &feed.Message{Type: feed.TypeSnapshot, TS: ts, Calls: []feed.Call{
		{ID: "r1", Start: ts, Participants: []feed.Participant{{ID: "p1", Name: "Dee"}}}, {ID: "r2", Start: ts}}}
	if err := b.node.Publisher().Publish(snap); err != nil {
		t.Fatal(err)
	}
	w.untilCalls("hub-a/mine", "hub-b/r1", "hub-b/r2")
	w.untilGone("hub-b/theirs")
	if !w.calls["hub-a/mine"] {
		t.Fatalf("hub-b's snapshot replaced hub-a's call: %v", w.calls)
	}
	// The replay starts over: hub-b's calls end, hub-a's stays.
	if err := b.node.Publisher().EndAll("replay-restart"); err != nil {
		t.Fatal(err)
	}
	w.untilGone("hub-b/r1", "hub-b/r2")
	if !w.calls["hub-a/mine"] || a.Hub.Stats().Calls != 1 {
		t.Fatalf("calls at hub-a after hub-b's restart: %v", w.calls)
	}
}

func TestJoiningAnUnreachableBusSaysWhereWithoutTheSecret(t *testing.T) {
	_, err := Connect(Config{URLs: []string{"nats://hub:s3cret@127.0.0.1:1"}, HubID: "hub-a", Logf: quiet}, hub.New(hub.Config{Logf: quiet}))
	if err == nil || !strings.Contains(err.Error(), "nats://REDACTED@127.0.0.1:1") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error %v", err)
	}
	if _, err := Connect(Config{URLs: []string{"nats://127.0.0.1:1"}, HubID: "a.b"}, nil); err == nil || !strings.Contains(err.Error(), `"a.b"`) {
		t.Fatalf("a hub id with a dot: %v", err)
	}
}

func TestAHubRestartedUnderItsIDWithoutGoodbyeKeepsTheOldCallsItHasAndEndsTheOthers(t *testing.T) {
	a, b, w, ts := twoHubs(t, "mine", "old")
	startCall(t, b, "kept", ts, "cy")
	w.untilCalls("hub-b/kept")
	b.node.nc.Close() // killed: no goodbye
	// Its next run, under the same id, long before hub-b would count as
	// quiet: it has "kept" again (a replay, the same seed) and "new"; its
	// answer to hub-a's ask may come before its source has "kept" again,
	// so the old run's calls stay lost until LostFor, not ended at once.
	b2 := startBusHub(t, b.node.nc.Servers()[0], "hub-b")
	startCall(t, b2, "new", ts, "bo")
	startCall(t, b2, "kept", ts, "cy")
	w.untilCalls("hub-a/mine", "hub-b/new", "hub-b/kept")
	w.untilGone("hub-b/old")
	if !a.Logs.Contains("bus: hub hub-b restarted") {
		t.Fatalf("no log of hub-b's restart:\n%s", a.Logs)
	}
	if w.ended["hub-b/old"] != ReasonSourceLost {
		t.Fatalf("hub-b/old ended with %q", w.ended["hub-b/old"])
	}
	if _, ended := w.ended["hub-b/kept"]; ended {
		t.Fatal("hub-b/kept ended though the new run has it")
	}
}

func TestAKilledHubsCallsAreLostUntilItRestarts(t *testing.T) {
	_, b, w, ts := twoHubs(t, "mine", "theirs")
	b.node.nc.Close() // killed: no goodbye
	w.untilLost(true, "hub-b/theirs")
	b2 := startBusHub(t, b.node.nc.Servers()[0], "hub-b")
	startCall(t, b2, "theirs", ts, "bo")
	w.untilLost(false, "hub-b/theirs")
	if reason, ended := w.ended["hub-b/theirs"]; ended {
		t.Fatalf("hub-b's call ended (%q) instead of being taken back", reason)
	}
	if w.lost["hub-a/mine"] {
		t.Fatal("hub-a's own call was marked lost")
	}
}

// In a cluster a new hub's first ask can reach a node before the other
// hubs' interest has: it is dropped. The first it then hears of hub-a may
// be hub-a asking it for its calls; it must ask back, or hub-a's calls
// that started before it joined never show.
func TestAHubFirstHeardThroughItsAskIsAskedForItsCalls(t *testing.T) {
	s := bustest.StartServer(t, nil)
	raw, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	asks := make(chan string, 16)
	if _, err := raw.Subscribe(Prefix+"sync.hub-b", func(m *nats.Msg) { asks <- string(m.Data) }); err != nil {
		t.Fatal(err)
	}
	raw.Flush()
	b := connectBusHub(t, s.ClientURL(), "hub-b") // no heartbeats: only its asks
	w := watch(t, b.URL())
	if got := <-asks; got != "" {
		t.Fatalf("hub-b's first ask names %q, want everyone", got)
	}
	// "hub-a" missed that ask (it was not there yet), then asks hub-b.
	raw.Publish(Prefix+"sync.hub-a", []byte("hub-b"))
	select {
	case got := <-asks:
		if got != "hub-a" {
			t.Fatalf("hub-b asked %q, want hub-a", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("hub-b never asked hub-a for its calls")
	}
	frames, err := feed.EncodeSnapshot([]feed.Call{{ID: "hub-a/early", Start: float64(time.Now().UnixMilli())}}, 0, feed.SnapshotPartBytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		raw.Publish(Prefix+"state.hub-b.hub-a", f)
	}
	w.untilCalls("hub-a/early")
}

// A team hub's rows reach the other hubs' Config.Rows as sent; a hub
// joining later gets them when it asks; a hub whose calls end after it
// was lost has its rows withdrawn (nil).
func TestRowsReachTheOtherHubsAndGoWithTheirHub(t *testing.T) {
	s := bustest.StartServer(t, nil)
	type got struct {
		from  string
		frame []byte
	}
	rowsOf := func(id string) (chan got, *busHub) {
		ch := make(chan got, 16)
		th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
		n, err := Connect(Config{URLs: []string{s.ClientURL()}, HubID: id, Heartbeat: 50 * time.Millisecond,
			Quiet: 400 * time.Millisecond, LostFor: 300 * time.Millisecond, Logf: th.Logs.Logf,
			Rows: func(from string, frame []byte) { ch <- got{from, frame} }}, th.Hub)
		if err != nil {
			t.Fatal(err)
		}
		bh := &busHub{TestHub: th, node: n, done: make(chan struct{})}
		ctx, cancel := context.WithCancel(context.Background())
		bh.stop = cancel
		go func() { n.Run(ctx); close(bh.done) }()
		t.Cleanup(func() { cancel(); <-bh.done })
		return ch, bh
	}
	next := func(ch chan got, what string) got {
		t.Helper()
		select {
		case g := <-ch:
			return g
		case <-time.After(10 * time.Second):
			t.Fatalf("no rows: %s", what)
		}
		return got{}
	}
	aRows, _ := rowsOf("hub-a")
	_, b := rowsOf("hub-b")
	b.node.ShareRows([]byte(`{"type":"team.findings","findings":[]}`))
	if g := next(aRows, "hub-b's first"); g.from != "hub-b" || string(g.frame) != `{"type":"team.findings","findings":[]}` {
		t.Fatalf("hub-a got %s from %s", g.frame, g.from)
	}
	cRows, _ := rowsOf("hub-c") // joins later: its ask brings hub-b's rows again
	for g := next(cRows, "hub-b's, for hub-c"); g.from != "hub-b"; g = next(cRows, "hub-b's, for hub-c") {
	}
	b.leave() // lost, then (LostFor 300 ms) ended: its rows go
	for {
		if g := next(aRows, "hub-b's withdrawn"); g.from == "hub-b" && g.frame == nil {
			break
		}
	}
}
