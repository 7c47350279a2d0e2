package natsstate

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed/bus/bustest"
)

// t0 is the start of every test's clock.
var t0 = time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC)

// finding is an open critical finding of participant p in call c.
func finding(call, p string) diagnose.Finding {
	return diagnose.Finding{Rule: diagnose.RuleICEFailed, Severity: diagnose.Critical, Start: t0, ParticipantName: "Name of " + p,
		Subject: diagnose.Subject{CallID: call, ParticipantID: p}, Message: "ICE failed on " + call + "/" + p}
}

// findings are n open findings, p0..p(n-1) in call c.
func findings(n int) []diagnose.Finding {
	out := make([]diagnose.Finding, n)
	for i := range out {
		out[i] = finding("c", "p"+strconv.Itoa(i))
	}
	return out
}

// jetServer runs one NATS server with JetStream.
func jetServer(t *testing.T) string {
	s := bustest.StartServer(t, &server.Options{JetStream: true, StoreDir: t.TempDir()})
	return s.ClientURL()
}

// jetServerB and openStoreB are jetServer and Open for benchmarks.
func jetServerB(b *testing.B) string {
	s := bustest.StartServer(b, &server.Options{JetStream: true, StoreDir: b.TempDir(), MaxPayload: 8 << 20})
	return s.ClientURL()
}

func openStoreB(b *testing.B, url string) *Store {
	nc, err := nats.Connect(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	st, err := Open(context.Background(), Config{JS: js, HubID: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// jsOf connects to urls (comma-separated) and returns the connection and
// its JetStream context, closed when the test ends.
func jsOf(t *testing.T, urls string) (*nats.Conn, jetstream.JetStream) {
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
	return nc, js
}

// hubState is one hub's Store, Syncer and Book, as a team hub's engine
// would hold them.
type hubState struct {
	t     *testing.T
	store *Store
	sync  *Syncer
	book  *alert.Book
	stop  context.CancelFunc
	done  chan struct{}
}

// openHub opens hub id's state on urls, restores its book with open
// findings, and runs its Syncer until the test ends (or stop).
func openHub(t *testing.T, urls, id string, open []diagnose.Finding) *hubState {
	t.Helper()
	_, js := jsOf(t, urls)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := Open(ctx, Config{JS: js, HubID: id, Retry: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h := &hubState{t: t, store: st, sync: st.NewSyncer(), book: alert.NewBook(alert.Options{User: id}), done: make(chan struct{})}
	p, notice, err := st.Load(time.Now())
	if err != nil || notice != "" {
		t.Fatalf("load %s: %q %v", id, notice, err)
	}
	if err := h.book.Restore(p, t0); err != nil {
		t.Fatal(err)
	}
	h.book.Observe(t0, open)
	rctx, stop := context.WithCancel(context.Background())
	h.stop = stop
	go func() { h.sync.Run(rctx); close(h.done) }()
	t.Cleanup(h.close)
	return h
}

// close stops the Syncer (writing what waits).
func (h *hubState) close() {
	h.stop()
	<-h.done
}

// save hands the book's state to the Syncer and waits until it is written
// (60 s: a loaded 2-core machine took over 20 s to elect a stream leader
// after a node restart, the Syncer retrying all along).
func (h *hubState) save() {
	h.t.Helper()
	h.sync.Save(h.book.Persist())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h.sync.Flush(ctx) // one try; a failed one is retried every Config.Retry
	for h.sync.Unsaved() && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond) // polling the retries, with a deadline
	}
	if h.sync.Unsaved() {
		var notes []string
		for len(h.sync.Notes()) > 0 {
			notes = append(notes, <-h.sync.Notes())
		}
		h.t.Fatalf("state still not written after 60 s: %q", notes)
	}
}

// mergeUntil merges the changes other hubs save until ok holds (5 s).
func (h *hubState) mergeUntil(what string, ok func(*alert.Book) bool) {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for !ok(h.book) {
		select {
		case p := <-h.sync.Changes():
			h.book.Merge(p, t0.Add(time.Second))
		case <-deadline:
			h.t.Fatalf("%s: not seen within 5 s", what)
		}
	}
}

// ackOf returns who acked key in b ("" when not acked).
func ackOf(b *alert.Book, key string) string {
	for _, a := range b.Snapshot().Active {
		if a.Key == key && a.Ack != nil {
			return a.Ack.Who
		}
	}
	for _, a := range b.Restored() {
		if a.Key == key && a.Ack != nil {
			return a.Ack.Who
		}
	}
	return ""
}

// hasSilence reports whether b has a silence with this comment.
func hasSilence(b *alert.Book, comment string) bool {
	for _, s := range b.Silences() {
		if s.Why == comment {
			return true
		}
	}
	return false
}
