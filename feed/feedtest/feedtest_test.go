package feedtest

import (
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
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
	sent4, _ := p.SentAt(4)
	l := NewLatencies(p)
	l.Saw(1, time.Now()) // probes 0 and 1, seen before the window
	l.Skip()
	l.Saw(-1, time.Now())              // nothing shown
	l.Saw(1, time.Now())               // seen already
	l.Saw(4, sent4.Add(time.Second))   // 2, 3 and 4
	l.Saw(3, sent4.Add(2*time.Second)) // an older one again
	if len(l.late) != 3 || l.late[2] != time.Second {
		t.Fatalf("latencies %v, want three, the last 1s", l.late)
	}
}
