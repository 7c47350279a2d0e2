package hub

import "testing"

func TestFrameCallID(t *testing.T) {
	for _, c := range []struct{ typ, frame, want string }{
		{"stats", `{"type":"stats","ts":1,"callId":"hub-a/call-7","participantId":"p1"}`, "hub-a/call-7"},
		{"stats", `{"type":"stats","callId":"a \"quoted\" call","participantId":"p1"}`, `a "quoted" call`},
		{"participant.join", `{"participant":{"id":"p1","name":"\"callId\":\"x\""},"type":"participant.join","callId":"c1"}`, "c1"},
		{"call.start", `{"type":"call.start","call":{"id":"c2","room":"r"}}`, "c2"},
		{"call.update", `{"type":"call.update","call":{"id":"c\u00e93"}}`, "cé3"},
		{"stats", `{"type":"stats"}`, ""},
		{"stats", `not json`, ""},
	} {
		if got := frameCallID([]byte(c.frame), c.typ); got != c.want {
			t.Errorf("%s: call %q, want %q", c.frame, got, c.want)
		}
	}
}
