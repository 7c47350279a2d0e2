package dump

import (
	"encoding/json"
	"strings"

	"github.com/calltop/calltop/feed"
)

// negotiationOps are the peer connection calls whose failure a dump logs
// (rtcstats "<op>OnFailure" lines, webrtc-internals updateLog entries of
// the same names; Chrome logs addIceCandidate's as "addIceCandidateFailed").
var negotiationOps = []string{"createOffer", "createAnswer", "setLocalDescription", "setRemoteDescription", "addIceCandidate"}

// maxFailureText bounds a failure's error text: the message of a failed
// setRemoteDescription can quote the whole SDP.
const maxFailureText = 300

// negotiationFailure returns the call a failure entry names ("" if name is
// not one): "setRemoteDescriptionOnFailure" -> "setRemoteDescription".
func negotiationFailure(name string) string {
	for _, op := range negotiationOps {
		if rest, ok := strings.CutPrefix(name, op); ok && (rest == "OnFailure" || rest == "Failed") {
			return op
		}
	}
	return ""
}

// failureText is a failure's error as one cleaned line: a string as it is
// (JSON-quoted once more in Chrome's dumps), anything else as compact JSON.
func failureText(v any) string {
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		s = string(b)
	} else if t := strings.TrimSpace(s); strings.HasPrefix(t, `"`) {
		var inner string
		if json.Unmarshal([]byte(t), &inner) == nil {
			s = inner
		}
	}
	// Line breaks (an SDP's) become spaces, then one line of words.
	s = strings.Join(strings.Fields(clean(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ReplaceAll(s, `\r\n`, " ")))), " ")
	if len(s) > maxFailureText {
		cut := maxFailureText
		for cut > 0 && s[cut]&0xc0 == 0x80 { // not inside a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// negotiation adds a failed negotiation step of connection conn.
func (b *builder) negotiation(conn string, ts float64, op, text string) {
	if !b.keep(1) {
		return
	}
	b.add(ts, feed.Message{Type: feed.TypeConnectionEvent, ConnectionID: connName(conn),
		Event: &feed.ConnectionEvent{Kind: feed.EventNegotiationFailure, State: op, Error: text}})
}
