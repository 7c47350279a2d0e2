package dump

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// deltaCorpus are getstats lines at the fast path's edges: each must give
// what the general path gives.
var deltaCorpus = []string{
	`["getstats","PC_0",{"timestamp":1700000001000,"a":{"type":"transport","timestamp":0}}]`,
	`["getstats","PC_0",{"a":{"type":"codec","timestamp":1700000001000},"b":{"type":"inbound-rtp","kind":"audio","packetsLost":"3","timestamp":0}},1700000002000]`,
	`["getStats",7,{"a":{"type":"codec","id":"x","id":"y"}},1700000002000]`,
	`["getstats","PC_0",{"a":{"type":"codec"},"a":{"type":"transport"}},1700000002000]`,
	`["getstats","PC_0",{"timestamp":{"type":"codec"},"b":{"timestamp":1700000003000,"type":"x"}},1]`,
	`["getstats","PC_0",{"timestamp":"1700000001000","":{"type":"codec","timestamp":0,"timestamp":5}}, 1 , 2 ]`,
	`["getstats",null,{"a":{"type":"codec"}},1700000002000]`,
	`["getstats","PC_0",{},1700000002000]`,
	`["getstats","PC_0",{"a":1,"b":[],"c":{}},1700000002000]`,
	`["getstats","PC_0",{"a":{"type":"ssrc","googRtt":"12"}},1700000002000] x`,
	`["getstats","PC_0",{"a":{"type":"codec",}},1700000002000]`,
	`["getstats","PC_0",{"a":{"type":"codec"}}]`,
	`["getstats","PC_0",{"a":{"type":"codec","x":1e400}},1700000002000]`,
	`["getstats","PC_0",{"a":{"type":"codec","x":"\ud83d"}},1700000002000]`,
	"RTCStatsDump\n[\"getstats\",\"PC_0\",{\"a\":{\"type\":\"codec\"}},1700000002000]\n[\"getstats\",\"PC_0\",{\"a\":{\"type\":\"codec\"}},1000]",
	// A kept object: a field turned unreadable, a map field, a track, a
	// remote report's kind, and a line the general path merges between.
	`["getstats","PC_0",{"o":{"type":"outbound-rtp","kind":"video","trackId":"t","packetsSent":5,"qualityLimitationDurations":{"cpu":1},"timestamp":0},"t":{"type":"track","framesSent":9,"frameWidth":"640"},"r":{"type":"remote-inbound-rtp","kind":"","localId":"o","packetsLost":1}},1700000001000]` + "\n" +
		`["getstats","PC_0",{"o":{"packetsSent":"many","qualityLimitationDurations":"{\"bandwidth\":2}"},"t":{"framesSent":10},"r":{"packetsLost":2}},1700000002000]` + "\n" +
		`["getstats","PC_0",[{"id":"o","packetsSent":7,"timestamp":1700000003000},{"id":"r","kind":"audio"}],1700000003000]` + "\n" +
		`["getstats","PC_0",{"o":{"framesSent":1},"r":{"kind":null}},1700000004000]`,
	// An rtp stream taking a field from its track, then writing it itself.
	`["getstats","PC_0",{"o":{"type":"outbound-rtp","kind":"video","trackId":"t","packetsSent":5},"t":{"type":"track","frameWidth":640,"framesSent":9}},1700000001000]` + "\n" +
		`["getstats","PC_0",{"o":{"packetsSent":6,"frameWidth":320},"t":{"frameWidth":1280}},1700000002000]` + "\n" +
		`["getstats","PC_0",{"o":{"packetsSent":7},"t":{"frameWidth":1920,"framesSent":12}},1700000003000]`,
	// An object's type changing after it was given (to legacy, to a
	// dropped one, isRemote set, a candidate's portNumber arriving).
	`["getstats","PC_0",{"a":{"type":"inbound-rtp","kind":"audio","packetsLost":1},"c":{"type":"localcandidate","address":"1.2.3.4"}},1700000001000]` + "\n" +
		`["getstats","PC_0",{"a":{"isRemote":true,"packetsLost":2},"c":{"portNumber":"5"}},1700000002000]` + "\n" +
		`["getstats","PC_0",{"a":{"type":"ssrc","packetsLost":3},"c":{"type":"certificate"}},1700000003000]` + "\n" +
		`["getstats","PC_0",{"a":{"type":"outbound-rtp","packetsSent":4},"c":{"type":"remotecandidate"}},1700000004000]`,
	// Legacy objects kept mapped while unchanged: a send ssrc's RTT
	// changing, one unchanged for a line, the pair taking bweforvideo's
	// figure when only bweforvideo changed, a field turned unreadable, a
	// candidate's type changing, and a line the general path merges.
	`["getstats","PC_0",{"ssrc_1_send":{"type":"ssrc","mediaType":"audio","packetsSent":"5","googRtt":"20","audioInputLevel":"100"},"ssrc_2_recv":{"type":"ssrc","mediaType":"video","packetsReceived":"9"},"Conn-1":{"type":"googCandidatePair","googActiveConnection":"true","googRtt":"30"},"bweforvideo":{"type":"VideoBwe","googAvailableSendBandwidth":"1000"},"Cand-1":{"type":"localcandidate","portNumber":"5000","candidateType":"relayed","priority":"41885439"}},1700000001000]` + "\n" +
		`["getstats","PC_0",{"ssrc_1_send":{"googRtt":"25"},"ssrc_2_recv":{},"bweforvideo":{"googAvailableSendBandwidth":"2000"}},1700000002000]` + "\n" +
		`["getstats","PC_0",{"ssrc_1_send":{"packetsSent":"x"},"ssrc_2_recv":{"packetsReceived":"12"},"Cand-1":{"type":"remotecandidate"}},1700000003000]` + "\n" +
		`["getstats","PC_0",[{"id":"ssrc_2_recv","packetsReceived":"15"}],1700000004000]` + "\n" +
		`["getstats","PC_0",{"ssrc_2_recv":{"googFrameWidthReceived":"640"},"Cand-1":{}},1700000005000]`,
	// Candidate pairs: an inactive one kept mapped while bweforvideo
	// changes, then becoming the active one (taking bweforvideo's figure),
	// and the active one turning inactive.
	`["getstats","PC_0",{"Conn-1":{"type":"googCandidatePair","googActiveConnection":"true","googRtt":"30"},"Conn-2":{"type":"googCandidatePair","googActiveConnection":"false","googRtt":"90"},"bweforvideo":{"type":"VideoBwe","googAvailableSendBandwidth":"1000"}},1700000001000]` + "\n" +
		`["getstats","PC_0",{"Conn-1":{},"Conn-2":{},"bweforvideo":{"googAvailableSendBandwidth":"2000"}},1700000002000]` + "\n" +
		`["getstats","PC_0",{"Conn-1":{"googActiveConnection":"false"},"Conn-2":{"googActiveConnection":"true"},"bweforvideo":{"googAvailableSendBandwidth":"3000"}},1700000003000]` + "\n" +
		`["getstats","PC_0",{"Conn-1":{},"Conn-2":{},"bweforvideo":{"googAvailableSendBandwidth":"4000"}},1700000004000]`,
	// Names read where others were before: an escaped one, one the last
	// name is a prefix of, an id longer than the last one there.
	`["getstats","PC_0",{"a":{"type":"inbound-rtp","kind":"audio","packetsLost":1},"b":{"type":"outbound-rtp","packetsSent":1}},1700000001000]` + "\n" +
		`["getstats","PC_0",{"a":{"typ\u0065":"outbound-rtp","kindX":"video","packetsLost":2},"b2":{"type":"inbound-rtp","packetsSent":2}},1700000002000]` + "\n" +
		`["getstats","PC_0",{"a":{"type":"inbound-rtp","kind":"video","packetsLostX":3},"b":{"packetsSent":3}},1700000003000]`,
	// Ignored lines: checked, not decoded.
	`["setLocalDescription","PC_0",{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n\u00e9"},1700000002000]` + "\n" +
		`["addIceCandidate","PC_0",{"candidate":"\x"},1700000002000]` + "\n" +
		`["addTrack","PC_0",[1e400],1700000002000]` + "\n" +
		`["onicecandidate","PC_0",[[[{"a":[true,false,null,-1.5e3]}]]],1700000002000,"extra"]` + "\n" +
		`["addStream","PC_0"]` + "\n" + `["addStream","PC_0",{}] x` + "\n" + `["addStream","PC_0",{"a" 1}]` + "\n" +
		`["setLocalDescriptionOnFailure","PC_0","InvalidAccessError",1700000002000]` + "\n" +
		`["getstats","PC_0",{"a":{"type":"codec"}},1700000003000]`,
	"RTCStatsDump\n[\"addTrack\",\"PC_0\",\"12\"]\n[\"addTrack\",\"PC_0\",{},1700000001000]\n[\"addTrack\",\"PC_0\",{},1000]\n" +
		`["getstats","PC_0",{"a":{"type":"codec"}},1000]`,
	`[ "getstats" , "PC_0" , { "a" : { "type" : "candidate-pair" , "currentRoundTripTime" : 0.5 } } , 1700000002000 ]`,
}

// TestGetstatsFastPathMatches holds the fast path to the general one on
// every real rtcstats dump in the repo, the fuzz seeds and deltaCorpus.
func TestGetstatsFastPathMatches(t *testing.T) {
	var inputs [][]byte
	files, _ := filepath.Glob(fixtures + "/*.rtcstats")
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzRTCStats/*")
	if len(files) == 0 || len(seeds) == 0 {
		t.Fatal("no rtcstats fixtures or seeds")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, data)
	}
	for _, f := range seeds {
		inputs = append(inputs, readSeed(t, f))
	}
	for _, s := range deltaCorpus {
		inputs = append(inputs, []byte(s))
	}
	inputs = append(inputs, atFieldCap())
	for _, data := range inputs {
		checkGetstatsPaths(t, data)
	}
}

// FuzzGetstatsDelta: on any input the rtcstats importer with its getstats
// fast path gives exactly what it gives without (records, problems,
// format, error). Seeds: deltaCorpus here, and testdata/fuzz/FuzzGetstatsDelta.
func FuzzGetstatsDelta(f *testing.F) {
	for _, s := range deltaCorpus {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkGetstatsPaths(t, data) })
}

func checkGetstatsPaths(t *testing.T, data []byte) {
	t.Helper()
	fast, ferr := loadRTCStatsPath(data, false)
	slow, serr := loadRTCStatsPath(data, true)
	if fmt.Sprint(ferr) != fmt.Sprint(serr) {
		t.Fatalf("%.200q: error %v, general path %v", data, ferr, serr)
	}
	if ferr != nil {
		return
	}
	if fast.Format != slow.Format || len(fast.Records) != len(slow.Records) {
		t.Fatalf("%.200q: %s with %d records, general path %s with %d", data, fast.Format, len(fast.Records), slow.Format, len(slow.Records))
	}
	for i := range fast.Records {
		if !bytes.Equal(fast.Records[i].Msg, slow.Records[i].Msg) || !fast.Records[i].Recv.Equal(slow.Records[i].Recv) {
			t.Fatalf("%.200q: record %d\n%s\ngeneral path\n%s", data, i, fast.Records[i].Msg, slow.Records[i].Msg)
		}
	}
	// Problems of one line may come in either order (they are tallied in maps).
	fp, sp := problemTexts(fast), problemTexts(slow)
	if !slices.Equal(fp, sp) {
		t.Fatalf("%.200q: problems\n%q\ngeneral path\n%q", data, fp, sp)
	}
}

func problemTexts(l *Loaded) []string {
	var out []string
	for _, p := range l.Problems {
		out = append(out, fmt.Sprintf("%d %s", p.Line, p.Reason))
	}
	slices.Sort(out)
	return out
}

// loadRTCStatsPath is loadRTCStats with the getstats fast path on or off.
func loadRTCStatsPath(data []byte, slow bool) (*Loaded, error) {
	return loadAs(data, "fuzz", func(in *input, info *Info, v Visitor) error {
		r := newRTCStatsReader(in.name)
		r.slow = slow
		b, format, err := readRTCStatsWith(r, in, v.Message)
		if err != nil {
			return fmt.Errorf("%s: %w", in.name, err)
		}
		info.Format = format
		return finish(b, info, v)
	})
}

// readSeed reads a seed file of the Go fuzzing corpus format holding one
// []byte.
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, lit, ok := strings.Cut(string(data), "\n")
	lit = strings.TrimSpace(lit)
	if !ok || !strings.HasPrefix(lit, "[]byte(") || !strings.HasSuffix(lit, ")") {
		t.Fatalf("%s: not a seed of one []byte", path)
	}
	s, err := strconv.Unquote(lit[len("[]byte(") : len(lit)-1])
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}

// atFieldCap is an object with MaxFields fields, then deltas with new
// fields (one written twice) past the cap and one already there.
func atFieldCap() []byte {
	var b strings.Builder
	b.WriteString(`["getstats","PC_0",{"a":{"type":"inbound-rtp","kind":"audio","timestamp":0`)
	for i := 3; i < MaxFields; i++ {
		fmt.Fprintf(&b, `,"f%d":%d`, i, i)
	}
	b.WriteString("}},1700000001000]\n")
	b.WriteString(`["getstats","PC_0",{"a":{"packetsLost":1,"f3":2,"packetsLost":3,"jitter":0.1}},1700000002000]` + "\n")
	b.WriteString(`["getstats","PC_0",{"a":{"f4":1,"packetsReceived":9}},1700000003000]` + "\n")
	return []byte(b.String())
}
