package feed_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
)

// encodedMix returns the frames of about n messages of the default mix.
func encodedMix(tb testing.TB, n int) [][]byte {
	msgs := feedtest.SimMessages(tb, n)
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
	msgs := feedtest.SimMessages(b, 5000)
	for i := 0; b.Loop(); i++ {
		if _, err := json.Marshal(&msgs[i%len(msgs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// TestDecodeSimMixMatchesEncodingJSON decodes the simulator's frames both
// ways and compares.
func TestDecodeSimMixMatchesEncodingJSON(t *testing.T) {
	for _, f := range encodedMix(t, 2000) {
		var fast, ref feed.Message
		if err := feed.Decode(f, &fast); err != nil {
			t.Fatalf("%v in %.200s", err, f)
		}
		if err := json.Unmarshal(f, &ref); err != nil {
			t.Fatal(err)
		}
		for i := range ref.Stats {
			if ref.Stats[i].Timestamp == 0 {
				ref.Stats[i].Timestamp = ref.TS
			}
		}
		if !reflect.DeepEqual(fast, ref) {
			t.Fatalf("Decode differs from encoding/json on %.300s", f)
		}
	}
}

// BenchmarkDecodeEncodingJSON is the baseline: json.Unmarshal of the
// same frames into a Message.
func BenchmarkDecodeEncodingJSON(b *testing.B) {
	frames := encodedMix(b, 5000)
	size := 0
	for i := 0; b.Loop(); i++ {
		var m feed.Message
		f := frames[i%len(frames)]
		size += len(f)
		if err := json.Unmarshal(f, &m); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(size / b.N))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// TestAppendMessageSimMix compares AppendMessage with json.Marshal on the
// simulator's default mix.
func TestAppendMessageSimMix(t *testing.T) {
	for _, m := range feedtest.SimMessages(t, 3000) {
		want, _ := json.Marshal(&m)
		got, err := feed.AppendMessage(nil, &m)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("AppendMessage differs from json.Marshal (%v):\n got %s\nwant %s", err, got, want)
		}
	}
}

// BenchmarkAppendMessage measures the hub's encoder on the default mix.
func BenchmarkAppendMessage(b *testing.B) {
	msgs := feedtest.SimMessages(b, 5000)
	var buf []byte
	for i := 0; b.Loop(); i++ {
		var err error
		if buf, err = feed.AppendMessage(buf[:0], &msgs[i%len(msgs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
