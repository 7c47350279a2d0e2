package hub_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// BenchmarkHubPublishUnderChurn measures publishing stats to one
// subscriber while churners clients connect and hang up as fast as they
// can, with 5,000 calls going on: each connect is a 5,000-call snapshot
// for the hub to give. worst-publish-µs is the longest one Publish waited
// (the hub's lock held by a connect). Before the snapshot left the lock,
// about 130 connects a second cut a hub's publishing from 3,937 to 28
// frames a second.
func BenchmarkHubPublishUnderChurn(b *testing.B) {
	for _, churners := range []int{0, 2} {
		b.Run(fmt.Sprintf("churners=%d", churners), func(b *testing.B) { benchChurn(b, churners) })
	}
}

func benchChurn(b *testing.B, churners int) {
	var msgs []feed.Message
	for _, m := range feedtest.SimMessages(b, 5000) {
		if m.Type == feed.TypeStats { // the calls do not change: a steady feed
			msgs = append(msgs, m)
		}
	}
	th, url, stop := serveHub(b, hub.Config{})
	for i := 0; i < 5000; i++ {
		feedtest.PublishAll(b, th, feedtest.CallStart(fmt.Sprintf("call-%04d", i), float64(i), "p1", "p2", "p3", "p4"))
	}
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		b.Fatal(err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	var connects atomic.Int64
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for range churners {
		wg.Go(func() {
			for {
				select {
				case <-quit:
					return
				default:
				}
				c, _, err := websocket.DefaultDialer.Dial(url, nil)
				if err == nil {
					c.ReadMessage() // hello: the hub has given its snapshot
					c.Close()
					connects.Add(1)
				}
			}
		})
	}
	for connects.Load() < int64(churners) {
		time.Sleep(time.Millisecond)
	}
	start := connects.Load()
	var worst time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		if err := th.Publish(&msgs[i%len(msgs)]); err != nil {
			b.Fatal(err)
		}
		worst = max(worst, time.Since(t0))
	}
	b.StopTimer()
	churn := connects.Load() - start
	close(quit)
	wg.Wait()
	stop()
	<-read
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(churn)/b.Elapsed().Seconds(), "connects/s")
	b.ReportMetric(float64(worst.Microseconds()), "worst-publish-µs")
}
