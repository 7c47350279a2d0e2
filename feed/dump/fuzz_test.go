package dump

import (
	"bytes"
	"testing"

	"github.com/calltop/calltop/feed"
)

// checkLoaded asserts what must hold for any input the importers accept:
// every record is a valid calltop.v1 frame within the size limit, records
// never go back in time, and every problem names the file and a line.
func checkLoaded(t *testing.T, l *Loaded) {
	var m feed.Message
	for i, r := range l.Records {
		if len(r.Msg) > feed.MaxFrameBytes {
			t.Fatalf("record %d is %d bytes", i, len(r.Msg))
		}
		if err := feed.Decode(r.Msg, &m); err != nil {
			t.Fatalf("record %d: %v\n%s", i, err, r.Msg)
		}
		if i > 0 && r.Recv.Before(l.Records[i-1].Recv) {
			t.Fatalf("record %d goes back in time", i)
		}
	}
	for _, p := range l.Problems {
		if p.File != "fuzz" || p.Line < 1 || p.Reason == "" {
			t.Fatalf("problem without file, line or reason: %+v", p)
		}
	}
}

// FuzzRTCStats feeds arbitrary bytes to the rtcstats v3 importer; seeds
// are in testdata/fuzz/FuzzRTCStats (excerpts of the real fixtures and
// broken lines).
func FuzzRTCStats(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := loadRTCStats(data, "fuzz")
		if err != nil {
			return
		}
		checkLoaded(t, l)
	})
}

// FuzzWebRTCInternals feeds arbitrary bytes to the webrtc-internals
// importer; seeds are in testdata/fuzz/FuzzWebRTCInternals.
func FuzzWebRTCInternals(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := loadInternals(data, "fuzz")
		if err != nil {
			return
		}
		checkLoaded(t, l)
	})
}

// FuzzLoad runs the format detection in front of both importers.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`["getstats","PC_0",{"timestamp":1700000001000,"a":{"type":"transport","timestamp":0}}]`))
	f.Add([]byte(`{"getUserMedia":[],"PeerConnections":{"1-1":{"updateLog":[{"type":"iceconnectionstatechange","value":"\"failed\"","timestamp":1700000000000}]}}}`))
	f.Add([]byte("RTCStatsDump\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := LoadReader(bytes.NewReader(data), "fuzz")
		if err != nil || l.Format == FormatRecording { // recordings are replayed as they are
			return
		}
		checkLoaded(t, l)
	})
}

// loadRTCStats runs the rtcstats importer alone on data.
func loadRTCStats(data []byte, name string) (*Loaded, error) {
	return loadAs(data, name, streamRTCStats)
}

// loadInternals runs the webrtc-internals importer alone on data.
func loadInternals(data []byte, name string) (*Loaded, error) {
	return loadAs(data, name, streamInternals)
}

func loadAs(data []byte, name string, read func(*input, *Info, Visitor) error) (*Loaded, error) {
	in := newInput(bytes.NewReader(data), name)
	if _, err := in.start(); err != nil {
		return nil, err
	}
	info := &Info{Path: name}
	enc := &encoder{file: name}
	if err := read(in, info, Visitor{Message: func(m *feed.Message) error { return enc.add(*m) }}); err != nil {
		return nil, err
	}
	return &Loaded{Path: name, Format: info.Format, Records: enc.out, Problems: info.Problems}, nil
}
