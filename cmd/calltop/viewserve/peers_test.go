package viewserve

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/view"
	"github.com/calltop/calltop/feed"
)

// FuzzDecodePeerRows: any frame is decoded or refused with an error
// naming the hub, never a panic; what is taken holds only the hub's own
// calls.
func FuzzDecodePeerRows(f *testing.F) {
	f.Fuzz(func(t *testing.T, hubID string, frame []byte) {
		r, err := DecodePeerRows(hubID, frame)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", hubID)) {
				t.Fatalf("error %q does not name the hub %q", err, hubID)
			}
			return
		}
		for _, row := range r.Rows {
			if !strings.HasPrefix(row.Key, hubID+"/") {
				t.Fatalf("row %q of another hub than %q taken", row.Key, hubID)
			}
			view.FromWire(row)
		}
		for _, k := range r.Gone {
			if !strings.HasPrefix(k, hubID+"/") {
				t.Fatalf("removal %q of another hub than %q taken", k, hubID)
			}
		}
	})
}

func TestDecodePeerRowsRefusesOtherHubsCalls(t *testing.T) {
	for frame, want := range map[string]string{
		`{"type":"view.rows","rows":[{"key":"west/call-1"}]}`: `rows[0] key "west/call-1" is not one of its calls (east/...)`,
		`{"type":"view.rows","gone":["east/c","east/"]}`:      `gone[1] key "east/" is not one of its calls`,
		`{"type":"view.window"}`:                              `want type "view.rows", got "view.window"`,
		`[]`:                                                  `frame is not a JSON object`,
		`{"type":"view.rows","rows":[{"key":1}]}`:             `view rows of hub "east": json: cannot unmarshal`,
	} {
		_, err := DecodePeerRows("east", []byte(frame))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", frame, err, want)
		}
	}
}

// peerHub is a Server sharing its own calls the way a team hub on a bus
// does: what it sends goes into the others' Peer.
type peerHub struct {
	id     string
	s      *Server
	others []*peerHub
	sent   int // bytes
}

func (p *peerHub) send(frame []byte) {
	p.sent += len(frame)
	for _, o := range p.others {
		o.s.Peer(p.id, frame)
	}
}

func calls(hub string, n int, sev diagnose.Severity) []*diagnose.CallSummary {
	out := make([]*diagnose.CallSummary, n)
	for i := range out {
		out[i] = call(fmt.Sprintf("%s/call-%d", hub, i), sev)
	}
	return out
}

// TestPeersRowsBesideOwn: each hub's index holds its own calls and the
// other's, a change and a call gone reach the other, a hub's full set (as
// a newcomer or a new run of it gets) replaces what it had, the rows are
// marked lost while their hub is, and gone when it is.
func TestPeersRowsBesideOwn(t *testing.T) {
	a := &peerHub{id: "a", s: New(Config{Logf: t.Logf})}
	b := &peerHub{id: "b", s: New(Config{Logf: t.Logf})}
	a.others, b.others = []*peerHub{b}, []*peerHub{a}
	now := time.Now()
	ac, bc := calls("a", 30, diagnose.None), calls("b", 20, diagnose.None)
	a.s.Sync(diagnose.Snapshot{FeedTime: now, Calls: ac})
	b.s.Sync(diagnose.Snapshot{FeedTime: now, Calls: bc})
	a.s.shareOnce(a.send)
	b.s.shareOnce(b.send)
	worst := func(s *Server) view.Window {
		return s.index.Apply(view.Request{Sort: view.SortSeverity, Limit: 5, Ended: true})
	}
	if w := worst(a.s); w.Total != 50 {
		t.Fatalf("a holds %d calls, want its 30 and b's 20", w.Total)
	}
	// b: one call turns critical, one goes; a syncs again (its rows stay).
	bc = append([]*diagnose.CallSummary(nil), bc[:19]...)
	bc[7] = call("b/call-7", diagnose.Critical)
	b.s.Sync(diagnose.Snapshot{FeedTime: now.Add(time.Second), Calls: bc})
	sentBefore := b.sent
	b.s.shareOnce(b.send)
	if d := b.sent - sentBefore; d > 600 {
		t.Fatalf("one changed row and one gone took %d bytes: more than the change", d)
	}
	a.s.Sync(diagnose.Snapshot{FeedTime: now.Add(time.Second), Calls: ac})
	w := worst(a.s)
	if w.Total != 49 || w.Rows[0].Key != "b/call-7" || w.Counts.Critical != 1 {
		t.Fatalf("at a after b's change: %d calls, worst %s, %d critical", w.Total, w.Rows[0].Key, w.Counts.Critical)
	}
	// b lost: its rows stay, lost; back: not lost.
	a.s.PeerLost("b", true)
	w = worst(a.s)
	if w.Rows[0].Key != "b/call-7" || w.Sources[0] != feed.SourceLost {
		t.Fatalf("b lost: worst %s source %q", w.Rows[0].Key, w.Sources[0])
	}
	a.s.PeerLost("b", false)
	if w = worst(a.s); w.Sources[0] != "" {
		t.Fatalf("b back: source %q", w.Sources[0])
	}
	// A new run of b with 3 calls: its first share is a full set that
	// replaces the 19; a newcomer asking gets the full set.
	b.s = New(Config{Logf: t.Logf})
	b.s.Sync(diagnose.Snapshot{FeedTime: now, Calls: calls("b", 3, diagnose.Warning)})
	b.s.shareOnce(b.send)
	if w = worst(a.s); w.Total != 33 || w.Counts.Warning != 3 {
		t.Fatalf("after b's new run: %d calls, %d warnings, want 30 + 3 warnings", w.Total, w.Counts.Warning)
	}
	c := New(Config{Logf: t.Logf})
	b.s.FullView(func(f []byte) { c.Peer("b", f) })
	if n := c.index.Len(); n != 3 {
		t.Fatalf("a newcomer got %d of b's rows, want 3", n)
	}
	// b gone for good.
	a.s.Peer("b", nil)
	if w = worst(a.s); w.Total != 30 {
		t.Fatalf("b gone: %d calls, want a's 30", w.Total)
	}
	// Another hub's call in b's frame is refused, and nothing of it taken.
	bad, _ := json.Marshal(PeerRows{Type: TypePeerRows, Rows: []feed.ViewRow{{Key: "b/call-1"}, {Key: "a/call-1"}}})
	a.s.Peer("b", bad)
	if w = worst(a.s); w.Total != 30 || a.s.Stats().PeerRefused != 1 {
		t.Fatalf("b speaking for a's call: %d calls, %d refused", w.Total, a.s.Stats().PeerRefused)
	}
}

// TestFullSetSplitsIntoFrames: a full set bigger than one frame goes in
// several, the last marked, and a newcomer takes every row.
func TestFullSetSplitsIntoFrames(t *testing.T) {
	s := New(Config{Logf: t.Logf})
	s.Sync(diagnose.Snapshot{FeedTime: time.Now(), Calls: calls("a", 3000, diagnose.None)})
	var frames [][]byte
	s.shareOnce(func(f []byte) { frames = append(frames, f) })
	c := New(Config{Logf: t.Logf})
	for _, f := range frames {
		if len(f) > 2*shareFrameBytes {
			t.Fatalf("a frame of %d bytes", len(f))
		}
		c.Peer("a", f)
	}
	if len(frames) < 2 || c.index.Len() != 3000 {
		t.Fatalf("%d frames gave %d rows, want 3000 in more than one frame", len(frames), c.index.Len())
	}
}
