package history

import (
	"fmt"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

// BenchmarkEndedCallHandoff is what call history costs the engine's
// goroutine per ended call: the Monitor's TakeEnded (the call's report and
// graphs), FromEnded, and the Writer's Add (a queue append; the store's
// work happens on the writer's own goroutine). Each call has four people
// with 10 minutes of stats.
func BenchmarkEndedCallHandoff(b *testing.B) {
	m := diagnose.NewMonitor(diagnose.Options{CollectEnded: true, Linger: time.Second})
	w := NewWriter(WriterConfig{Store: nil, Queue: 1 << 20})
	t0 := float64(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC).UnixMilli())
	ts := t0
	n := 0
	for b.Loop() {
		b.StopTimer()
		id := fmt.Sprintf("c%d", n)
		n++
		ts = endedCall(m, id, ts)
		b.StartTimer()
		for _, ec := range m.TakeEnded() {
			w.Add(FromEnded(ec, "bench"))
		}
	}
	if w.Stats().Queued != int64(n) {
		b.Fatalf("queued %d of %d ended calls", w.Stats().Queued, n)
	}
}

// endedCall plays one call of four people for 10 minutes from ts, ends it
// and moves data time past its linger; it returns the new data time.
func endedCall(m *diagnose.Monitor, id string, ts float64) float64 {
	m.Apply(&feed.Message{Type: feed.TypeCallStart, TS: ts, Call: &feed.Call{ID: id, Room: "room-" + id, Start: ts}})
	for p := range 4 {
		m.Apply(&feed.Message{Type: feed.TypeParticipantJoin, TS: ts, CallID: id, Participant: &feed.Participant{
			ID: fmt.Sprint("p", p), Name: fmt.Sprint("Person ", p), UserID: fmt.Sprint("u", p)}})
	}
	for i := range 600 {
		for p := range 4 {
			at := ts + float64(i*1000)
			m.Apply(&feed.Message{Type: feed.TypeStats, TS: at, CallID: id, ParticipantID: fmt.Sprint("p", p), ConnectionID: "PC_0",
				Stats: []feed.Stat{{ID: "IT01A1", Type: feed.StatInboundRTP, Timestamp: at, SSRC: 1, Kind: "audio",
					BytesReceived: float64(i) * 5000, PacketsReceived: float64(i) * 50}}})
		}
	}
	end := ts + 600_000
	m.Apply(&feed.Message{Type: feed.TypeCallEnd, TS: end, CallID: id})
	m.Apply(&feed.Message{Type: feed.TypeStats, TS: end + 5000, CallID: "tick", ParticipantID: "x"})
	return end + 10_000
}
