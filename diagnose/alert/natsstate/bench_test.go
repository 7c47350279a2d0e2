package natsstate

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// BenchmarkSave10000 measures one save of a team hub's book with 10,000
// firing alerts (one acked) to the bucket on an embedded JetStream
// server: actions by compare-and-set, the book gzip'd. The engine saves
// at most once a second while things change, and at once after a
// command.
func BenchmarkSave10000(b *testing.B) {
	url := jetServerB(b)
	open := make([]diagnose.Finding, 10000)
	for i := range open {
		open[i] = finding("c"+strconv.Itoa(i/4), "p"+strconv.Itoa(i))
	}
	bk := alert.NewBook(alert.Options{User: "bench"})
	bk.Observe(t0, open)
	st := openStoreB(b, url)
	y := st.NewSyncer()
	plain, _ := json.Marshal(bk.Persist())
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := bk.Ack(open[i%len(open)].Key(), "dana", "", t0.Add(time.Duration(i)*time.Millisecond)); err != nil {
			b.Fatal(err)
		}
		y.write(bk.Persist())
		if y.pending != nil {
			b.Fatal("save failed")
		}
	}
	b.StopTimer()
	z, _ := encode(bk.Persist())
	b.ReportMetric(float64(len(plain))/1e6, "json-MB")
	b.ReportMetric(float64(len(z))/1e6, "stored-MB")
}

// BenchmarkAckReachesOtherHub measures how long an ack saved by one hub
// takes to reach another hub's engine (its Syncer's Changes), through the
// bucket's watch on an embedded JetStream server: the floor under "an ack
// made on one hub shows on the others within a second" (a TUI adds at
// most the team hub's 250 ms publishing pace).
func BenchmarkAckReachesOtherHub(b *testing.B) {
	url := jetServerB(b)
	open := findings(b.N + 1)
	a, other := openStoreB(b, url), openStoreB(b, url)
	a.cfg.HubID, other.cfg.HubID = "hub-a", "hub-b"
	ya, yb := a.NewSyncer(), other.NewSyncer()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go yb.Run(ctx)
	bk := alert.NewBook(alert.Options{User: "hub-a"})
	bk.Observe(t0, open)
	ya.write(bk.Persist())
	waitChange := func(key string) {
		for {
			select {
			case p := <-yb.Changes():
				for _, act := range p.Acks {
					if act.Key == key {
						return
					}
				}
			case <-time.After(10 * time.Second):
				b.Fatal("no change within 10 s")
			}
		}
	}
	b.ResetTimer()
	for i := range b.N {
		key := open[i].Key()
		if err := bk.Ack(key, "dana", "", t0.Add(time.Duration(i+1)*time.Millisecond)); err != nil {
			b.Fatal(err)
		}
		ya.write(bk.Persist())
		waitChange(key)
	}
}
