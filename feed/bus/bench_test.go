package bus

import (
	"testing"
	"time"

	"github.com/calltop/calltop/feed/bus/bustest"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// BenchmarkBus measures a hub's bus cost per message of the simulator's
// mix, on an embedded NATS server in this process: "publish" is one hub
// putting its messages on the bus with no other hub listening (naming the
// call, encoding once, the local hub, the NATS client and server); "relay"
// adds a second hub taking every one of them into its own hub. Reported:
// bytes per message on the bus and the process's CPU per message (both
// hubs and the server: subtract publish from relay for the receiving side).
// At 10,000 simulated calls a hub produces about 38,000 messages a second:
// multiply. go test -run '^$' -bench Bus -benchtime 20000x ./feed/bus
func BenchmarkBus(b *testing.B) {
	for _, relay := range []bool{false, true} {
		b.Run(map[bool]string{false: "publish", true: "relay"}[relay], func(b *testing.B) {
			msgs := feedtest.SimMessages(b, 5000)
			s := bustest.StartServer(b, nil)
			join := func(id string) *Node {
				n, err := Connect(Config{URLs: []string{s.ClientURL()}, HubID: id, Logf: quiet}, hub.New(hub.Config{Logf: quiet}))
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(n.Close)
				return n
			}
			src := join("hub-a")
			var dst *Node
			if relay {
				dst = join("hub-b")
			}
			pub := src.Publisher()
			cpu := feedtest.CPUTime()
			for i := 0; b.Loop(); i++ {
				if err := pub.Publish(&msgs[i%len(msgs)]); err != nil {
					b.Fatal(err)
				}
			}
			st := src.Stats()
			if dst != nil {
				deadline := time.Now().Add(30 * time.Second)
				for dst.Stats().Received+dst.Stats().BadFrames < int64(b.N) && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond) // polling the receiver's count, with a deadline
				}
				if got := dst.Stats(); got.Received < int64(b.N) {
					b.Fatalf("hub-b took %d of %d messages (%+v)", got.Received, b.N, got)
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(st.PublishedByte)/n, "bus-B/msg")
			b.ReportMetric(float64(feedtest.CPUTime()-cpu)/n, "cpu-ns/msg")
		})
	}
}

func quiet(string, ...any) {}
