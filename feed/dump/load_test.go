package dump

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/recording"
)

const chromeFixture = fixtures + "/google-standard-stats-p2p.rtcstats"

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func countType(recs []recording.Record, typ string) int {
	n := 0
	for _, r := range recs {
		if bytes.Contains(r.Msg, []byte(`"type":"`+typ+`"`)) {
			n++
		}
	}
	return n
}

func TestLoadDetectsByContentNotName(t *testing.T) {
	plain := readFixture(t, chromeFixture)
	want, err := Load(chromeFixture)
	if err != nil {
		t.Fatal(err)
	}
	internals := readFixture(t, "testdata/internals-current.json")
	for _, tc := range []struct {
		name   string
		data   []byte
		format string
	}{
		{"dump.txt", plain, FormatRTCStats},
		{"dump.json.gz", gz(t, plain), FormatRTCStats},
		{"whatever.rtcstats", internals, FormatWebRTCInternals},
		{"internals.gz", gz(t, internals), FormatWebRTCInternals},
		{"legacy.log", readFixture(t, fixtures+"/google-legacy-stats-p2p.rtcstats"), FormatRTCStatsLegacy},
	} {
		l, err := Load(writeFile(t, tc.name, tc.data))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if l.Format != tc.format {
			t.Errorf("%s: format %q, want %q", tc.name, l.Format, tc.format)
		}
		if tc.format == FormatRTCStats && len(l.Records) != len(want.Records) {
			t.Errorf("%s: %d records, the plain file gives %d", tc.name, len(l.Records), len(want.Records))
		}
	}
}

func TestLoadRecording(t *testing.T) {
	var buf bytes.Buffer
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, m := range []string{`{"type":"call.start","call":{"id":"c1"}}`, `{"type":"call.end","callId":"c1"}`} {
		line, _ := json.Marshal(recording.Record{Recv: at, Msg: json.RawMessage(m)})
		buf.Write(append(line, '\n'))
	}
	l, err := Load(writeFile(t, "rec.jsonl.gz", gz(t, buf.Bytes())))
	if err != nil || l.Format != FormatRecording || len(l.Records) != 2 {
		t.Fatalf("recording: %v %+v", err, l)
	}
}

func TestLoadRefusesOtherFormats(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       []string // every one must appear in the error
	}{
		{"v4.rtcstats", "RTCStatsDump\n{\"fileFormat\":3}\n[60,null,{},\"60-0\",2153]\n", []string{"v4.rtcstats", "RTCStatsDump", "not supported"}},
		{"v4meta.rtcstats", `{"path":"/x","origin":"o","url":"u","userAgent":"ua","time":1,"fileFormat":3}` + "\n", []string{"v4meta.rtcstats", "v4", "fileFormat 3"}},
		{"table.csv", "time,ssrc,packetsLost\n1,2,3\n", []string{"table.csv", "not a calltop recording or a known dump", `"time,ssrc,packetsLost`}},
		{"obj.json", `{"hello": "world"}`, []string{"obj.json", "PeerConnections"}},
		{"empty.json", " \n\t", []string{"empty.json", "empty"}},
		{"garbage.bin", "\x00\x01\x02\xff", []string{"garbage.bin", "starts with"}},
		{"nopc.json", `{"getUserMedia":[],"PeerConnections":{},"UserAgent":"x"}`, []string{"nopc.json", "without any peer connection"}},
		{"nothing.rtcstats", `["identity",null,{"displayName":"x"},1605197570279]` + "\n", []string{"nothing.rtcstats", "nothing to replay"}},
	} {
		_, err := Load(writeFile(t, tc.name, []byte(tc.data)))
		if err == nil {
			t.Errorf("%s: loaded; want an error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tc.name, err, w)
			}
		}
	}
}

func TestRTCStatsBadLinesAreReportedAndSkipped(t *testing.T) {
	lines := strings.SplitAfter(string(readFixture(t, chromeFixture)), "\n")
	good, err := Load(chromeFixture)
	if err != nil {
		t.Fatal(err)
	}
	// Line 100 becomes garbage, line 101 an unknown method (twice), and
	// the file is cut in the middle of its last getstats line.
	lines[99] = "this is not json\n"
	lines = append(lines[:101], append([]string{`["fancyNewMethod","PC_0",{},1605197602100]` + "\n", `["fancyNewMethod","PC_0",{},1605197602200]` + "\n"}, lines[101:]...)...)
	last := len(lines) - 1
	for !strings.HasPrefix(lines[last], `["getstats"`) {
		last--
	}
	lines = lines[:last+1]
	lines[last] = lines[last][:len(lines[last])/2]
	l, err := Load(writeFile(t, "broken.rtcstats", []byte(strings.Join(lines, ""))))
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, p := range l.Problems {
		if p.File == "" || p.Line == 0 {
			t.Errorf("problem without file or line: %+v", p)
		}
		reasons = append(reasons, p.Error())
	}
	all := strings.Join(reasons, "\n")
	// Line 100 was the first sample of PC_1's new streams after a
	// renegotiation: without it their type is unknown, and the later
	// samples of those objects are reported as unusable, not dropped quietly.
	for _, w := range []string{"broken.rtcstats:100: not a JSON array", `broken.rtcstats:102: unknown method "fancyNewMethod" ignored (2 lines)`,
		`peer connection "PC_1": `, "stats objects without a type ignored", "truncated"} {
		if !strings.Contains(all, w) {
			t.Errorf("problems do not include %q:\n%s", w, all)
		}
	}
	if len(l.Problems) != 4 {
		t.Errorf("%d problems, want 4:\n%s", len(l.Problems), all)
	}
	// Every other getstats line is still used.
	gotStats, wantStats := countType(l.Records, feed.TypeStats), countType(good.Records, feed.TypeStats)
	if gotStats < wantStats-5 || gotStats >= wantStats {
		t.Errorf("%d stats messages, the intact file gives %d", gotStats, wantStats)
	}
	replay(t, l.Records)
}

func TestLoadFileCutAtTheStart(t *testing.T) {
	data := readFixture(t, chromeFixture)
	cut := data[bytes.IndexByte(data, '\n')+40:] // the first line loses its head
	l, err := Load(writeFile(t, "tail.rtcstats", cut))
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != FormatRTCStats || len(l.Problems) == 0 || l.Problems[0].Line != 1 {
		t.Fatalf("format %q problems %v: want rtcstats with line 1 reported", l.Format, l.Problems)
	}
	replay(t, l.Records)

	var buf bytes.Buffer
	buf.WriteString("cv\":\"2026-01-02T03:04:05Z\",\"msg\":{}}\n")
	for _, m := range []string{`{"type":"call.start","call":{"id":"c1"}}`, `{"type":"call.end","callId":"c1"}`} {
		line, _ := json.Marshal(recording.Record{Recv: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Msg: json.RawMessage(m)})
		buf.Write(append(line, '\n'))
	}
	l, err = Load(writeFile(t, "tail.jsonl", buf.Bytes()))
	if err != nil || l.Format != FormatRecording || len(l.Records) != 2 || len(l.Problems) != 1 {
		t.Fatalf("recording cut at the start: %v %+v", err, l)
	}
}

func TestRTCStatsMetaLineAndHostileStrings(t *testing.T) {
	dump := `{"path":"/room-7","origin":"https://example.com","url":"https://example.com/room-7","userAgent":"Mozilla/5.0 Firefox/120.0","time":"2024-01-01T00:00:00Z","fileFormat":2}
["identity",null,{"displayName":"Eve\u001b[31m red","userId":42},1700000000000]
["getstats","PC_0",{"timestamp":1700000001000,"i1":{"type":"inbound-rtp","timestamp":0,"ssrc":"7","kind":"audio","packetsReceived":"10","packetsLost":"NaN","jitter":"Infinity"}}]
["getstats","PC_0",{"timestamp":1700000002000,"i1":{"timestamp":0,"packetsReceived":20},"lateJoiner":{"timestamp":0,"bytesSent":5}},1700000002000]
`
	l, err := Load(writeFile(t, "meta.rtcstats", []byte(dump)))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Problems) != 1 || !strings.Contains(l.Problems[0].Error(), `meta.rtcstats:4: peer connection "PC_0": 1 stats objects without a type ignored`) {
		t.Errorf("problems %v", l.Problems)
	}
	conns, msgs := replay(t, l.Records)
	p := msgs[1].Participant
	if p.Name != "Eve[31m red" || p.ID != "42" || p.UserAgent != "Mozilla/5.0 Firefox/120.0" || msgs[0].Call.Room != "room-7" {
		t.Errorf("participant %+v call %+v", p, msgs[0].Call)
	}
	c := conns["PC_0"]
	if c == nil || c.PacketsReceived != 20 || c.PacketsLostIn != 0 {
		t.Fatalf("PC_0 %+v", c)
	}
	if in := statsOf(msgs, "PC_0", "i1"); len(in) != 2 || in[1].SSRC != 7 || in[1].Kind != "audio" || in[1].Timestamp != 1700000002000 {
		t.Errorf("delta decoding: %+v", in)
	}
}

func TestInternalsTruncatedKeepsWhatWasRead(t *testing.T) {
	data := readFixture(t, "testdata/internals-current.json")
	cut := bytes.Index(data, []byte(`"11-2"`)) + 200 // inside the second connection's stats
	l, err := Load(writeFile(t, "cut.json", data[:cut]))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Problems) != 1 || !strings.Contains(l.Problems[0].Error(), "cut.json:1: file is truncated") {
		t.Errorf("problems %v", l.Problems)
	}
	conns, _ := replay(t, l.Records)
	if c := conns["11-1"]; c == nil || c.PacketsReceived != 250 {
		t.Errorf("the complete first connection is not kept intact: %+v", c)
	}
	// A gzip stream cut short: what was decompressed is used.
	z := gz(t, data)
	l, err = Load(writeFile(t, "cut.json.gz", z[:len(z)*2/3]))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Records) == 0 || !strings.Contains(l.Problems[len(l.Problems)-1].Reason, "truncated") {
		t.Errorf("truncated gzip: %d records, problems %v", len(l.Records), l.Problems)
	}
}

func TestInternalsCutBetweenTopLevelKeysIsReported(t *testing.T) {
	data := readFixture(t, "testdata/internals-current.json")
	cut := bytes.Index(data, []byte(`, "UserAgent"`)) // after the whole PeerConnections object
	l, err := LoadReader(bytes.NewReader(data[:cut]), "cut.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Problems) != 1 || !strings.Contains(l.Problems[0].Error(), "cut.json:1: file is truncated") {
		t.Errorf("a dump cut after its peer connections is not reported as truncated: %v", l.Problems)
	}
	if len(l.Records) == 0 {
		t.Errorf("the peer connections before the cut are not used")
	}
}

func TestInternalsBadSeriesAreReported(t *testing.T) {
	dump := `{"PeerConnections":{"1-1":{"stats":{
"T-timestamp":{"startTime":"2024-01-01T00:00:00Z","endTime":"2024-01-01T00:00:01Z","statsType":"transport","values":"[1704067200000,1704067201000]"},
"T-dtlsState":{"statsType":"transport","values":"[\"connected\",\"connected\"]"},
"T-bytesSent":{"statsType":"transport","values":"[1,2"},
"X-foo":{"values":"[1,2]"},
"Z-timestamp":{"values":"[1704067200000]"},"Z-foo":{"values":"[1]"},
"Y-bar":42},
"updateLog":[{"type":"iceconnectionstatechange","value":"\"connected\"","time":"not a time"}, 7]}},"UserAgent":"x"}`
	l, err := LoadReader(strings.NewReader(dump), "bad-series.json")
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, p := range l.Problems {
		all += p.Error() + "\n"
	}
	for _, w := range []string{"series \"Y-bar\" is not", "1 stats series with unreadable values", "1 stats ids without usable times", "1 stats ids of unknown type", "updateLog entry is not an object", "1 state changes or failures in updateLog without a readable time"} {
		if !strings.Contains(all, w) {
			t.Errorf("problems do not mention %q:\n%s", w, all)
		}
	}
	if _, msgs := replay(t, l.Records); len(statsOf(msgs, "1-1", "T")) != 2 {
		t.Errorf("the good series are not used")
	}
}
