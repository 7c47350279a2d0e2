package dump

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
)

// The dumps in testdata/chromium are real: headless Chromium in a loopback
// call, recorded by scripts/chromium (see its README), each with a
// .meta.json saying what was induced and when. These tests check that
// what was induced is visible in the imported stats, at the right time.

type chromiumMeta struct {
	Scenario     string    `json:"scenario"`
	Induce       string    `json:"induce"`
	ConnectedAt  time.Time `json:"connectedAt"`
	RTCStatsDump string    `json:"rtcstatsDump"`
}

// induced parses "bitrate-cap@10,mic-off@20" into name -> seconds after
// the call connected.
func (m chromiumMeta) induced() map[string]float64 {
	out := map[string]float64{}
	for _, part := range strings.Split(m.Induce, ",") {
		name, at, ok := strings.Cut(strings.TrimSpace(part), "@")
		if sec, err := strconv.ParseFloat(at, 64); ok && err == nil {
			out[name] = sec
		}
	}
	return out
}

// chromiumCall is one imported real dump, with times relative to the
// moment the recorder saw the call connected.
type chromiumCall struct {
	meta      chromiumMeta
	conns     map[string]*connSummary
	msgs      []feed.Message
	caller    string // the offerer's connection id
	connected float64
}

func loadChromium(t *testing.T, path string) *chromiumCall {
	t.Helper()
	data, err := os.ReadFile(path + ".meta.json")
	if err != nil {
		t.Skipf("no meta file: %v", err)
	}
	c := &chromiumCall{}
	if err := json.Unmarshal(data, &c.meta); err != nil {
		t.Fatalf("meta: %v", err)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != FormatWebRTCInternals || len(l.Problems) != 0 {
		t.Fatalf("format %q problems %v", l.Format, l.Problems)
	}
	c.conns, c.msgs = replay(t, l.Records)
	c.connected = float64(c.meta.ConnectedAt.UnixMilli())
	for id, s := range c.conns {
		if len(s.States) > 0 && s.States[0] == "signalingstatechange=have-local-offer" {
			c.caller = id
		}
	}
	if c.caller == "" {
		t.Fatalf("no connection starts with have-local-offer: %v", c.conns)
	}
	return c
}

// growth returns how much a cumulative value of the matching stats grew
// between from and to seconds after the call connected (summed over
// matching objects), and over how many seconds of data.
func (c *chromiumCall) growth(conn, typ, kind string, value func(feed.Stat) float64, from, to float64) (delta, secs float64) {
	first, last := map[string]feed.Stat{}, map[string]feed.Stat{}
	for _, m := range c.msgs {
		if m.Type != feed.TypeStats || m.ConnectionID != conn {
			continue
		}
		for _, s := range m.Stats {
			at := (s.Timestamp - c.connected) / 1000
			if s.Type != typ || s.MediaKind() != kind || at < from || at > to {
				continue
			}
			if _, ok := first[s.ID]; !ok {
				first[s.ID] = s
			}
			last[s.ID] = s
		}
	}
	for id, f := range first {
		delta += value(last[id]) - value(f)
		secs = max(secs, (last[id].Timestamp-f.Timestamp)/1000)
	}
	return delta, secs
}

func TestChromiumDumps(t *testing.T) {
	paths, _ := filepath.Glob("testdata/chromium/*.json.gz")
	if len(paths) == 0 {
		t.Skip("no recorded Chromium dumps in testdata/chromium")
	}
	bytesSent := func(s feed.Stat) float64 { return s.BytesSent }
	energy := func(s feed.Stat) float64 { return s.TotalAudioEnergy }
	frames := func(s feed.Stat) float64 { return s.FramesDecoded }
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			c := loadChromium(t, path)
			callee := ""
			for id := range c.conns {
				if id != c.caller {
					callee = id
				}
			}
			for id, s := range c.conns {
				if !strings.Contains(strings.Join(s.States, " "), "iceconnectionstatechange=connected") {
					t.Errorf("%s never connected: %v", id, s.States)
				}
				if s.PacketsReceived == 0 || s.PacketsSent == 0 {
					t.Errorf("%s: no media (received %v, sent %v)", id, s.PacketsReceived, s.PacketsSent)
				}
			}
			ind := c.meta.induced()
			if at, ok := ind["bitrate-cap"]; ok {
				before, bs := c.growth(c.caller, feed.StatOutboundRTP, "video", bytesSent, 2, at)
				after, as := c.growth(c.caller, feed.StatOutboundRTP, "video", bytesSent, at+5, at+15)
				b, a := before*8/bs/1000, after*8/as/1000
				t.Logf("bitrate cap at %vs: caller video %.0f kbps before, %.0f kbps after", at, b, a)
				if b < 200 || a > 60 {
					t.Errorf("bitrate cap at %vs: caller video %.0f kbps before, %.0f kbps after (cap 40 kbps)", at, b, a)
				}
			}
			if at, ok := ind["mic-off"]; ok {
				end := at + 10
				if next, ok := ind["pc-close"]; ok {
					end = next
				}
				on, _ := c.growth(c.caller, feed.StatMediaSource, "audio", energy, 2, at)
				off, _ := c.growth(c.caller, feed.StatMediaSource, "audio", energy, at+3, end)
				t.Logf("mic off at %vs: microphone energy grew %.3f before, %.3f after", at, on, off)
				if on <= 0 || off != 0 {
					t.Errorf("mic off at %vs: caller microphone energy grew %v before, %v after", at, on, off)
				}
			}
			if at, ok := ind["video-off"]; ok {
				on, _ := c.growth(c.caller, feed.StatOutboundRTP, "video", bytesSent, 2, at)
				off, _ := c.growth(c.caller, feed.StatOutboundRTP, "video", bytesSent, at+3, at+20)
				decoded, _ := c.growth(callee, feed.StatInboundRTP, "video", frames, at+3, at+20)
				t.Logf("video off at %vs: %v bytes before, %v after, %v frames decoded after", at, on, off, decoded)
				if on <= 0 || off != 0 || decoded != 0 {
					t.Errorf("video off at %vs: caller sent %v bytes before, %v after; callee decoded %v frames after", at, on, off, decoded)
				}
			}
			if at, ok := ind["pc-close"]; ok {
				s := c.conns[c.caller]
				if !s.Failed {
					t.Errorf("pc-close at %vs: the caller's connection never failed: %v", at, s.States)
				}
			} else if c.conns[c.caller].Failed {
				t.Errorf("caller failed without an induced close: %v", c.conns[c.caller].States)
			}
		})
	}
}

// TestChromiumInternalsMatchChromeRTCStats checks the two importers
// against each other: the same Chromium call dumped by webrtc-internals
// and by Chrome's own rtcstats dump must give the same counters for the
// same stats object at the same timestamp.
func TestChromiumInternalsMatchChromeRTCStats(t *testing.T) {
	c := loadChromium(t, "testdata/chromium/clean.json.gz")
	if c.meta.RTCStatsDump == "" {
		t.Skip("no rtcstats dump beside clean.json.gz")
	}
	l, err := Load(filepath.Join("testdata/chromium", c.meta.RTCStatsDump))
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != FormatRTCStatsChrome {
		t.Fatalf("format %q, want %q", l.Format, FormatRTCStatsChrome)
	}
	_, other := replay(t, l.Records)
	type key struct {
		conn, id string
		ts       float64
	}
	index := map[key]feed.Stat{}
	for _, m := range other {
		for _, s := range m.Stats {
			index[key{m.ConnectionID, s.ID, s.Timestamp}] = s
		}
	}
	compared := 0
	for _, m := range c.msgs {
		for _, s := range m.Stats {
			if s.Type != feed.StatInboundRTP && s.Type != feed.StatOutboundRTP {
				continue
			}
			o, ok := index[key{m.ConnectionID, s.ID, s.Timestamp}]
			if !ok {
				continue
			}
			compared++
			if o.PacketsReceived != s.PacketsReceived || o.PacketsSent != s.PacketsSent || o.BytesReceived != s.BytesReceived ||
				o.BytesSent != s.BytesSent || o.PacketsLost != s.PacketsLost || o.SSRC != s.SSRC || o.MediaKind() != s.MediaKind() {
				t.Errorf("%s %s at %v: webrtc-internals %+v\nrtcstats %+v", m.ConnectionID, s.ID, s.Timestamp, s, o)
			}
		}
	}
	t.Logf("%d inbound/outbound samples compared", compared)
	if compared < 100 {
		t.Errorf("only %d samples found in both dumps; want at least 100", compared)
	}
}
