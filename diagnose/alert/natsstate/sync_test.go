package natsstate

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed/bus/bustest"
)

// An ack made on hub A shows on hub B, and a silence made on B on A,
// through the bucket's watch, with who made them.
func TestAckAndSilenceOnOneHubShowOnTheOther(t *testing.T) {
	url := jetServer(t)
	open := findings(2)
	a := openHub(t, url, "hub-a", open)
	b := openHub(t, url, "hub-b", open)
	key := open[0].Key()
	if err := a.book.Ack(key, "dana", "on it", t0); err != nil {
		t.Fatal(err)
	}
	a.save()
	b.mergeUntil("dana's ack on hub-b", func(bk *alert.Book) bool { return ackOf(bk, key) == "dana" })
	if _, err := b.book.MuteFor(alert.Matcher{CallID: "c"}, time.Hour, "vic", "TURN maintenance", t0); err != nil {
		t.Fatal(err)
	}
	b.save()
	a.mergeUntil("vic's silence on hub-a", func(bk *alert.Book) bool { return hasSilence(bk, "TURN maintenance") })
	if ackOf(a.book, key) != "dana" {
		t.Fatal("hub-a lost its own ack after merging hub-b's silence")
	}
}

// Hubs acking different alerts at the same time each end with every ack
// in the bucket: a write made on a stale revision is refused and retried
// with the other's actions taken in, never written over them.
func TestConcurrentActionsAreNotOverwritten(t *testing.T) {
	url := jetServer(t)
	const n = 12
	open := findings(n)
	hubs := []*hubState{openHub(t, url, "hub-a", open), openHub(t, url, "hub-b", open), openHub(t, url, "hub-c", open)}
	var wg sync.WaitGroup
	for i, h := range hubs {
		wg.Go(func() {
			for k := i; k < n; k += len(hubs) {
				if err := h.book.Ack(open[k].Key(), fmt.Sprintf("user-%d", k), "", t0.Add(time.Duration(k)*time.Millisecond)); err != nil {
					t.Error(err)
					return
				}
				h.save()
			}
		})
	}
	wg.Wait()
	p, _, err := hubs[0].store.Load(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	acks := map[string]string{}
	for _, act := range p.Acks {
		acks[act.Key] = act.Who
	}
	for k := range n {
		if who := acks[open[k].Key()]; who != fmt.Sprintf("user-%d", k) {
			t.Errorf("ack of %s in the bucket: %q, want user-%d", open[k].Key(), who, k)
		}
	}
}

// A hub killed (its connection gone, nothing flushed after its last
// save) leaves its acks with the others and in the bucket: a hub started
// later, under another id, restores them.
func TestKilledHubsAcksSurvive(t *testing.T) {
	url := jetServer(t)
	open := findings(3)
	a := openHub(t, url, "hub-a", open)
	b := openHub(t, url, "hub-b", open)
	key := open[1].Key()
	if err := a.book.Ack(key, "dana", "mine", t0); err != nil {
		t.Fatal(err)
	}
	a.save()
	a.close() // the hub is gone
	b.mergeUntil("dana's ack on hub-b", func(bk *alert.Book) bool { return ackOf(bk, key) == "dana" })
	if _, err := b.book.MuteFor(alert.Matcher{Rule: "x"}, time.Hour, "vic", "later change", t0); err != nil {
		t.Fatal(err)
	}
	b.save() // b's writes keep a's ack
	c := openHub(t, url, "hub-c", open)
	if ackOf(c.book, key) != "dana" || !hasSilence(c.book, "later change") {
		t.Fatalf("new hub: ack by %q, silences %v", ackOf(c.book, key), c.book.Silences())
	}
}

// A hub restarted under its id gets its own book back: its alerts (with
// their acks) and its resolved history.
func TestRestartedHubGetsItsBookBack(t *testing.T) {
	url := jetServer(t)
	open := findings(2)
	a := openHub(t, url, "hub-a", open)
	if err := a.book.Ack(open[0].Key(), "dana", "", t0); err != nil {
		t.Fatal(err)
	}
	a.book.Observe(t0.Add(10*time.Second), open[:1]) // p1 resolves
	a.save()
	a.close()
	again := openHub(t, url, "hub-a", nil)
	p, _, err := again.store.Load(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Active) != 1 || p.Active[0].Ack == nil || len(p.History) != 1 {
		t.Fatalf("restored %d active (%+v), %d history", len(p.Active), p.Active, len(p.History))
	}
}

// With a 3-node cluster, a node shut down and started again on its store
// loses nothing: acks and silences saved before, and those saved while it
// was down, are all there after (read through the node that restarted).
func TestClusterNodeRestartLosesNoAction(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node JetStream cluster: not in -short")
	}
	cl := bustest.StartJetCluster(t, 3)
	open := findings(4)
	a := openHub(t, cl.URLs(), "hub-a", open)
	if err := a.book.Ack(open[0].Key(), "dana", "", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := a.book.MuteFor(alert.Matcher{ParticipantID: "p3"}, time.Hour, "dana", "before", t0); err != nil {
		t.Fatal(err)
	}
	a.save()
	for i := range 3 { // each node in turn, the bucket's leader among them
		cl.Stop(i)
		k := open[i+1].Key()
		if err := a.book.Ack(k, fmt.Sprintf("while-%d-down", i), "", t0.Add(time.Duration(i+1)*time.Second)); err != nil {
			t.Fatal(err)
		}
		a.save() // a quorum of 2 takes it (retried while a new leader is chosen)
		cl.Start(i)
		cl.WaitReady()
	}
	only := cl.Nodes[0].ClientURL()
	fresh := openHub(t, only, "hub-b", open)
	if ackOf(fresh.book, open[0].Key()) != "dana" || !hasSilence(fresh.book, "before") {
		t.Fatalf("after restarts: ack %q, silences %v", ackOf(fresh.book, open[0].Key()), fresh.book.Silences())
	}
	for i := range 3 {
		if who := ackOf(fresh.book, open[i+1].Key()); who != fmt.Sprintf("while-%d-down", i) {
			t.Errorf("ack saved while node %d was down: %q", i, who)
		}
	}
	// hub-a's watch came through the restarts: hub-b's change reaches it.
	if _, err := fresh.book.MuteFor(alert.Matcher{Rule: "rtt-high"}, time.Hour, "vic", "after the restarts", t0); err != nil {
		t.Fatal(err)
	}
	fresh.save()
	a.mergeUntil("hub-b's silence on hub-a after the restarts", func(bk *alert.Book) bool { return hasSilence(bk, "after the restarts") })
}

// A value that is not calltop's state is named in the notice, not fatal.
func TestUnusableValueIsNamed(t *testing.T) {
	url := jetServer(t)
	_, js := jsOf(t, url)
	st, err := Open(context.Background(), Config{JS: js, HubID: "hub-a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.kv.Put(context.Background(), "book.hub-a", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	p, notice, err := st.Load(t0)
	if err != nil || len(p.Active) != 0 {
		t.Fatalf("load: %v %+v", err, p)
	}
	for _, want := range []string{"book.hub-a", DefaultBucket, "invalid JSON"} {
		if !strings.Contains(notice, want) {
			t.Fatalf("notice %q does not name %q", notice, want)
		}
	}
}
