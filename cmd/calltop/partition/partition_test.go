package partition

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

func newMonitor() engine.Monitor { return diagnose.NewMonitor(diagnose.Options{}) }

// A hub's Monitor holds only its own calls, from live messages and from a
// snapshot naming every hub's, and keeps the concrete Monitor's methods
// the engine looks for.
func TestOwnCallsMonitorDiagnosesOnlyTheHubsCalls(t *testing.T) {
	m := OwnCalls("east", newMonitor)()
	ts := 1.7e12
	for _, msg := range []feed.Message{
		{Type: feed.TypeSnapshot, TS: ts, Calls: []feed.Call{{ID: "east/a", Start: ts}, {ID: "west/a", Start: ts}}},
		{Type: feed.TypeCallStart, TS: ts, Call: &feed.Call{ID: "west/b", Start: ts}},
		{Type: feed.TypeCallStart, TS: ts, Call: &feed.Call{ID: "east/b", Start: ts}},
		{Type: feed.TypeParticipantJoin, TS: ts, CallID: "west/c", Participant: &feed.Participant{ID: "p1"}},
		{Type: feed.TypeParticipantJoin, TS: ts, CallID: "east/b", Participant: &feed.Participant{ID: "p1"}},
		{Type: feed.TypeCallEnd, TS: ts + 1000, CallID: "west/a", Reason: "hangup"},
	} {
		m.Apply(&msg)
	}
	var ids []string
	for _, c := range m.Snapshot("").Calls {
		ids = append(ids, c.ID)
	}
	if got := strings.Join(slices.Sorted(slices.Values(ids)), " "); got != "east/a east/b" {
		t.Fatalf("calls diagnosed at east: %s", got)
	}
	if _, ok := m.(interface{ Epoch() int }); !ok {
		t.Fatal("the wrapper hides the Monitor's Epoch, which the engine looks for")
	}
	if _, ok := m.(interface {
		TakeEnded() []diagnose.EndedCall
	}); !ok {
		t.Fatal("the wrapper hides the Monitor's ended calls, which history takes")
	}
}

func findingsFrame(t *testing.T, calls ...string) []byte {
	t.Helper()
	w := feed.TeamFindings{Type: feed.TypeTeamFindings}
	for _, c := range calls {
		w.Findings = append(w.Findings, feed.TeamFinding{Rule: "rtt-high", Severity: "warning", Call: c, Message: "RTT of " + c})
	}
	b, err := feed.EncodeTeam(w)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The board serves the union of this hub's findings and the others',
// shares only its own, refuses a hub's findings of another's calls and
// drops a hub's findings when it is gone.
func TestBoardServesEveryHubsFindingsOnce(t *testing.T) {
	b := NewBoard("east")
	var shared, published [][]byte
	b.Share = func(f []byte) { shared = append(shared, f) }
	b.Publish = func(f []byte) { published = append(published, f) }
	calls := func() string {
		t.Helper()
		var w feed.TeamFindings
		if err := feed.DecodeTeam(published[len(published)-1], feed.TypeTeamFindings, &w); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range w.Findings {
			ids = append(ids, f.Call)
		}
		return strings.Join(ids, " ")
	}
	b.Own(findingsFrame(t, "east/a"))
	b.Peer("west", findingsFrame(t, "west/x", "east/a")) // west speaks for east/a too: refused
	b.Peer("alpha", findingsFrame(t, "alpha/q"))
	if got := calls(); got != "alpha/q east/a west/x" {
		t.Fatalf("served findings: %s", got)
	}
	if b.Refused() != 1 {
		t.Fatalf("refused %d, want west's finding of east/a", b.Refused())
	}
	if len(shared) != 1 || !strings.Contains(string(shared[0]), "east/a") || strings.Contains(string(shared[0]), "west/") {
		t.Fatalf("shared on the bus: %q", shared)
	}
	n := len(published)
	b.Peer("alpha", findingsFrame(t, "alpha/q")) // nothing new: nothing sent
	if len(published) != n {
		t.Fatal("an unchanged union was published again")
	}
	b.Peer("west", nil)
	if got := calls(); got != "alpha/q east/a" {
		t.Fatalf("after west is gone: %s", got)
	}
	if string(b.Frame()) != string(published[len(published)-1]) {
		t.Fatal("a joining subscriber would not get the newest union")
	}
}

// A fleet whose open findings would make a frame larger than a client
// reads gets the most severe that fit, not a frame that drops every
// subscriber.
func TestBoardKeepsTheUnionUnderTheFrameLimit(t *testing.T) {
	b := NewBoard("east")
	var published [][]byte
	b.Publish = func(f []byte) { published = append(published, f) }
	w := feed.TeamFindings{Type: feed.TypeTeamFindings}
	for i := range 12000 { // about 140 bytes each: 1.7 MB
		sev := "warning"
		if i%10 == 0 {
			sev = "critical"
		}
		w.Findings = append(w.Findings, feed.TeamFinding{Rule: "rtt-high", Severity: sev,
			Call: fmt.Sprintf("east/call-%05d", i), Message: "Round trip 480 ms to the server"})
	}
	own, err := feed.EncodeTeam(w)
	if err != nil {
		t.Fatal(err)
	}
	b.Own(own)
	if len(published) != 1 {
		t.Fatalf("%d frames published, want 1", len(published))
	}
	f := published[0]
	if len(f) > feed.MaxFrameBytes {
		t.Fatalf("union of %d bytes, over the %d a client reads", len(f), feed.MaxFrameBytes)
	}
	var got feed.TeamFindings
	if err := feed.DecodeTeam(f, feed.TypeTeamFindings, &got); err != nil {
		t.Fatal(err)
	}
	crit := 0
	for _, x := range got.Findings {
		if x.Severity == "critical" {
			crit++
		}
	}
	if crit != 1200 || len(got.Findings) < 7000 || len(got.Findings) == 12000 {
		t.Fatalf("kept %d findings, %d critical; want every one of the 1,200 critical and as many warnings as fit", len(got.Findings), crit)
	}
}

// A subscriber joining takes the union (Frame) under the hub's lock while
// the board, publishing, waits for that lock: Frame must not wait for the
// board (CI once hung 20 minutes on exactly this).
func TestBoardFrameDoesNotWaitForPublishing(t *testing.T) {
	b := NewBoard("east")
	b.Own(findingsFrame(t, "east/a"))
	var hubMu sync.Mutex // the hub's lock
	b.Publish = func([]byte) {
		joined := make(chan []byte)
		go func() { // a subscriber joining: under the hub's lock, it reads the union
			hubMu.Lock()
			defer hubMu.Unlock()
			joined <- b.Frame()
		}()
		select {
		case f := <-joined:
			if len(f) == 0 {
				t.Error("a subscriber joining got no findings frame")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Frame waited for the board's publishing: a subscriber joining and the board deadlock")
		}
		hubMu.Lock()
		//lint:ignore SA2001 waiting for the PublishFrame in progress to finish is the point
		hubMu.Unlock()
	}
	b.Peer("west", findingsFrame(t, "west/x"))
}
