package engine

import (
	"context"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/sim"
)

// probeCallID names the call the latency harness uses as a marker.
const probeCallID = "latency-probe"

// probePublisher is the hub as the simulator's source sees it, with a probe
// slipped into the stream: every probeEvery of wall time a call.update of
// the probe call whose "probe" tag is a sequence number. The probe rides
// the same hub queue, WebSocket, client and engine as the 10,000 calls'
// messages, so the time from publishing it to a frame that shows its tag is
// the feed-message-to-frame latency. Probes go out from the source's own
// goroutine, at the data time of the message just published.
type probePublisher struct {
	feed.Publisher
	every time.Duration

	mu   sync.Mutex
	sent []time.Time // wall time each probe was published, by sequence
	last time.Time
}

func (p *probePublisher) Publish(m *feed.Message) error {
	if err := p.Publisher.Publish(m); err != nil {
		return err
	}
	now := time.Now()
	if now.Sub(p.last) < p.every {
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
		Call: &feed.Call{ID: probeCallID, Tags: map[string]string{"probe": strconv.Itoa(seq)}}})
}

// sentAt returns when probe seq was published.
func (p *probePublisher) sentAt(seq int) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq < 0 || seq >= len(p.sent) {
		return time.Time{}, false
	}
	return p.sent[seq], true
}

// probeSeq returns the probe tag the frame shows, or -1.
func probeSeq(f Frame) int {
	for _, c := range f.Calls.Calls {
		if c.ID == probeCallID {
			if n, err := strconv.Atoi(c.Tags["probe"]); err == nil {
				return n
			}
		}
	}
	return -1
}

// BenchmarkFeedLatency10000 runs the whole live path on loopback: a hub
// serving the simulator with 10,000 calls at real speed (about 40,000
// messages a second), a feed.Client, and the engine with the real Monitor
// and Book. After the fleet has started (warm-up), it measures for
// latencyWindow how long each probe takes from hub.Publish to the frame
// the engine hands out that shows it, and reports p50 and p99 in ms. Run
// with -benchtime=1x: each iteration takes about 40 s.
func BenchmarkFeedLatency10000(b *testing.B) {
	const warmup, window = 12 * time.Second, 20 * time.Second
	for i := 0; i < b.N; i++ {
		late, frames := measureFeedLatency(b, 10000, warmup, window)
		if len(late) < 100 {
			b.Fatalf("only %d probes reached a frame", len(late))
		}
		slices.Sort(late)
		b.ReportMetric(float64(late[len(late)/2])/1e6, "p50-ms")
		b.ReportMetric(float64(late[len(late)*99/100])/1e6, "p99-ms")
		b.ReportMetric(float64(late[len(late)-1])/1e6, "max-ms")
		b.ReportMetric(float64(len(late)), "probes")
		b.ReportMetric(float64(frames)/window.Seconds(), "frames/s")
	}
}

// measureFeedLatency runs hub, client and engine for warmup+window and
// returns the latencies of the probes first seen during the window, and
// how many frames were read in it.
func measureFeedLatency(b *testing.B, calls int, warmup, window time.Duration) ([]time.Duration, int) {
	s, err := sim.New(sim.Config{Calls: calls, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	hub := feed.NewHub(feed.HubConfig{Logf: func(string, ...any) {}})
	probes := &probePublisher{Publisher: hub, every: 10 * time.Millisecond}
	wg.Go(func() { _ = hub.Serve(ctx, ln) })
	wg.Go(func() { _ = feed.StepSource(s.Step, time.Second, 1)(ctx, probes) })
	client, err := feed.NewClient(feed.ClientConfig{URLs: []string{"ws://" + ln.Addr().String() + "/feed"}})
	if err != nil {
		b.Fatal(err)
	}
	wg.Go(func() { _ = client.Run(ctx) })
	e, err := New(Options{NewMonitor: realMonitor, Events: client.Events(),
		NewBook: func() *alert.Book { return alert.NewBook(alert.Options{}) }})
	if err != nil {
		b.Fatal(err)
	}
	wg.Go(func() { _ = e.Run(ctx) })

	measureFrom := time.Now().Add(warmup)
	end := measureFrom.Add(window)
	seen, frames := -1, 0
	var late []time.Duration
	timeout := time.NewTimer(time.Until(end))
	defer timeout.Stop()
	for {
		select {
		case f := <-e.Frames():
			now := time.Now()
			if now.Before(measureFrom) {
				seen = max(seen, probeSeq(f))
				continue
			}
			frames++
			n := probeSeq(f)
			for q := seen + 1; q <= n; q++ { // every probe this frame is the first to show
				if at, ok := probes.sentAt(q); ok {
					late = append(late, now.Sub(at))
				}
			}
			seen = max(seen, n)
		case <-timeout.C:
			// A drop means the client and engine fell a whole hub queue
			// behind: the latencies then include reconnects.
			b.ReportMetric(float64(hub.Stats().Dropped), "drops")
			b.ReportMetric(float64(client.Status().Frames)/(warmup+window).Seconds(), "feed-msgs/s")
			return late, frames
		}
	}
}
