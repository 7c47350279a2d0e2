package alert

import (
	"slices"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

func TestPendingThenFiringAfterFor(t *testing.T) {
	b, s := newTestBook(Options{})
	f := finding(diagnose.RuleLossInbound, diagnose.Warning, "c1", "p1")
	key := f.Key()
	for sec := 0; sec < 10; sec++ {
		b.Observe(at(time.Duration(sec)*time.Second), []diagnose.Finding{f})
		if a := active(t, b, key); a.State != Pending {
			t.Fatalf("at %ds: state %s, want pending until the 10 s `for`", sec, a.State)
		}
	}
	wantSent(t, s)
	b.Observe(at(10*time.Second), []diagnose.Finding{f})
	a := active(t, b, key)
	if a.State != Firing || !a.FiredAt.Equal(at(10*time.Second)) || !a.Start.Equal(t0) {
		t.Fatalf("after 10 s: %+v, want firing, fired at +10s, started at t0", a)
	}
	wantSent(t, s, "firing "+key)
	// The same finding observed again never makes a second alert or notification.
	for sec := 11; sec < 20; sec++ {
		b.Observe(at(time.Duration(sec)*time.Second), []diagnose.Finding{f, f})
	}
	if n := len(b.Snapshot().Active); n != 1 {
		t.Fatalf("%d active alerts for one finding, want 1", n)
	}
	wantSent(t, s)
}

func TestInfoFindingsDoNotAlertAndCriticalConnectivityFiresAtOnce(t *testing.T) {
	b, s := newTestBook(Options{})
	info := finding(diagnose.RuleRelayTCP, diagnose.Info, "c1", "p1")
	failed := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p2")
	b.Observe(t0, []diagnose.Finding{info, failed})
	snap := b.Snapshot()
	if len(snap.Active) != 1 || snap.Active[0].Key != failed.Key() || snap.Active[0].State != Firing {
		t.Fatalf("active = %v, want only ice-failed, firing at once", keys(snap.Active))
	}
	wantSent(t, s, "firing "+failed.Key())
}

func TestPendingClearedBeforeForLeavesNoTrace(t *testing.T) {
	b, s := newTestBook(Options{})
	f := finding(diagnose.RuleJitterHigh, diagnose.Warning, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{f})
	b.Observe(at(5*time.Second), nil)
	snap := b.Snapshot()
	if len(snap.Active) != 0 || len(snap.History) != 0 {
		t.Fatalf("active %v history %v, want none", keys(snap.Active), keys(snap.History))
	}
	if got := eventKinds(b, 0); !slices.Equal(got, []EventKind{EvPending, EvPendingCleared}) {
		t.Fatalf("events %v", got)
	}
	wantSent(t, s)
}

func TestResolveKeepsHistoryWithDuration(t *testing.T) {
	b, s := newTestBook(Options{})
	f := finding(diagnose.RuleRTTHigh, diagnose.Warning, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{f})
	b.Observe(at(10*time.Second), []diagnose.Finding{f})
	b.Observe(at(70*time.Second), nil)
	wantSent(t, s, "firing "+f.Key(), "resolved "+f.Key())
	snap := b.Snapshot()
	if len(snap.Active) != 0 || len(snap.History) != 1 {
		t.Fatalf("active %v history %v", keys(snap.Active), keys(snap.History))
	}
	h := snap.History[0]
	if h.State != Resolved || !h.End.Equal(at(70*time.Second)) || h.Duration(at(time.Hour)) != 70*time.Second {
		t.Fatalf("history %+v: want resolved at +70s lasting 70s", h)
	}
	// The same finding again is a new alert instance, pending again.
	b.Observe(at(80*time.Second), []diagnose.Finding{f})
	if a := active(t, b, f.Key()); a.State != Pending || a.ID == h.ID {
		t.Fatalf("reopened alert %+v: want a new pending instance", a)
	}
}

func TestAckStopsRepeatAndEscalationFiresAgain(t *testing.T) {
	b, s := newTestBook(Options{})
	f := finding(diagnose.RuleLossInbound, diagnose.Warning, "c1", "p1")
	key := f.Key()
	b.Observe(t0, []diagnose.Finding{f})
	if err := b.Ack(key, "", "", at(time.Second)); err == nil {
		t.Fatal("acking a pending alert succeeded")
	}
	b.Observe(at(10*time.Second), []diagnose.Finding{f})
	if err := b.Ack("nope", "", "", at(11*time.Second)); err == nil {
		t.Fatal("acking an unknown alert succeeded")
	}
	if err := b.Ack(key, "", "looking at it", at(11*time.Second)); err != nil {
		t.Fatal(err)
	}
	a := active(t, b, key)
	if a.State != Acknowledged || a.Ack == nil || a.Ack.Who != "tester" || a.Ack.Note != "looking at it" ||
		!a.Ack.At.Equal(at(11*time.Second)) {
		t.Fatalf("after ack: %+v %+v", a, a.Ack)
	}
	wantSent(t, s, "firing "+key, "acknowledged "+key)
	// No repeat while acknowledged, even after hours.
	b.Observe(at(3*time.Hour), []diagnose.Finding{f})
	wantSent(t, s)
	// Escalation: the same finding now critical fires again, unacknowledged.
	f.Severity = diagnose.Critical
	b.Observe(at(3*time.Hour+time.Second), []diagnose.Finding{f})
	a = active(t, b, key)
	if a.State != Firing || a.Ack != nil || a.Severity != diagnose.Critical {
		t.Fatalf("after escalation: %+v", a)
	}
	wantSent(t, s, "firing "+key)
	// Going back to warning and up again does not re-escalate.
	f.Severity = diagnose.Warning
	b.Observe(at(3*time.Hour+2*time.Second), []diagnose.Finding{f})
	f.Severity = diagnose.Critical
	b.Observe(at(3*time.Hour+3*time.Second), []diagnose.Finding{f})
	wantSent(t, s)
}

func TestAckTimeoutReturnsToFiring(t *testing.T) {
	b, s := newTestBook(Options{AckTimeout: 15 * time.Minute})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{f})
	if err := b.Ack(f.Key(), "alice", "", at(time.Minute)); err != nil {
		t.Fatal(err)
	}
	wantSent(t, s, "firing "+f.Key(), "acknowledged "+f.Key())
	b.Observe(at(15*time.Minute+59*time.Second), []diagnose.Finding{f})
	if a := active(t, b, f.Key()); a.State != Acknowledged {
		t.Fatalf("before timeout: %s", a.State)
	}
	b.Observe(at(16*time.Minute), []diagnose.Finding{f})
	a := active(t, b, f.Key())
	if a.State != Firing || a.Ack != nil {
		t.Fatalf("after ack timeout: %+v", a)
	}
	wantSent(t, s, "firing "+f.Key())
	if got := eventKinds(b, 0); !slices.Contains(got, EvAckExpired) {
		t.Fatalf("no ack-expired event in %v", got)
	}
}

func TestRenotifyUnacknowledgedFiring(t *testing.T) {
	b, s := newTestBook(Options{})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	for m := 0; m <= 61; m++ {
		b.Observe(at(time.Duration(m)*time.Minute), []diagnose.Finding{f})
	}
	wantSent(t, s, "firing "+f.Key(), "repeat "+f.Key(), "repeat "+f.Key())

	off, s2 := newTestBook(Options{RenotifyEvery: -1})
	for m := 0; m <= 61; m++ {
		off.Observe(at(time.Duration(m)*time.Minute), []diagnose.Finding{f})
	}
	wantSent(t, s2, "firing "+f.Key())
}

func TestStaleParticipantRaisesOneAlert(t *testing.T) {
	b, s := newTestBook(Options{})
	p := diagnose.Subject{CallID: "c1", ParticipantID: "p1"}
	b.Stale(t0, []diagnose.Subject{p, p})
	b.Stale(at(time.Second), []diagnose.Subject{p})
	snap := b.Snapshot()
	if len(snap.Active) != 1 || snap.Active[0].Rule != RuleParticipantStale || snap.Active[0].State != Firing {
		t.Fatalf("active %v", keys(snap.Active))
	}
	key := snap.Active[0].Key
	// Observe (findings) does not resolve a stale alert; Stale does.
	b.Observe(at(2*time.Second), nil)
	active(t, b, key)
	b.Stale(at(3*time.Second), nil)
	wantSent(t, s, "firing "+key, "resolved "+key)
}

func TestHistoryBounded(t *testing.T) {
	b, _ := newTestBook(Options{HistoryMax: 5, HistoryAge: time.Hour})
	for i := range 8 {
		f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", string(rune('a'+i)))
		b.Observe(at(time.Duration(i)*time.Minute), []diagnose.Finding{f})
		b.Observe(at(time.Duration(i)*time.Minute+time.Second), nil)
	}
	h := b.Snapshot().History
	if len(h) != 5 || h[0].Subject.ParticipantID != "h" || h[4].Subject.ParticipantID != "d" {
		t.Fatalf("history %v, want the newest 5, newest first", keys(h))
	}
	b.Tick(at(7*time.Minute + time.Hour))
	if h := b.Snapshot().History; len(h) != 1 || h[0].Subject.ParticipantID != "h" {
		t.Fatalf("history after an hour %v, want only the last", keys(h))
	}
}

func TestEventLogBounded(t *testing.T) {
	b, _ := newTestBook(Options{EventMax: 10})
	for i := range 50 {
		b.Note(at(time.Duration(i)*time.Second), "note")
	}
	ev := b.Snapshot().Events
	if len(ev) != 10 || ev[9].Seq != 50 || ev[0].Seq != 41 {
		t.Fatalf("%d events, last seq %d", len(ev), ev[len(ev)-1].Seq)
	}
	if got := b.EventsSince(47); len(got) != 3 || got[0].Seq != 48 {
		t.Fatalf("EventsSince(47) = %d events", len(got))
	}
}

func TestClockGoingBackDoesNotStallTheBook(t *testing.T) {
	// The engine may give wall time before data arrives, then data time
	// that is months older (a simulator): alerts must still fire.
	b, s := newTestBook(Options{})
	b.FeedDown(at(300*24*time.Hour), "connecting")
	b.FeedUp(at(300*24*time.Hour + time.Second))
	s.take()
	f := finding(diagnose.RuleLossInbound, diagnose.Warning, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{f})
	b.Observe(at(9*time.Second), []diagnose.Finding{f})
	wantSent(t, s)
	b.Observe(at(10*time.Second), []diagnose.Finding{f})
	wantSent(t, s, "firing "+f.Key())
	if !b.Now().Equal(at(10 * time.Second)) {
		t.Fatalf("Now = %s", b.Now())
	}
}

func TestRestoreGraceFollowsTheClockBack(t *testing.T) {
	old, _ := newTestBook(Options{})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	old.Observe(t0, []diagnose.Finding{f})
	b, s := newTestBook(Options{})
	if err := b.Restore(old.Persist(), at(300*24*time.Hour)); err != nil { // wall time
		t.Fatal(err)
	}
	b.Observe(t0, nil) // data time, months older: the grace starts again
	b.Observe(at(time.Minute), []diagnose.Finding{f})
	if a := active(t, b, f.Key()); a.State != Firing {
		t.Fatalf("restored alert %s", a.State)
	}
	wantSent(t, s)
}
