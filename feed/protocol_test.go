package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDecodeNamesWhatIsWrong(t *testing.T) {
	cases := []struct{ frame, want string }{
		{`not json`, "not a calltop.v1 JSON object"},
		{`[1,2]`, "not a calltop.v1 JSON object"},
		{`{"ts":1}`, "message without a type"},
		{`{"type":"hello"}`, "hello message without a version"},
		{`{"type":"call.start","call":{}}`, "call.start message without call.id"},
		{`{"type":"participant.join","callId":"c"}`, "without participant.id"},
		{`{"type":"stats","callId":"c","participantId":"p"}`, "without callId, participantId and connectionId"},
		{`{"type":"connection.event","callId":"c","participantId":"p","connectionId":"x"}`, "without event.kind"},
		{`{"type":"snapshot","part":3,"parts":2,"calls":[]}`, "part 3 of 2 is out of range"},
		{`{"type":"snapshot","calls":[{"id":"c","participants":[{}]}]}`, `call "c" participant 0 without an id`},
		{`{"type":"stats","ts":"soon"}`, "not a calltop.v1 JSON object"},
	}
	for _, tc := range cases {
		var m Message
		err := Decode([]byte(tc.frame), &m)
		var de *DecodeError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%s) = %v, want a DecodeError saying %q", tc.frame, err, tc.want)
		}
	}
	var m Message
	if err := Decode([]byte(`{"type":"x.new","whatever":{}}`), &m); !errors.Is(err, ErrUnknownType) {
		t.Errorf("unknown type gave %v, want ErrUnknownType", err)
	}
	if err := Decode([]byte(`{"type":"call.end","callId":"c","newField":[1],"reason":"hangup"}`), &m); err != nil || m.Reason != "hangup" {
		t.Errorf("unknown fields are not ignored: %v", err)
	}
	big := append([]byte(`{"type":"call.end","callId":"`), bytes.Repeat([]byte("x"), MaxFrameBytes)...)
	if err := Decode(append(big, `"}`...), &m); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversize frame: %v", err)
	}
}

// FuzzDecode checks that Decode never panics and that a frame it accepts
// re-encodes (AppendMessage and json.Marshal agreeing byte for byte) to a
// frame that decodes to the same message.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"type":"hello","ts":1700000000000,"version":1,"server":"hub"}`,
		`{"type":"snapshot","ts":1,"part":1,"parts":2,"calls":[{"id":"c","room":"r","start":1,"tags":{"region":"eu"},"participants":[{"id":"p","name":"Ana"}]}]}`,
		`{"type":"call.start","call":{"id":"c","tags":{}}}`,
		`{"type":"participant.join","callId":"c","participant":{"id":"p","userAgent":"Mozilla/5.0"}}`,
		`{"type":"stats","callId":"c","participantId":"p","connectionId":"PC_0","stats":[{"id":"IT01A1","type":"inbound-rtp","timestamp":1.5,"ssrc":4294967295,"kind":"audio","packetsLost":-3,"qualityLimitationDurations":{"cpu":1.25}}]}`,
		`{"type":"connection.event","callId":"c","participantId":"p","connectionId":"PC_0","event":{"kind":"iceconnectionstatechange","state":"failed"}}`,
		`{"type":"call.end","callId":"c\u0000\u001b[31m","reason":"hangup"}`,
		`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"id":"a","type":"candidate-pair","nominated":true,"currentRoundTripTime":1e308}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		var m1 Message
		if Decode(frame, &m1) != nil {
			return
		}
		b1, err := json.Marshal(&m1)
		if err != nil {
			t.Fatalf("accepted frame does not re-encode: %v", err)
		}
		if a, err := AppendMessage(nil, &m1); err != nil || !bytes.Equal(a, b1) {
			t.Fatalf("AppendMessage (%v) differs from json.Marshal:\n%s\n%s", err, a, b1)
		}
		var m2 Message
		if err := Decode(b1, &m2); err != nil {
			t.Fatalf("re-encoded frame %s is refused: %v", b1, err)
		}
		b2, _ := json.Marshal(&m2)
		if !bytes.Equal(b1, b2) {
			t.Fatalf("decode/encode is not stable:\n%s\n%s", b1, b2)
		}
	})
}

func TestStatTimestampDefaultsToMessageTime(t *testing.T) {
	var m Message
	frame := `{"type":"stats","ts":1700000000500,"callId":"c","participantId":"p","connectionId":"x",
		"stats":[{"id":"a","type":"inbound-rtp"},{"id":"b","type":"outbound-rtp","timestamp":1700000000400}]}`
	if err := Decode([]byte(frame), &m); err != nil {
		t.Fatal(err)
	}
	if m.Stats[0].Timestamp != 1700000000500 || m.Stats[1].Timestamp != 1700000000400 {
		t.Fatalf("timestamps %v, %v: a missing one takes ts, a given one is kept", m.Stats[0].Timestamp, m.Stats[1].Timestamp)
	}
}
