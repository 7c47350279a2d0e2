package hub_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// BenchmarkHubPublishViews is BenchmarkHubPublish's one subscriber of the
// whole feed with view clients beside it, each with one call open: what
// they add to the hub's cost per message (each frame's type read once, a
// stats frame's call found once, one string compare per view client),
// and what they receive.
func BenchmarkHubPublishViews(b *testing.B) {
	for _, views := range []int{0, 16} {
		b.Run(fmt.Sprintf("views=%d", views), func(b *testing.B) {
			msgs := feedtest.SimMessages(b, 5000)
			ov := &feedtest.OpenViews{}
			th, url, stop := serveHub(b, hub.Config{Views: ov})
			ov.H.Store(th)
			readers := make(chan int, views+1)
			read := func(conn *websocket.Conn) {
				n := 0
				for {
					if _, _, err := conn.ReadMessage(); err != nil {
						readers <- n
						return
					}
					n++
				}
			}
			full, _, err := websocket.DefaultDialer.Dial(url, nil)
			if err != nil {
				b.Fatal(err)
			}
			go read(full)
			for i := range views {
				conn, _, err := websocket.DefaultDialer.Dial(url+"?view=1", nil)
				if err != nil {
					b.Fatal(err)
				}
				req, _ := feed.EncodeView(feed.ViewRequest{Type: feed.TypeViewRequest, View: feed.ViewQuery{Open: fmt.Sprintf("call-%d", 1001+i)}})
				conn.WriteMessage(websocket.TextMessage, req)
				go read(conn)
			}
			for th.Stats().Subscribers < views+1 || ov.Joins.Load() < int64(views) {
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
			got := 0
			for i := 0; i < views+1; i++ {
				got += <-readers
			}
			b.ReportMetric(float64(feedtest.CPUTime()-cpu)/float64(b.N), "cpu-ns/op")
			if views > 0 {
				b.ReportMetric(float64(got-b.N)/float64(views)/float64(b.N), "frames/view/msg")
			}
		})
	}
}
