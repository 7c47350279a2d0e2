package alert

import (
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// Two books on one state file (a TUI and a watch) see each other's
// silences, removals, acks and un-acks.
func TestMergeTakesInAnotherProcesssActions(t *testing.T) {
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	g := finding(diagnose.RuleICEFailed, diagnose.Critical, "c2", "p2")
	open := []diagnose.Finding{f, g}
	tui, _ := newTestBook(Options{User: "ana"})
	watch, sent := newTestBook(Options{User: "watch"})
	tui.Observe(t0, open)
	watch.Observe(t0, open)
	sent.take()

	if err := tui.Ack(f.Key(), "", "on it", at(time.Second)); err != nil {
		t.Fatal(err)
	}
	sil, err := tui.MuteFor(Matcher{CallID: "c2"}, time.Hour, "", "ISP", at(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if !watch.Merge(tui.Persist(), at(2*time.Second)) {
		t.Fatal("merge saw no change")
	}
	snap := watch.Snapshot()
	for _, a := range snap.Active {
		switch a.Key {
		case f.Key():
			if a.State != Acknowledged || a.Ack.Who != "ana" || a.Ack.Note != "on it" {
				t.Fatalf("the TUI's ack did not reach the watch: %+v", a)
			}
		case g.Key():
			if !a.Muted() {
				t.Fatalf("the TUI's silence did not reach the watch: %+v", a)
			}
		}
	}
	if watch.Merge(tui.Persist(), at(3*time.Second)) {
		t.Fatal("merging the same state twice changed something")
	}

	// The other way: the watch's side un-acks and expires the silence.
	if err := watch.Unack(f.Key(), "bob", at(4*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := watch.Unmute(sil.ID, at(4*time.Second)); err != nil {
		t.Fatal(err)
	}
	tui.Merge(watch.Persist(), at(5*time.Second))
	for _, a := range tui.Snapshot().Active {
		if a.State != Firing || a.Muted() {
			t.Fatalf("after the watch's un-ack and expire, the TUI shows %+v", a)
		}
	}
	if n := len(tui.Silences()); n != 0 {
		t.Fatalf("%d silences left in the TUI", n)
	}
}

// Silences made at once in two processes get the same id; both processes
// rename the later one the same way, so they agree.
func TestMergeRenamesClashingSilenceIDsTheSameWay(t *testing.T) {
	a, _ := newTestBook(Options{User: "ana"})
	b, _ := newTestBook(Options{User: "bob"})
	if _, err := a.MuteFor(Matcher{CallID: "c1"}, time.Hour, "", "", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := b.MuteFor(Matcher{CallID: "c2"}, time.Hour, "", "", at(time.Second)); err != nil {
		t.Fatal(err)
	}
	pa, pb := a.Persist(), b.Persist()
	a.Merge(pb, at(2*time.Second))
	b.Merge(pa, at(2*time.Second))
	ids := func(bk *Book) map[string]string {
		out := map[string]string{}
		for _, s := range bk.Silences() {
			out[s.ID] = s.Matcher.CallID
		}
		return out
	}
	ia, ib := ids(a), ids(b)
	if len(ia) != 2 || len(ib) != 2 || ia["s1"] != "c1" || ib["s1"] != "c1" {
		t.Fatalf("ids in a %v, in b %v", ia, ib)
	}
	for id, call := range ia {
		if ib[id] != call {
			t.Fatalf("ids differ: a %v, b %v", ia, ib)
		}
	}
}

// An ack made in another process before the alert fired here (its clock
// ran ahead: a team hub beside another) holds when it fires here, without
// a firing post; an ack of an earlier incident of the key does not.
func TestAckMadeElsewhereBeforeItFiredHereHolds(t *testing.T) {
	f := finding(diagnose.RuleLossInbound, diagnose.Warning, "c1", "p1")
	opts := Options{User: "hub-a", For: map[string]time.Duration{diagnose.RuleLossInbound: 10 * time.Second}}
	ahead, _ := newTestBook(opts)
	behind, sent := newTestBook(Options{User: "hub-b", For: opts.For})
	ahead.Observe(t0, []diagnose.Finding{f})
	ahead.Observe(at(10*time.Second), []diagnose.Finding{f})
	if err := ahead.Ack(f.Key(), "dana", "on it", at(11*time.Second)); err != nil {
		t.Fatal(err)
	}
	behind.Observe(t0, []diagnose.Finding{f}) // still pending here
	behind.Merge(ahead.Persist(), at(time.Second))
	behind.Observe(at(12*time.Second), []diagnose.Finding{f}) // fires here now
	a := behind.Snapshot().Active[0]
	if a.State != Acknowledged || a.Ack == nil || a.Ack.Who != "dana" || a.Ack.Note != "on it" {
		t.Fatalf("after firing here: %+v", a)
	}
	for _, n := range sent.take() {
		if strings.HasPrefix(n, string(NotifyFiring)+" ") {
			t.Fatalf("an alert acked elsewhere was posted as firing: %s", n)
		}
	}
	// Resolved, then a new incident of the same key: the old ack is not its.
	behind.Observe(at(20*time.Second), nil)
	behind.Observe(at(5*time.Minute), []diagnose.Finding{f})
	behind.Observe(at(5*time.Minute+10*time.Second), []diagnose.Finding{f})
	for _, a := range behind.Snapshot().Active {
		if a.Key == f.Key() && a.State != Firing {
			t.Fatalf("the next incident took the earlier ack: %+v", a)
		}
	}
}
