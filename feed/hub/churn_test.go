package hub_test

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// TestSnapshotUnderChurnMissesAndRepeatsNothing: subscribers that join
// while calls start and end (the snapshot now encoded outside the hub's
// lock, and cached while the calls do not change) each get a snapshot
// that, with the live messages after it, gives exactly the hub's calls:
// no call.start for a call the snapshot had, no call.end for one it
// lacked.
func TestSnapshotUnderChurnMissesAndRepeatsNothing(t *testing.T) {
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{SnapshotPartBytes: 2048})
	const steps, subs = 600, 24
	var published atomic.Int64
	type result struct {
		calls []feed.Call
		err   error
	}
	results := make(chan result, subs)
	var wg sync.WaitGroup
	for k := range subs {
		wg.Go(func() {
			for published.Load() < int64(k*steps/subs) {
				time.Sleep(time.Millisecond)
			}
			calls, err := followUntil(th.URL(), "marker")
			results <- result{calls, err}
		})
	}
	want := feed.NewTracker()
	publish := func(m feed.Message) {
		want.Apply(&m)
		if err := th.Publish(&m); err != nil {
			t.Fatal(err)
		}
	}
	for i := range steps {
		for _, m := range feedtest.CallStart(fmt.Sprintf("c%03d", i), float64(i), "p1", "p2") {
			publish(m)
		}
		if i%3 == 2 {
			publish(feed.Message{Type: feed.TypeCallEnd, TS: float64(i), CallID: fmt.Sprintf("c%03d", i-2)})
			publish(feed.Message{Type: feed.TypeParticipantLeave, TS: float64(i), CallID: fmt.Sprintf("c%03d", i-1), ParticipantID: "p2"})
		}
		publish(*feedtest.StatsMsg(fmt.Sprintf("c%03d", i), "p1", float64(i), 1))
		published.Add(1)
	}
	publish(feedtest.CallStart("marker", steps, "p1")[0])
	wg.Wait()
	close(results)
	for r := range results {
		if r.err != nil {
			t.Error(r.err)
		} else if !reflect.DeepEqual(r.calls, want.Calls()) {
			t.Errorf("a subscriber ended with %d calls, the hub published %d (or they differ)", len(r.calls), len(want.Calls()))
		}
	}
}

// followUntil subscribes to url and applies what it receives to a Tracker
// until call.start of marker, checking that no live message repeats or
// misses what the snapshot said, and returns the calls it ends with.
func followUntil(url, marker string) ([]feed.Call, error) {
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var pipe feed.Pipeline
	got := feed.NewTracker()
	has := map[string]bool{}
	snapshots := 0
	for {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, frame, err := conn.ReadMessage()
		if err != nil {
			return nil, fmt.Errorf("after %d snapshots: %v", snapshots, err)
		}
		ev, ok := pipe.Frame(frame, time.Time{}, false)
		if !ok || ev.Kind != feed.EventMessage {
			continue
		}
		m := ev.Msg
		switch m.Type {
		case feed.TypeSnapshot:
			snapshots++
			clear(has)
			for _, c := range m.Calls {
				has[c.ID] = true
			}
		case feed.TypeCallStart:
			if has[m.Call.ID] {
				return nil, fmt.Errorf("call.start %s repeats a call the snapshot had", m.Call.ID)
			}
			has[m.Call.ID] = true
		case feed.TypeCallEnd:
			if !has[m.CallID] {
				return nil, fmt.Errorf("call.end %s for a call the snapshot missed", m.CallID)
			}
			delete(has, m.CallID)
		}
		got.Apply(m)
		if has[marker] { // live, or in the snapshot of a late joiner
			break
		}
	}
	if snapshots != 1 {
		return nil, fmt.Errorf("%d snapshots, want 1", snapshots)
	}
	return got.Calls(), nil
}

// TestSplitSnapshotFramesSetTheCalls: a snapshot published as raw frames
// in parts (a replayed recording's) becomes the hub's calls at its last
// part, through feed.Pipeline, and a late joiner gets all of them.
func TestSplitSnapshotFramesSetTheCalls(t *testing.T) {
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	feedtest.PublishAll(t, th, feedtest.CallStart("old", 1, "p"))
	var calls []feed.Call
	for i := range 40 {
		calls = append(calls, feed.Call{ID: fmt.Sprintf("c%02d", i), Room: "room", Participants: []feed.Participant{{ID: "p1"}}})
	}
	frames, err := feed.EncodeSnapshot(calls, 1000, 512)
	if err != nil || len(frames) < 3 {
		t.Fatalf("%d frames, %v: want a snapshot in parts", len(frames), err)
	}
	for i, f := range frames {
		if err := th.PublishFrame(f); err != nil {
			t.Fatal(err)
		}
		if i == 0 && th.Stats().Calls != 1 {
			t.Fatalf("after the first part the hub has %d calls, want the old one still", th.Stats().Calls)
		}
	}
	got, err := followUntil(th.URL(), "c39")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 40 || got[0].ID != "c00" {
		t.Fatalf("a late joiner got %d calls, want the snapshot's 40 (old one gone)", len(got))
	}
}
