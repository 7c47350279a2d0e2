package diagnose_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed/dump"
)

// legacyDumpT0 is the synthetic dumps' first sample time (ms).
const legacyDumpT0 = 1700000000000

// legacyVideoDump writes an rtcstats v3 dump in Chrome's legacy goog*
// format: one peer connection receiving one video stream, a getstats line
// a second, with packetsLost taking the values of lost in turn.
func legacyVideoDump(lost []int) string {
	var b strings.Builder
	b.WriteString(`{"path":"/room-1","url":"https://meet.example/room-1","userAgent":"Mozilla/5.0 Chrome/86.0.4240.198","fileFormat":2}` + "\n")
	b.WriteString(`["identity",null,{"displayName":"Ana","userId":"u1"},1700000000000]` + "\n")
	for i, l := range lost {
		ts := legacyDumpT0 + int64(i)*1000
		fmt.Fprintf(&b, `["getstats","PC_0",{"timestamp":%d,"ssrc_5_recv":{"type":"ssrc","timestamp":0,"ssrc":"5","mediaType":"video",`+
			`"packetsReceived":"%d","packetsLost":"%d","bytesReceived":"%d","framesDecoded":"%d","googFrameRateDecoded":"30"}},%d]`+"\n",
			ts, 100*(i+1), l, 100000*(i+1), 30*(i+1), ts)
	}
	return b.String()
}

// reportOf runs a dump through the report path (load, decode, Monitor).
func reportOf(t *testing.T, name, data string) (*diagnose.Monitor, diagnose.Report) {
	t.Helper()
	loaded, err := dump.LoadReader(strings.NewReader(data), name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	if len(loaded.Problems) > 0 {
		t.Fatalf("load %s: %v", name, loaded.Problems)
	}
	return replayLoaded(t, name, loaded)
}

// onlyConnection returns the report's one connection.
func onlyConnection(t *testing.T, rep diagnose.Report) diagnose.ReportConnection {
	t.Helper()
	if len(rep.Calls) != 1 || len(rep.Calls[0].Participants) != 1 || len(rep.Calls[0].Participants[0].Connections) != 1 {
		t.Fatalf("want one call, participant and connection: %+v", rep)
	}
	return rep.Calls[0].Participants[0].Connections[0]
}

// A legacy video stream whose packetsLost legitimately goes 2 -> 0 (issue
// 17): the drop is within the small-dip allowance, so the stream goes on;
// it used to be taken for a missing field, keeping the baseline at 2 and
// rejecting every later sample (the stream froze, packets came out low).
func TestLegacyLostDipToZeroKeepsStream(t *testing.T) {
	lost := []int{0, 1, 2, 2, 2, 0, 0, 0, 0, 0}
	m, rep := reportOf(t, "legacy-dip.rtcstats", legacyVideoDump(lost))
	cn := onlyConnection(t, rep)
	if want := int64(100 * len(lost)); cn.PacketsReceived != want {
		t.Errorf("packets received %d, want %d (the final cumulative counter)", cn.PacketsReceived, want)
	}
	if cn.PacketsReceivedLost != 0 {
		t.Errorf("packets lost %d, want 0 (the final cumulative counter)", cn.PacketsReceivedLost)
	}
	if dq := m.Snapshot("").DataQuality; len(dq) != 0 {
		t.Errorf("a 2 -> 0 dip was marked: %v", dq)
	}
	snap := m.Snapshot(rep.Calls[0].ID)
	if snap.Focus == nil {
		t.Fatal("no focused call")
	}
	in := snap.Focus.Participants[0].BitrateIn.Values
	if len(in) != len(lost) {
		t.Fatalf("%d bitrate points, want %d", len(in), len(lost))
	}
	for i, v := range in[1:] { // the first sample has no interval
		if math.IsNaN(v) || math.Abs(v-800) > 1 {
			t.Errorf("sample %d: bitrate in %v kbps, want 800 (100 kB a second): the stream froze", i+2, v)
		}
	}
}
