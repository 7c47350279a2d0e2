package dump

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/calltop/calltop/feed"
)

// TestStreamGivesTheDumpsMessages feeds every real dump line by line to a
// Stream and checks that it produces exactly the stats and connection
// events Load makes of the file, in the same (time) order, and the same
// call and participant.
func TestStreamGivesTheDumpsMessages(t *testing.T) {
	for _, path := range rtcstatsDumps(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			var want []feed.Message
			var wantCall feed.Call
			var wantPart feed.Participant
			for _, r := range l.Records {
				var m feed.Message
				if err := feed.Decode(r.Msg, &m); err != nil {
					t.Fatal(err)
				}
				switch m.Type {
				case feed.TypeCallStart:
					wantCall = *m.Call
				case feed.TypeParticipantJoin:
					wantPart = *m.Participant
				case feed.TypeStats, feed.TypeConnectionEvent:
					m.CallID, m.ParticipantID = "", ""
					want = append(want, m)
				}
			}

			s := NewStream(path)
			var got []feed.Message
			for _, line := range bytes.Split(data, []byte{'\n'}) {
				line = bytes.TrimSpace(line)
				if len(line) == 0 {
					continue
				}
				msgs, _ := s.Line(line)
				for _, m := range msgs {
					// Through the wire, as the dump's records went.
					m.CallID, m.ParticipantID = "c", "p"
					b, err := feed.AppendMessage(nil, &m)
					if err != nil {
						t.Fatal(err)
					}
					var back feed.Message
					if err := feed.Decode(b, &back); err != nil {
						t.Fatal(err)
					}
					back.CallID, back.ParticipantID = "", ""
					got = append(got, back)
				}
			}
			sort.SliceStable(got, func(i, j int) bool { return got[i].TS < got[j].TS })
			if len(got) != len(want) {
				t.Fatalf("stream gave %d messages, the dump %d", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("message %d differs:\nstream %+v\ndump   %+v", i, got[i], want[i])
				}
			}
			first := want[0].TS
			if wantCall.Start < first {
				first = wantCall.Start // conferenceStartTimestamp
			}
			c, p := s.Facts(fileID(path), "local", first)
			if !reflect.DeepEqual(c, wantCall) || !reflect.DeepEqual(p, wantPart) {
				t.Fatalf("facts differ:\nstream %+v %+v\ndump   %+v %+v", c, p, wantCall, wantPart)
			}
		})
	}
}

// TestStreamLineProblems: a bad line is reported with its number and the
// stream goes on.
func TestStreamLineProblems(t *testing.T) {
	s := NewStream("session abc")
	if _, prob := s.Line([]byte(`["getstats","PC_0",{"x":{"type":"inbound-rtp"`)); prob == nil || prob.Line != 1 || !strings.Contains(prob.Reason, "JSON") {
		t.Fatalf("cut line: problem %v", prob)
	}
	msgs, prob := s.Line([]byte(`["oniceconnectionstatechange","PC_0","connected",1700000000000]`))
	if prob != nil || len(msgs) != 1 || msgs[0].Event.State != "connected" || msgs[0].TS != 1700000000000 {
		t.Fatalf("good line after a bad one: %+v %v", msgs, prob)
	}
	if _, prob := s.Line([]byte(`["onconnectionstatechange",null,"connected",1700000000000]`)); prob == nil || prob.Line != 3 || prob.File != "session abc" {
		t.Fatalf("line without a peer connection: %v", prob)
	}
}

// rtcstatsDumps lists the repo's four real rtcstats dumps.
func rtcstatsDumps(t *testing.T) []string {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(fixtures, "*.rtcstats"))
	if len(names) < 4 {
		t.Fatalf("want the 4 rtcstats fixtures, found %d", len(names))
	}
	return names
}
