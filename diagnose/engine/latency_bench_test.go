package engine

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
	// As `calltop hub --simulate` serves it: stats timestamps equal to ts
	// left out.
	s, err := sim.New(sim.Config{Calls: calls, Seed: 1, ElideStatTimestamps: true})
	if err != nil {
		b.Fatal(err)
	}
	lp := startLoopback(b)
	defer lp.stop()
	ctx, hub, client, e := lp.ctx, lp.hub, lp.client, lp.e
	probes := &probePublisher{Publisher: hub, every: 10 * time.Millisecond}
	lp.wg.Go(func() { _ = feed.StepSource(s.StepEach, time.Second, 1)(ctx, probes) })

	measureFrom := time.Now().Add(warmup)
	end := measureFrom.Add(window)
	seen, frames := -1, 0
	var cpu0, wait0 time.Duration
	var msgs0, pub0 int64
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
			if cpu0 == 0 {
				cpu0, wait0 = cpuTime(), runQueueWait()
				msgs0, pub0 = client.Status().Frames, hub.Stats().Published
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
			writeHeapProfile(b)
			// A drop means the client and engine fell a whole hub queue
			// behind: the latencies then include reconnects.
			b.ReportMetric(float64(hub.Stats().Dropped), "drops")
			msgs := client.Status().Frames - msgs0
			b.ReportMetric(float64(msgs)/window.Seconds(), "feed-msgs/s")
			b.ReportMetric(float64(hub.Stats().Published-pub0)/window.Seconds(), "pub-msgs/s")
			// The whole process (simulator, hub, client, engine): CPU per
			// feed message read and cores busy, which other work on a
			// shared machine does not inflate; and cores it was ready to
			// use but waited for (other processes had them).
			if cpu := cpuTime() - cpu0; cpu0 != 0 && msgs > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/float64(msgs), "cpu-us/msg")
				b.ReportMetric(cpu.Seconds()/window.Seconds(), "cores")
				b.ReportMetric((runQueueWait()-wait0).Seconds()/window.Seconds(), "runq-cores")
			}
			return late, frames
		}
	}
}

// writeHeapProfile writes the live heap, as it is at the end of the
// window, to the file $CALLTOP_HEAP_PROFILE names (if set); read it with
// `go tool pprof -sample_index=inuse_space`.
func writeHeapProfile(b *testing.B) {
	path := os.Getenv("CALLTOP_HEAP_PROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	runtime.GC() // the profile shows the heap as of the last collection
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFeedPipeline10000 measures what one feed message costs the live
// path without the producer: a 10,000-call fleet's frames (encoded up
// front, timestamps elided as `calltop hub` serves them) published into a
// hub as fast as a feed.Client and the engine take them over loopback.
// Run with -benchtime 150000x (about 4 s of the fleet's feed).
// cpu-us/msg is the whole process's CPU time per message (hub write,
// client read and decode, Monitor and Book, frames at 10 a second); at
// 40,000 messages a second the live path needs 0.04 cores per us.
func BenchmarkFeedPipeline10000(b *testing.B) {
	s, err := sim.New(sim.Config{Calls: 10000, Seed: 1, ElideStatTimestamps: true})
	if err != nil {
		b.Fatal(err)
	}
	step := func() [][]byte {
		msgs := s.Step()
		frames := make([][]byte, len(msgs))
		for i := range msgs {
			if frames[i], err = feed.AppendMessage(nil, &msgs[i]); err != nil {
				b.Fatal(err)
			}
		}
		return frames
	}
	first := step() // every call starting: set up before timing
	var frames [][]byte
	for len(frames) < b.N {
		frames = append(frames, step()...)
	}
	frames = frames[:b.N]
	lp := startLoopback(b)
	defer lp.stop()
	hub, client, e := lp.hub, lp.client, lp.e
	lp.wg.Go(func() {
		for range e.Frames() { // a TUI reading every frame
		}
	})
	for hub.Stats().Subscribers == 0 {
		time.Sleep(time.Millisecond)
	}
	// publish sends frames, never more than 4,000 ahead of the client
	// (a tenth of a second of the fleet), and waits until it has all.
	sent := int64(0)
	publish := func(frames [][]byte) {
		for i, f := range frames {
			if i%500 == 0 {
				for sent-client.Status().Frames > 4000 {
					time.Sleep(100 * time.Microsecond)
				}
			}
			if err := hub.PublishFrame(f); err != nil {
				b.Fatal(err)
			}
			sent++
		}
		for client.Status().Frames < sent+2 { // and hello and snapshot
			time.Sleep(100 * time.Microsecond)
		}
	}
	publish(first)
	runtime.GC()
	cpu := cpuTime()
	b.ResetTimer()
	publish(frames)
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/1e3/float64(b.N), "cpu-us/msg")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if d := hub.Stats().Dropped; d > 0 {
		b.Fatalf("the client was dropped %d times", d)
	}
}

// runQueueWait is how long this process's threads have waited, ready to
// run, for a CPU (Linux /proc/self/task/*/schedstat; 0 elsewhere). Over a
// window it shows how many cores other processes took from the benchmark.
func runQueueWait() time.Duration {
	tasks, _ := filepath.Glob("/proc/self/task/*/schedstat")
	var sum time.Duration
	for _, p := range tasks {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the thread ended
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			if ns, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				sum += time.Duration(ns)
			}
		}
	}
	return sum
}

// loopback is the live path of a benchmark on one loopback port: a hub,
// a feed client on it, and the engine with the real Monitor and Book on the
// client's events.
type loopback struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine of the path, and the caller's
	hub    *feed.Hub
	client *feed.Client
	e      *Engine
}

func startLoopback(b *testing.B) *loopback {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	lp := &loopback{hub: feed.NewHub(feed.HubConfig{Logf: func(string, ...any) {}})}
	lp.ctx, lp.cancel = context.WithCancel(context.Background())
	lp.wg.Go(func() { _ = lp.hub.Serve(lp.ctx, ln) })
	lp.client, err = feed.NewClient(feed.ClientConfig{URLs: []string{"ws://" + ln.Addr().String() + "/feed"}})
	if err != nil {
		b.Fatal(err)
	}
	lp.wg.Go(func() { _ = lp.client.Run(lp.ctx) })
	lp.e, err = New(Options{NewMonitor: realMonitor, Events: lp.client.Events(),
		NewBook: func() *alert.Book { return alert.NewBook(alert.Options{}) }})
	if err != nil {
		b.Fatal(err)
	}
	lp.wg.Go(func() { _ = lp.e.Run(lp.ctx) })
	return lp
}

// stop ends the path and waits for its goroutines.
func (lp *loopback) stop() {
	lp.cancel()
	lp.wg.Wait()
}
