package dump

import (
	"fmt"
	"strings"
	"testing"

	"github.com/calltop/calltop/feed"
)

// A sample too big for one frame is split into several stats messages with
// the same time; nothing is lost and every frame fits the limit.
func TestHugeSampleIsSplitIntoFrames(t *testing.T) {
	b := newBuilder("huge.json")
	stats := make([]feed.Stat, 6000)
	for i := range stats {
		stats[i] = feed.Stat{ID: fmt.Sprintf("IT%05d", i), Type: feed.StatInboundRTP, Timestamp: 1700000000000,
			SSRC: int64(i), Kind: "video", TrackIdentifier: strings.Repeat("x", 200), PacketsReceived: float64(i)}
	}
	b.stats("pc", 1700000000000, stats)
	recs, err := b.records()
	if err != nil {
		t.Fatal(err)
	}
	_, msgs := replay(t, recs)
	frames, total := 0, 0
	for i, m := range msgs {
		if m.Type != feed.TypeStats {
			continue
		}
		frames++
		total += len(m.Stats)
		if len(recs[i].Msg) > feed.MaxFrameBytes || m.TS != 1700000000000 {
			t.Errorf("frame %d: %d bytes at %v", i, len(recs[i].Msg), m.TS)
		}
	}
	if frames < 2 || total != len(stats) {
		t.Errorf("%d frames carrying %d stats; want several carrying all %d", frames, total, len(stats))
	}
}
