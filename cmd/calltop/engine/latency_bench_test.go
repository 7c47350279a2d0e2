package engine

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/sim"
)

// probeSeq returns the probe tag the frame shows, or -1.
func probeSeq(f Frame) int {
	for _, c := range f.Calls.Calls {
		if n := feedtest.ProbeSeq(c.ID, c.Tags); n >= 0 {
			return n
		}
	}
	return -1
}

// BenchmarkFeedLatency10000 runs the whole live path on loopback: a hub
// serving the simulator with 10,000 calls at real speed (about 40,000
// messages a second), a client.Client, and the engine with the real Monitor
// and Book. After the fleet has started (warm-up), it measures for
// latencyWindow how long each probe takes from hub.Publish to the frame
// the engine hands out that shows it, and reports p50 and p99 in ms. Run
// with -benchtime=1x: each iteration takes about 40 s.
func BenchmarkFeedLatency10000(b *testing.B) {
	const warmup, window = 12 * time.Second, 20 * time.Second
	for i := 0; i < b.N; i++ {
		late, sent, frames := measureFeedLatency(b, 10000, warmup, window)
		late.Report(b, "", sent)
		b.ReportMetric(float64(frames)/window.Seconds(), "frames/s")
	}
}

// measureFeedLatency runs hub, client and engine for warmup+window and
// returns the probes first seen during the window, when each probe was
// sent, and how many frames were read in the window.
func measureFeedLatency(b *testing.B, calls int, warmup, window time.Duration) (*feedtest.Latencies, []time.Time, int) {
	// As `calltop hub --simulate` serves it: stats timestamps equal to ts
	// left out.
	s, err := sim.New(sim.Config{Calls: calls, Seed: 1, ElideStatTimestamps: true})
	if err != nil {
		b.Fatal(err)
	}
	lp, e := startLoopback(b)
	defer lp.Stop()
	th, client := lp.Hub, lp.Client
	probes := &feedtest.Probes{Publisher: th, Every: 10 * time.Millisecond}
	lp.Go(func(ctx context.Context) { _ = hub.StepSource(s.StepEach, time.Second, 1)(ctx, probes) })

	measureFrom := time.Now().Add(warmup)
	end := measureFrom.Add(window)
	frames := 0
	var cpu0, wait0, steal0 time.Duration
	var msgs0, pub0 int64
	late := feedtest.NewLatencies()
	timeout := time.NewTimer(time.Until(end))
	defer timeout.Stop()
	for {
		select {
		case f := <-e.Frames():
			now := time.Now()
			if now.Before(measureFrom) {
				late.Saw(probeSeq(f), now)
				late.Skip()
				continue
			}
			if cpu0 == 0 {
				cpu0, wait0, steal0 = feedtest.CPUTime(), feedtest.RunQueueWait(), feedtest.StealTime()
				msgs0, pub0 = client.Status().Frames, th.Stats().Published
			}
			frames++
			late.Saw(probeSeq(f), now)
		case <-timeout.C:
			writeHeapProfile(b)
			// A drop means the client and engine fell a whole hub queue
			// behind: the latencies then include reconnects.
			b.ReportMetric(float64(th.Stats().Dropped), "drops")
			msgs := client.Status().Frames - msgs0
			b.ReportMetric(float64(msgs)/window.Seconds(), "feed-msgs/s")
			b.ReportMetric(float64(th.Stats().Published-pub0)/window.Seconds(), "pub-msgs/s")
			// The whole process (simulator, hub, client, engine): CPU per
			// feed message read and cores busy, which other work on a
			// shared machine does not inflate; and cores it was ready to
			// use but waited for (other processes had them), and the
			// machine's CPU time the hypervisor gave other guests.
			if cpu := feedtest.CPUTime() - cpu0; cpu0 != 0 && msgs > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/float64(msgs), "cpu-us/msg")
				b.ReportMetric(cpu.Seconds()/window.Seconds(), "cores")
				b.ReportMetric((feedtest.RunQueueWait()-wait0).Seconds()/window.Seconds(), "runq-cores")
				b.ReportMetric((feedtest.StealTime()-steal0).Seconds()/window.Seconds(), "steal-cores")
			}
			return late, probes.Sent(), frames
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

// BenchmarkFeedPipeline10000 measures what one feed message costs the live
// path without the producer: a 10,000-call fleet's frames (encoded up
// front, timestamps elided as `calltop hub` serves them) published into a
// hub as fast as a client.Client and the engine take them over loopback.
// Run with -benchtime 150000x (about 4 s of the fleet's feed).
// cpu-us/msg is the whole process's CPU time per message (hub write,
// client read and decode, Monitor and Book, frames at 20 a second); at
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
	lp, e := startLoopback(b)
	defer lp.Stop()
	th, client := lp.Hub, lp.Client
	lp.Go(func(ctx context.Context) {
		for {
			select { // a TUI reading every frame
			case <-e.Frames():
			case <-ctx.Done():
				return
			}
		}
	})
	for th.Stats().Subscribers == 0 {
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
			if err := th.PublishFrame(f); err != nil {
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
	cpu := feedtest.CPUTime()
	b.ResetTimer()
	publish(frames)
	b.StopTimer()
	b.ReportMetric(float64((feedtest.CPUTime()-cpu).Nanoseconds())/1e3/float64(b.N), "cpu-us/msg")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if d := th.Stats().Dropped; d > 0 {
		b.Fatalf("the client was dropped %d times", d)
	}
}

// startLoopback is the live path of a benchmark on one loopback port: a
// hub, a feed client on it, and the engine with the real Monitor and Book
// on the client's events.
func startLoopback(b *testing.B) (*feedtest.Loopback, *Engine) {
	lp := feedtest.StartLoopback(b, hub.Config{})
	e, err := New(Options{NewMonitor: realMonitor, Events: lp.Client.Events(),
		NewBook: func() *alert.Book { return alert.NewBook(alert.Options{}) }})
	if err != nil {
		lp.Stop()
		b.Fatal(err)
	}
	lp.Go(func(ctx context.Context) { _ = e.Run(ctx) })
	return lp, e
}
