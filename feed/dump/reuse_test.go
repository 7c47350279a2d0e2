package dump

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calltop/calltop/feed"
)

// TestVisitWithReuseGivesTheSameMessages: a visitor that lets its stats be
// reused (report's) gets exactly the messages one that keeps them gets,
// each as it was when handed on, though their storage is reused.
func TestVisitWithReuseGivesTheSameMessages(t *testing.T) {
	for _, path := range rtcstatsDumps(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			visit := func(reuse bool) (msgs [][]byte, shared int) {
				seen := map[*feed.Stat]bool{}
				_, err := Visit(path, Visitor{Reuse: reuse, Message: func(m *feed.Message) error {
					if len(m.Stats) > 0 {
						if seen[&m.Stats[0]] {
							shared++
						}
						seen[&m.Stats[0]] = true
					}
					b, err := feed.AppendMessage(nil, m)
					msgs = append(msgs, b)
					return err
				}})
				if err != nil {
					t.Fatal(err)
				}
				return msgs, shared
			}
			want, kept := visit(false)
			got, reused := visit(true)
			if kept != 0 {
				t.Errorf("without reuse, %d samples were given storage an earlier one had", kept)
			}
			if reused == 0 {
				t.Errorf("with reuse, no sample's storage was reused (%d messages)", len(got))
			}
			if len(got) != len(want) {
				t.Fatalf("with reuse %d messages, without %d", len(got), len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("message %d differs with reuse:\n got %.300s\nwant %.300s", i, got[i], want[i])
				}
			}
		})
	}
}

// TestALongDumpIsHandedOnAsItGoes: a dump longer than the hold window is
// handed on while it is read, in time order though its lines are a little
// out of order, with the call's facts from its first lines, and with the
// storage of samples handed on reused for later ones.
func TestALongDumpIsHandedOnAsItGoes(t *testing.T) {
	var b strings.Builder
	t0 := int64(1700000000000)
	fmt.Fprintf(&b, `["identity",null,{"confName":"standup","displayName":"Ana","userId":"u-17"},%d]`+"\n", t0)
	for i := range 300 { // 5 minutes, a sample a second, 2 peer connections of 10 objects
		ts := t0 + 1000 + int64(i)*1000
		for _, pc := range []string{"PC_0", "PC_1"} {
			var objs strings.Builder
			for k := range 10 {
				fmt.Fprintf(&objs, `"IT%s%d":{"type":"inbound-rtp","kind":"audio","ssrc":%d,"packetsReceived":%d,"bytesReceived":%d,"timestamp":%d},`, pc, k, 100+k, 50*i, 5000*i, ts)
			}
			fmt.Fprintf(&b, `["getstats","%s",{%s"timestamp":%d},%d]`+"\n", pc, objs.String(), ts, ts)
		}
		if i%20 == 10 { // written 3 s after its time, within the window
			fmt.Fprintf(&b, `["oniceconnectionstatechange","PC_1","checking",%d]`+"\n", ts-3000)
		}
	}
	// One event written a minute late, past the window: still given.
	fmt.Fprintf(&b, `["onconnectionstatechange","PC_0","connected",%d]`+"\n", t0+240000)
	path := filepath.Join(t.TempDir(), "long.rtcstats")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	seen := map[*feed.Stat]bool{}
	var call *feed.Call
	var part *feed.Participant
	var stats, events, reused, late, backwards int
	lastTS := 0.0
	_, err := Visit(path, Visitor{Reuse: true, Message: func(m *feed.Message) error {
		switch m.Type {
		case feed.TypeCallStart:
			call = m.Call
		case feed.TypeParticipantJoin:
			part = m.Participant
		case feed.TypeStats:
			stats++
			if seen[&m.Stats[0]] {
				reused++
			}
			seen[&m.Stats[0]] = true
		case feed.TypeConnectionEvent:
			events++
			if m.TS == float64(t0+240000) {
				late++
				return nil // given after later samples, as documented
			}
		}
		if m.TS < lastTS {
			backwards++
		}
		lastTS = max(lastTS, m.TS)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if call == nil || call.Room != "standup" || part == nil || part.Name != "Ana" || part.UserID != "u-17" {
		t.Fatalf("the call's facts from the first line were lost: call %+v, participant %+v", call, part)
	}
	if stats != 600 || events != 16 || late != 1 {
		t.Errorf("given %d samples, %d events (%d the late one); want 600, 16, 1", stats, events, late)
	}
	if backwards != 0 {
		t.Errorf("%d messages were handed on before an earlier one", backwards)
	}
	if reused < 500 {
		t.Errorf("only %d of 600 samples had storage handed back: the dump was held, not handed on as it went", reused)
	}
}
