package natshistory

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/history"
	"github.com/calltop/calltop/diagnose/history/sqlite"
	"github.com/calltop/calltop/feed/bus/bustest"
)

var t0 = time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC)

// ended is an ended call of hub with id n.
func ended(hub string, n int) history.Call {
	start := t0.Add(time.Duration(n) * time.Minute)
	end := diagnose.ReportTime{Time: start.Add(5 * time.Minute)}
	return history.Call{Source: "simulator", Report: diagnose.ReportCall{ID: fmt.Sprintf("%s/call-%d", hub, n), Room: "room",
		Start: diagnose.ReportTime{Time: start}, End: &end, DurationSec: 300, Findings: []diagnose.ReportFinding{},
		Participants: []diagnose.ReportParticipant{{ID: "p1", Name: "Dana", Connections: []diagnose.ReportConnection{}}}},
		People: []history.Person{{ID: "p1", Name: "Dana"}}}
}

// jsOf connects to urls and returns its JetStream context.
func jsOf(t *testing.T, urls string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(urls, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// run runs f until the test ends (or the returned stop).
func run(t *testing.T, f func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f(ctx); close(done) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

// openStore opens a SQLite history store in the test's directory.
func openStore(t *testing.T) *sqlite.Store {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// hubHistory is one hub's publisher and writer on the stream.
func hubHistory(t *testing.T, urls, hub string, store history.Store) (*Publisher, *Writer, func()) {
	t.Helper()
	js := jsOf(t, urls)
	s, err := OpenStream(context.Background(), js, StreamConfig{MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPublisher(PublisherConfig{JS: js, HubID: hub, Retry: 50 * time.Millisecond, Logf: t.Logf})
	run(t, p.Run)
	w := NewWriter(WriterConfig{Stream: s, Durable: "history-" + hub, Store: store, MaxAge: -1, AckWait: time.Second, Logf: t.Logf})
	return p, w, run(t, w.Run)
}

// waitIDs waits until store holds exactly these call ids (10 s).
func waitIDs(t *testing.T, store history.Store, want []string) {
	t.Helper()
	slices.Sort(want)
	deadline := time.Now().Add(10 * time.Second)
	var got []string
	for time.Now().Before(deadline) {
		sums, err := store.Search(context.Background(), history.Query{Limit: history.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for _, s := range sums {
			got = append(got, s.ID)
		}
		slices.Sort(got)
		if slices.Equal(got, want) {
			return
		}
		time.Sleep(20 * time.Millisecond) // polling the store, with a deadline
	}
	t.Fatalf("history holds %q, want %q", got, want)
}

// waitPublished waits until p has published n calls (20 s).
func waitPublished(t *testing.T, p *Publisher, n int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for p.Stats().Published < n {
		if time.Now().After(deadline) {
			t.Fatalf("published %+v, want %d", p.Stats(), n)
		}
		time.Sleep(10 * time.Millisecond) // polling the counter, with a deadline
	}
}

func ids(hub string, ns ...int) []string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%s/call-%d", hub, n))
	}
	return out
}

// Each hub publishes its ended calls; each hub's writer stores every
// hub's, and a call both hubs saw end is stored once.
func TestEveryHubsEndedCallsReachEveryHubsHistory(t *testing.T) {
	url := bustest.StartServer(t, &server.Options{JetStream: true, StoreDir: t.TempDir()}).ClientURL()
	storeA, storeB := openStore(t), openStore(t)
	pa, _, _ := hubHistory(t, url, "hub-a", storeA)
	pb, _, _ := hubHistory(t, url, "hub-b", storeB)
	for n := range 3 {
		pa.Add(ended("hub-a", n))
	}
	pb.Add(ended("hub-b", 7))
	pb.Add(ended("hub-a", 1)) // hub-b saw hub-a's call end too
	want := append(ids("hub-a", 0, 1, 2), ids("hub-b", 7)...)
	waitIDs(t, storeA, want)
	waitIDs(t, storeB, want)
	waitPublished(t, pa, 3)
	waitPublished(t, pb, 2)
	if d := pa.Stats().Duplicates + pb.Stats().Duplicates; d != 1 {
		t.Fatalf("hub-a/call-1, published by both hubs, was taken for a duplicate %d times, want once: %+v %+v", d, pa.Stats(), pb.Stats())
	}
}

// A writer that fetched calls and died before storing them (nothing
// acknowledged) loses none: the next writer under its name gets them, and
// the calls published while no writer ran.
func TestWriterDeadBeforeStoringLosesNothing(t *testing.T) {
	url := bustest.StartServer(t, &server.Options{JetStream: true, StoreDir: t.TempDir()}).ClientURL()
	js := jsOf(t, url)
	s, err := OpenStream(context.Background(), js, StreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPublisher(PublisherConfig{JS: js, HubID: "hub-a"})
	run(t, p.Run)
	for n := range 4 {
		p.Add(ended("hub-a", n))
	}
	// The dying writer: its consumer takes the calls, then nothing.
	cons, err := s.CreateOrUpdateConsumer(context.Background(), jetstream.ConsumerConfig{Durable: "history-hub-a",
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: time.Second, DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	deadline := time.Now().Add(5 * time.Second)
	for got < 4 && time.Now().Before(deadline) {
		b, err := cons.Fetch(4-got, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for range b.Messages() {
			got++
		}
	}
	if got != 4 {
		t.Fatalf("the dying writer fetched %d calls, want 4", got)
	}
	p.Add(ended("hub-a", 9)) // while no writer runs
	store := openStore(t)
	w := NewWriter(WriterConfig{Stream: s, Durable: "history-hub-a", Store: store, MaxAge: -1, AckWait: time.Second})
	run(t, w.Run)
	waitIDs(t, store, ids("hub-a", 0, 1, 2, 3, 9))
}

// A store that fails (closed) acknowledges nothing: the calls wait in
// the stream for a writer that stores them.
func TestStoreFailureAcknowledgesNothing(t *testing.T) {
	url := bustest.StartServer(t, &server.Options{JetStream: true, StoreDir: t.TempDir()}).ClientURL()
	broken := openStore(t)
	broken.Close()
	pa, w, stop := hubHistory(t, url, "hub-a", broken)
	pa.Add(ended("hub-a", 1))
	pa.Add(ended("hub-a", 2))
	deadline := time.Now().Add(10 * time.Second)
	for w.Stats().Failed < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling the counter, with a deadline
	}
	stop()
	if st := w.Stats(); st.Failed < 2 || st.Written != 0 || st.LastError == "" {
		t.Fatalf("writer on a closed store: %+v", st)
	}
	store := openStore(t)
	js := jsOf(t, url)
	s, _ := OpenStream(context.Background(), js, StreamConfig{MaxAge: time.Hour})
	run(t, NewWriter(WriterConfig{Stream: s, Durable: "history-hub-a", Store: store, MaxAge: -1, AckWait: time.Second}).Run)
	waitIDs(t, store, ids("hub-a", 1, 2))
}

// On a 3-node cluster, ended calls published before, during and after one
// node's restart all reach the history of a writer started afterwards.
func TestClusterNodeRestartLosesNoEndedCall(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node JetStream cluster: not in -short")
	}
	cl := bustest.StartJetCluster(t, 3)
	js := jsOf(t, cl.URLs())
	s, err := OpenStream(context.Background(), js, StreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if r := s.CachedInfo().Config.Replicas; r != 3 {
		t.Fatalf("stream replicas %d on a 3-node cluster, want 3", r)
	}
	p := NewPublisher(PublisherConfig{JS: js, HubID: "hub-a", Retry: 50 * time.Millisecond, Logf: t.Logf})
	run(t, p.Run)
	p.Add(ended("hub-a", 0))
	for i := range 3 {
		cl.Stop(i)
		p.Add(ended("hub-a", i+1))
		waitPublished(t, p, int64(i+2)) // acknowledged by the two nodes up
		cl.Start(i)
		cl.WaitReady()
	}
	p.Add(ended("hub-a", 4))
	store := openStore(t)
	run(t, NewWriter(WriterConfig{Stream: s, Durable: "history-late", Store: store, MaxAge: -1}).Run)
	waitIDs(t, store, ids("hub-a", 0, 1, 2, 3, 4))
}
