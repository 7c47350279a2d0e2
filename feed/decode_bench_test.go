package feed_test

import (
	"encoding/json"
	"testing"

	"github.com/calltop/calltop/feed"
)

// encodedMix returns the frames of about n messages of the default mix.
func encodedMix(tb testing.TB, n int) [][]byte {
	msgs := simMessages(tb, n)
	frames := make([][]byte, len(msgs))
	for i := range msgs {
		b, err := json.Marshal(&msgs[i])
		if err != nil {
			tb.Fatal(err)
		}
		frames[i] = b
	}
	return frames
}

// BenchmarkDecode measures feed.Decode on the simulator's default mix.
func BenchmarkDecode(b *testing.B) {
	frames := encodedMix(b, 5000)
	var m feed.Message
	size := 0
	for i := 0; b.Loop(); i++ {
		f := frames[i%len(frames)]
		size += len(f)
		if err := feed.Decode(f, &m); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(size / b.N))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkEncode measures encoding the default mix, as Hub.Publish does.
func BenchmarkEncode(b *testing.B) {
	msgs := simMessages(b, 5000)
	for i := 0; b.Loop(); i++ {
		if _, err := json.Marshal(&msgs[i%len(msgs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
