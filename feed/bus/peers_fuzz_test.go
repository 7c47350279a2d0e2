package bus

import (
	"testing"

	"github.com/calltop/calltop/feed"
)

// statsCallID reads a stats frame's call id without decoding it: for any
// frame the decoder takes as stats, it says nothing or what the decoder
// says.
func FuzzStatsCallID(f *testing.F) {
	f.Add([]byte(`{"type":"stats","ts":1,"callId":"east/c-1","participantId":"p1","connectionId":"PC_0","stats":[]}`))
	f.Add([]byte(`{"type":"stats","callId":"east/a\"b","participantId":"p"}`))
	f.Add([]byte(`{"type":"stats","stats":[{"id":"x","type":"codec","callId":"other"}],"callId":"east/y"}`))
	f.Add([]byte(`{"type":"stats","callId":"east/y","CALLID":"east/z"}`))
	f.Add([]byte(`{"type":"stats","callId":"east/\u00e9","stats":[{"id":"x","type":"codec","mimeType":"\"callId\":\"y"}]}`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		var m feed.Message
		if feed.Decode(frame, &m) != nil || m.Type != feed.TypeStats {
			return
		}
		if id, ok := statsCallID(frame); ok && id != m.CallID {
			t.Fatalf("statsCallID %q, the decoder %q, of %s", id, m.CallID, frame)
		}
	})
}
