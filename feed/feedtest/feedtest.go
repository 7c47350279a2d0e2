// Package feedtest holds what calltop's tests and benchmarks need to run a
// live feed for real: a hub and a client on a loopback port, a probe that
// times messages through the whole path, and the process's CPU use.
package feedtest

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/hub"
)

// Loopback is a quiet hub on a loopback port with a client.Client connected
// to it. Everything started with Go runs until Stop.
type Loopback struct {
	Ctx    context.Context
	Hub    *hub.Hub
	Client *client.Client

	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// StartLoopback serves a hub (HubConfig as given, logs discarded unless
// it sets Logf) on 127.0.0.1 and runs a client of it. It is stopped when
// the test ends if Stop was not called before.
func StartLoopback(tb testing.TB, cfg hub.Config) *Loopback {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	lp := &Loopback{Hub: hub.New(cfg)}
	lp.Ctx, lp.cancel = context.WithCancel(context.Background())
	tb.Cleanup(lp.Stop)
	lp.Go(func(ctx context.Context) { _ = lp.Hub.Serve(ctx, ln) })
	lp.connect(tb, "ws://"+ln.Addr().String()+"/feed")
	return lp
}

// StartClient runs a client of the hub at url (one in another process);
// Hub is nil. Like StartLoopback, it is stopped when the test ends.
func StartClient(tb testing.TB, url string) *Loopback {
	tb.Helper()
	lp := &Loopback{}
	lp.Ctx, lp.cancel = context.WithCancel(context.Background())
	tb.Cleanup(lp.Stop)
	lp.connect(tb, url)
	return lp
}

func (lp *Loopback) connect(tb testing.TB, url string) {
	tb.Helper()
	var err error
	lp.Client, err = client.New(client.Config{URLs: []string{url}})
	if err != nil {
		lp.Stop()
		tb.Fatal(err)
	}
	lp.Go(func(ctx context.Context) { _ = lp.Client.Run(ctx) })
}

// Go runs f in a goroutine that Stop cancels (through ctx) and waits for.
func (lp *Loopback) Go(f func(ctx context.Context)) {
	lp.wg.Go(func() { f(lp.Ctx) })
}

// Stop cancels everything started and waits for it (once; later calls
// return at once).
func (lp *Loopback) Stop() {
	lp.once.Do(func() {
		lp.cancel()
		lp.wg.Wait()
	})
}

// ProbeCallID names the call that Probes publish.
const ProbeCallID = "latency-probe"

// Probes is a Publisher (the hub, as a source sees it) that slips a probe
// into the stream every Every of wall time: a call.update of the call
// ProbeCallID whose "probe" tag is a sequence number and whose room is
// ProbeRoom(seq), so that a frame or a screen that shows the probe tells
// which one it is. The probe rides the same hub queue, WebSocket, client
// and engine as the messages around it; it goes out from the source's own
// goroutine, at the data time of the message just published.
type Probes struct {
	hub.Publisher
	Every time.Duration

	mu   sync.Mutex
	sent []time.Time // wall time each probe was published, by sequence
	last time.Time
}

// ProbeRoom is the room name probe seq carries.
func ProbeRoom(seq int) string { return fmt.Sprintf("probe-%07d", seq) }

// ProbeSeq returns the sequence number of the probe that a call with this
// id and these tags shows, or -1 when it is not the probe call.
func ProbeSeq(callID string, tags map[string]string) int {
	if callID != ProbeCallID {
		return -1
	}
	n, err := strconv.Atoi(tags["probe"])
	if err != nil {
		return -1
	}
	return n
}

// Publish publishes m, then a probe when one is due.
func (p *Probes) Publish(m *feed.Message) error {
	if err := p.Publisher.Publish(m); err != nil {
		return err
	}
	now := time.Now()
	if now.Sub(p.last) < p.Every {
		return nil
	}
	p.last = now
	p.mu.Lock()
	seq := len(p.sent)
	p.sent = append(p.sent, now)
	p.mu.Unlock()
	typ := feed.TypeCallUpdate
	if seq == 0 {
		typ = feed.TypeCallStart
	}
	return p.Publisher.Publish(&feed.Message{Type: typ, TS: m.TS,
		Call: &feed.Call{ID: ProbeCallID, Room: ProbeRoom(seq), Tags: map[string]string{"probe": strconv.Itoa(seq)}}})
}

// Sent returns when each probe was published, by sequence number.
func (p *Probes) Sent() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.sent)
}

// Latencies notes when each probe was first seen (in a frame, on a
// screen); with the times they were sent it gives their latencies.
type Latencies struct {
	seen  int // the highest probe seen
	first []sighting
}

type sighting struct {
	seq int
	at  time.Time
}

// NewLatencies returns an empty Latencies.
func NewLatencies() *Latencies { return &Latencies{seen: -1} }

// Saw notes that probe seq (-1: none) was seen at now; every probe up to
// seq not seen before is seen now for the first time.
func (l *Latencies) Saw(seq int, now time.Time) {
	for q := l.seen + 1; q <= seq; q++ {
		l.first = append(l.first, sighting{q, now})
	}
	l.seen = max(l.seen, seq)
}

// Skip forgets the sightings so far: the measurement starts now, with the
// probes not yet seen.
func (l *Latencies) Skip() { l.first = l.first[:0] }

// Of returns the latency of each probe seen, given when each was sent.
func (l *Latencies) Of(sent []time.Time) []time.Duration {
	var late []time.Duration
	for _, s := range l.first {
		if s.seq < len(sent) {
			late = append(late, s.at.Sub(sent[s.seq]))
		}
	}
	return late
}

// Report reports the p50, p99 and largest latency (ms) of the probes
// seen, as metrics named with prefix, and their number; it fails b when
// fewer than 100 probes were seen.
func (l *Latencies) Report(b *testing.B, prefix string, sent []time.Time) {
	b.Helper()
	late := l.Of(sent)
	if len(late) < 100 {
		b.Fatalf("%s: only %d probes seen", prefix, len(late))
	}
	slices.Sort(late)
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	b.ReportMetric(ms(late[len(late)/2]), prefix+"p50-ms")
	b.ReportMetric(ms(late[len(late)*99/100]), prefix+"p99-ms")
	b.ReportMetric(ms(late[len(late)-1]), prefix+"max-ms")
	b.ReportMetric(float64(len(late)), prefix+"probes")
}
