package alert

import (
	"slices"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// A mos-low that fires, resolves 10 s later and fires again 15 s after
// that (issue #16) is one incident: one firing post, a flap count, and one
// resolved post once it has stayed resolved for the window.
func TestFlappingAlertReopensTheSameIncident(t *testing.T) {
	b, s := newTestBook(Options{Reopen: 5 * time.Minute, DefaultFor: time.Second})
	f := finding(diagnose.RuleMOSLow, diagnose.Warning, "c1", "p1")
	open := []diagnose.Finding{f}
	b.Observe(t0, open)
	b.Observe(at(2*time.Second), open)
	first := b.Snapshot().Active[0]
	if first.State != Firing {
		t.Fatalf("want firing, got %+v", first)
	}
	var posts []string
	for i := 0; i < 4; i++ { // fire, resolve 10 s later, fire 15 s after, ...
		base := at(2*time.Second + time.Duration(i)*25*time.Second)
		b.Observe(base.Add(10*time.Second), nil)
		b.Observe(base.Add(25*time.Second), open)
		posts = append(posts, s.take()...)
	}
	snap := b.Snapshot()
	if len(snap.Active) != 1 || snap.Active[0].ID != first.ID || snap.Active[0].Flaps != 4 || snap.Active[0].State != Firing {
		t.Fatalf("want the first incident back with 4 flaps, got %+v", snap.Active)
	}
	if want := []string{"firing mos-low@c1/p1//0"}; !slices.Equal(posts, want) {
		t.Fatalf("posts while flapping: got %q, want %q", posts, want)
	}
	if len(snap.History) != 0 {
		t.Fatalf("a re-opened incident is not history: %+v", snap.History)
	}
	end := at(3 * time.Minute)
	b.Observe(end, nil)
	b.Tick(end.Add(19 * time.Minute)) // four flaps: its window is 4 x 5 min
	if got := s.take(); len(got) != 0 {
		t.Fatalf("resolved posted inside the window: %q", got)
	}
	b.Tick(end.Add(20 * time.Minute))
	if got, want := s.take(), []string{"resolved mos-low@c1/p1//0"}; !slices.Equal(got, want) {
		t.Fatalf("after the window: got %q, want %q", got, want)
	}
	if h := b.Snapshot().History; len(h) != 1 || h[0].ResolveDue || h[0].Flaps != 4 {
		t.Fatalf("history: %+v", h)
	}
}

// After the window, the same condition is a new incident with a new post.
func TestFiringAfterTheWindowIsANewIncident(t *testing.T) {
	b, s := newTestBook(Options{Reopen: time.Minute})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{f})
	b.Observe(at(10*time.Second), nil)
	b.Observe(at(2*time.Minute), []diagnose.Finding{f})
	got := s.take()
	want := []string{"firing ice-failed@c1/p1//0", "resolved ice-failed@c1/p1//0", "firing ice-failed@c1/p1//0"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if a := b.Snapshot().Active[0]; a.Flaps != 0 {
		t.Fatalf("a new incident has no flaps: %+v", a)
	}
}

// An acknowledged alert that re-opens stays acknowledged.
func TestReopenedAlertKeepsItsAck(t *testing.T) {
	b, s := newTestBook(Options{Reopen: 5 * time.Minute})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{f})
	if err := b.Ack(f.Key(), "ana", "on it", at(time.Second)); err != nil {
		t.Fatal(err)
	}
	b.Observe(at(5*time.Second), nil)
	b.Observe(at(20*time.Second), []diagnose.Finding{f})
	a := b.Snapshot().Active[0]
	if a.State != Acknowledged || a.Ack == nil || a.Ack.Who != "ana" || a.Flaps != 1 {
		t.Fatalf("want acknowledged by ana with one flap, got %+v", a)
	}
	if got := s.take(); slices.Contains(got, "resolved ice-failed@c1/p1//0") {
		t.Fatalf("resolved posted for a re-opened incident: %q", got)
	}
}

// An alert that has flapped must stay quiet longer before it is over:
// its window grows with its flaps (at most four times Reopen).
func TestFlappedAlertWaitsLongerBeforeItIsOver(t *testing.T) {
	b, s := newTestBook(Options{Reopen: 5 * time.Minute, DefaultFor: -1})
	f := finding(diagnose.RuleICEDisconnected, diagnose.Critical, "c1", "p1")
	open := []diagnose.Finding{f}
	b.Observe(t0, open)
	b.Observe(at(time.Minute), nil)
	b.Observe(at(4*time.Minute), open) // flap 1: its window is now 10 min
	b.Observe(at(5*time.Minute), nil)
	b.Observe(at(11*time.Minute), open) // 6 min later: still the same incident
	if a := b.Snapshot().Active[0]; a.Flaps != 2 {
		t.Fatalf("want the incident re-opened twice, got %+v", a)
	}
	if got := s.take(); !slices.Equal(got, []string{"firing " + f.Key()}) {
		t.Fatalf("posts %q", got)
	}
}
