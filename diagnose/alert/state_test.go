package alert

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

func TestPersistRestoreKeepsAcksSilencesHistory(t *testing.T) {
	b, _ := newTestBook(Options{})
	acked := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	gone := finding(diagnose.RuleICEFailed, diagnose.Critical, "c2", "p2")
	old := finding(diagnose.RuleICEFailed, diagnose.Critical, "c3", "p3")
	b.Observe(t0, []diagnose.Finding{acked, gone, old})
	b.Observe(at(time.Second), []diagnose.Finding{acked, gone})
	if err := b.Ack(acked.Key(), "alice", "on it", at(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.MuteFor(Matcher{CallID: "c9"}, time.Hour, "bob", "maintenance", at(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	p := b.Persist()

	// A new Book, later, restores it and sees the acked finding again.
	nb, s := newTestBook(Options{})
	if err := nb.Restore(p, at(time.Minute)); err != nil {
		t.Fatal(err)
	}
	snap := nb.Snapshot()
	if len(snap.Silences) != 1 || snap.Silences[0].Who != "bob" || len(snap.History) != 1 || len(nb.Restored()) != 2 {
		t.Fatalf("restored: %d silences, history %v, waiting %v", len(snap.Silences), keys(snap.History), keys(nb.Restored()))
	}
	nb.Observe(at(time.Minute+time.Second), []diagnose.Finding{acked})
	a := active(t, nb, acked.Key())
	if a.State != Acknowledged || a.Ack.Who != "alice" || a.Ack.Note != "on it" || !a.Start.Equal(t0) {
		t.Fatalf("restored alert %+v ack %+v", a, a.Ack)
	}
	wantSent(t, s) // no second firing notification after a restart
	// The alert whose finding never came back resolves after the grace.
	nb.Observe(at(3*time.Minute+time.Second), []diagnose.Finding{acked})
	wantSent(t, s, "resolved "+gone.Key())
	if h := nb.Snapshot().History; len(h) != 2 || !strings.Contains(h[0].Note, "stopped") {
		t.Fatalf("history %v note %q", keys(h), h[0].Note)
	}
	// Silence ids continue, never reused.
	sil, _ := nb.MuteFor(Matcher{All: true}, time.Minute, "", "", at(4*time.Minute))
	if sil.ID != "s2" {
		t.Fatalf("new silence id %s, want s2", sil.ID)
	}
}

// A TUI's book posts nothing, so its state says nothing was posted: a
// watch restoring it posts the alert firing first, and never posts
// resolved for an alert it never posted firing (issue #16).
func TestNoResolvedPostForWhatWasNeverPostedFiring(t *testing.T) {
	tui := NewBook(Options{User: "tui", Reopen: -1})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	g := finding(diagnose.RuleICEFailed, diagnose.Critical, "c2", "p2")
	tui.Observe(t0, []diagnose.Finding{f, g})
	p := tui.Persist()
	for _, a := range p.Active {
		if a.Notified {
			t.Fatalf("a book without a sender marked %s notified", a.Key)
		}
	}
	watch, s := newTestBook(Options{})
	if err := watch.Restore(p, at(time.Second)); err != nil {
		t.Fatal(err)
	}
	watch.Observe(at(2*time.Second), []diagnose.Finding{f}) // g is gone
	got := s.take()
	if !slices.Equal(got, []string{"firing ice-failed@c1/p1//0"}) {
		t.Fatalf("got %q: want c1's firing post and nothing about c2", got)
	}
	watch.Tick(at(5 * time.Minute)) // g's restore grace runs out: it resolves unposted
	if got := s.take(); len(got) != 0 {
		t.Fatalf("posted %q for an alert never posted firing", got)
	}
}

// An until-resolved silence whose alert resolved a minute before the save
// (so still in its re-open window in the saving process) is kept by a
// process that restores the file: a watch started beside a TUI must not
// drop, at start, a silence the TUI still shows.
func TestRestoreKeepsAnUntilResolvedSilenceInItsAlertsReopenWindow(t *testing.T) {
	tui := NewBook(Options{User: "tui", Reopen: 5 * time.Minute, DefaultFor: time.Second})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	tui.Observe(t0, []diagnose.Finding{f})
	tui.Observe(at(2*time.Second), []diagnose.Finding{f})
	if _, err := tui.Mute(Matcher{CallID: "c1"}, time.Time{}, true, "dana", "", at(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	tui.Observe(at(time.Minute), nil) // resolves: in its re-open window
	if n := len(tui.Snapshot().Silences); n != 1 {
		t.Fatalf("the saving book holds %d silences, want 1", n)
	}
	watch, _ := newTestBook(Options{Reopen: 5 * time.Minute, DefaultFor: time.Second})
	if err := watch.Restore(tui.Persist(), at(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if snap := watch.Snapshot(); len(snap.Silences) != 1 {
		t.Fatalf("the restoring book dropped the silence: %+v", snap.Silences)
	}
	// The alert comes back within the window: the same incident, still muted.
	watch.Observe(at(2*time.Minute+time.Second), []diagnose.Finding{f})
	if a := active(t, watch, f.Key()); !a.Muted() {
		t.Fatalf("the alert came back unmuted: %+v", a)
	}
	// Once the window has passed, the silence ends.
	watch.Observe(at(3*time.Minute), nil)
	watch.Tick(at(14 * time.Minute)) // it flapped once: a 10-minute window
	watch.Tick(at(14*time.Minute + time.Second))
	if n := len(watch.Snapshot().Silences); n != 0 {
		t.Fatalf("%d silences after the window, want 0", n)
	}
}
