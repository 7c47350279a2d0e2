package hub_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// BenchmarkHubPublish measures the hub's cost per message (encode once,
// track, fan out, write) with subs subscribers reading over loopback
// WebSocket without decoding. At 10,000 simulated calls the hub handles
// about 40,000 messages a second: multiply.
func BenchmarkHubPublish(b *testing.B) {
	for _, subs := range []int{1, 4} {
		b.Run(map[int]string{1: "1sub", 4: "4subs"}[subs], func(b *testing.B) {
			msgs := feedtest.SimMessages(b, 5000)
			th, url, stop := serveHub(b, hub.Config{})
			readers := make(chan int, subs)
			for i := 0; i < subs; i++ {
				conn, _, err := websocket.DefaultDialer.Dial(url, nil)
				if err != nil {
					b.Fatal(err)
				}
				go func() {
					n := 0
					for {
						if _, _, err := conn.ReadMessage(); err != nil {
							readers <- n
							return
						}
						n++
					}
				}()
			}
			for th.Stats().Subscribers < subs {
				time.Sleep(time.Millisecond)
			}
			cpu := feedtest.CPUTime()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := th.Publish(&msgs[i%len(msgs)]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			stop()
			for i := 0; i < subs; i++ {
				<-readers
			}
			if d := th.Stats().Dropped; d > 0 {
				b.Logf("%d subscribers dropped as slow", d)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(float64(feedtest.CPUTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkClientReceive measures the whole path a consumer sees: hub
// fan-out, loopback WebSocket, Client read and Decode, event delivery.
func BenchmarkClientReceive(b *testing.B) {
	msgs := feedtest.SimMessages(b, 5000)
	frames := make([][]byte, len(msgs))
	for i := range msgs {
		frames[i], _ = feed.AppendMessage(nil, &msgs[i])
	}
	th, url, stop := serveHub(b, hub.Config{QueueBytes: 1 << 30})
	c, err := client.New(client.Config{URLs: []string{url}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan struct{})
	go func() { c.Run(ctx); close(runDone) }()
	for ev := range c.Events() {
		if ev.Kind == feed.EventMessage && ev.Msg.Type == feed.TypeSnapshot {
			break
		}
	}
	cpu := feedtest.CPUTime()
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			th.PublishFrame(frames[i%len(frames)])
		}
	}()
	for n := 0; n < b.N; {
		if ev := <-c.Events(); ev.Kind == feed.EventMessage {
			n++
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(feedtest.CPUTime()-cpu)/float64(b.N), "cpu-ns/op")
	cancel()
	for range c.Events() {
	}
	<-runDone
	stop()
}

// serveHub starts a quiet hub on a loopback port; stop ends it and waits.
func serveHub(b *testing.B, cfg hub.Config) (th *hub.Hub, url string, stop func()) {
	cfg.Logf = func(string, ...any) {}
	th = hub.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() { th.Serve(ctx, ln); close(served) }()
	return th, "ws://" + ln.Addr().String() + "/feed", func() { cancel(); <-served }
}
