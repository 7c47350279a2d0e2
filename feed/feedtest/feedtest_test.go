package feedtest

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/hub"
)

type sink struct{ msgs []feed.Message }

func (s *sink) Publish(m *feed.Message) error { s.msgs = append(s.msgs, *m); return nil }
func (*sink) PublishFrame([]byte) error       { return nil }
func (*sink) EndAll(string) error             { return nil }

func TestProbesAreTimedFromPublishToFirstSighting(t *testing.T) {
	out := &sink{}
	p := &Probes{Publisher: out, Every: 0} // a probe after every message
	for range 5 {
		if err := p.Publish(&feed.Message{Type: feed.TypeCallUpdate, TS: 1, Call: &feed.Call{ID: "c"}}); err != nil {
			t.Fatal(err)
		}
	}
	if len(out.msgs) != 10 {
		t.Fatalf("%d messages published, want 5 and 5 probes", len(out.msgs))
	}
	if m := out.msgs[1]; m.Type != feed.TypeCallStart || m.Call.ID != ProbeCallID || m.Call.Room != ProbeRoom(0) || m.Call.Tags["probe"] != "0" {
		t.Fatalf("first probe %+v, want a call.start of %s in room %s tagged 0", m, ProbeCallID, ProbeRoom(0))
	}
	if m := out.msgs[9]; m.Type != feed.TypeCallUpdate || m.Call.Room != ProbeRoom(4) {
		t.Fatalf("last probe %+v, want a call.update in room %s", m, ProbeRoom(4))
	}
	if n := ProbeSeq(out.msgs[9].Call.ID, out.msgs[9].Call.Tags); n != 4 {
		t.Fatalf("ProbeSeq of the last probe = %d, want 4", n)
	}
	if n := ProbeSeq("c", out.msgs[9].Call.Tags); n != -1 {
		t.Fatalf("ProbeSeq of another call = %d, want -1", n)
	}
	sent := p.Sent()
	sent4 := sent[4]
	l := NewLatencies()
	l.Saw(1, time.Now()) // probes 0 and 1, seen before the window
	l.Skip()
	l.Saw(-1, time.Now())              // nothing shown
	l.Saw(1, time.Now())               // seen already
	l.Saw(4, sent4.Add(time.Second))   // 2, 3 and 4
	l.Saw(3, sent4.Add(2*time.Second)) // an older one again
	if late := l.Of(sent); len(late) != 3 || late[2] != time.Second {
		t.Fatalf("latencies %v, want three, the last 1s", late)
	}
}

func TestMain(m *testing.M) {
	if arg := HubChild(); arg != "" {
		n, _ := strconv.Atoi(arg)
		os.Exit(ServeHubChild(func(ctx context.Context, p hub.Publisher) error {
			// n call.starts, 2 ms apart, then nothing until stopped.
			for i := range n {
				if err := p.Publish(&feed.Message{Type: feed.TypeCallStart, TS: 1, Call: &feed.Call{ID: "c" + strconv.Itoa(i)}}); err != nil {
					return err
				}
				time.Sleep(2 * time.Millisecond)
			}
			<-ctx.Done()
			return nil
		}))
	}
	os.Exit(m.Run())
}

func TestHubProcessServesProbesAndReportsWhenItSentThem(t *testing.T) {
	hp := StartHubProcess(t, "50")
	lp := StartClient(t, hp.URL)
	defer lp.Stop()
	l := NewLatencies()
	calls := map[string]bool{}
	deadline := time.After(10 * time.Second)
	for len(calls) < 50 {
		select {
		case ev := <-lp.Client.Events():
			if ev.Kind != feed.EventMessage {
				continue
			}
			for _, c := range ev.Msg.Calls { // calls started before the client connected
				if c.ID != ProbeCallID {
					calls[c.ID] = true
				}
			}
			if ev.Msg.Call == nil {
				continue
			}
			if ev.Msg.Call.ID != ProbeCallID {
				calls[ev.Msg.Call.ID] = true
				continue
			}
			n := ProbeSeq(ev.Msg.Call.ID, ev.Msg.Call.Tags)
			if n < 0 {
				t.Fatalf("probe tags %v", ev.Msg.Call.Tags)
			}
			l.Saw(n, time.Now())
		case <-deadline:
			t.Fatalf("%d of the child's 50 calls arrived", len(calls))
		}
	}
	sent, _, err := hp.Stop()
	if err != nil {
		t.Fatal(err)
	}
	late := l.Of(sent)
	if len(sent) < 3 || len(late) < 3 {
		t.Fatalf("%d probes sent, %d seen; want several over 100 ms of calls", len(sent), len(late))
	}
	for _, d := range late {
		if d < 0 || d > 5*time.Second {
			t.Fatalf("a probe took %v from the child's publish to this process", d)
		}
	}
}
