package natshistory

import (
	"context"
	"fmt"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/calltop/calltop/diagnose/history"
	"github.com/calltop/calltop/feed/bus/bustest"
)

// BenchmarkPublishEnded measures publishing one ended call (four people,
// 15 minutes of graphs at 20 s a point) to the stream on an embedded
// JetStream server and waiting for its acknowledgement: what a hub's
// publisher spends per ended call, off the engine's goroutine.
func BenchmarkPublishEnded(b *testing.B) {
	s := bustest.StartServer(b, &server.Options{JetStream: true, StoreDir: b.TempDir()})
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := OpenStream(context.Background(), js, StreamConfig{}); err != nil {
		b.Fatal(err)
	}
	p := NewPublisher(PublisherConfig{JS: js, HubID: "bench"})
	c := ended("bench", 0)
	c.Series = map[string]history.Series{}
	for i := range 4 {
		pid := fmt.Sprintf("p%d", i)
		sr := history.Series{Start: t0}
		for k := range 45 {
			sr.OffsetMs = append(sr.OffsetMs, int32(k*20000))
			sr.BitrateInKbps, sr.BitrateOutKbps = append(sr.BitrateInKbps, 1234.5), append(sr.BitrateOutKbps, 987.6)
			sr.LossInPct, sr.LossOutPct, sr.RTTMs = append(sr.LossInPct, 0.4), append(sr.LossOutPct, 1.2), append(sr.RTTMs, 85)
		}
		c.Series[pid] = sr
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c.Report.ID = fmt.Sprintf("bench/call-%d", i)
		if _, err := p.publish(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
}
