package feed

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// sameBytesAsMarshal fails when AppendMessage and json.Marshal differ on m.
func sameBytesAsMarshal(t *testing.T, m *Message) {
	t.Helper()
	want, wantErr := json.Marshal(m)
	got, err := AppendMessage(nil, m)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("AppendMessage error %v, json.Marshal error %v", err, wantErr)
	}
	if err == nil && !bytes.Equal(got, want) {
		t.Fatalf("AppendMessage differs from json.Marshal:\n got %s\nwant %s", got, want)
	}
}

func TestAppendMessageMatchesEncodingJSON(t *testing.T) {
	// Every Stat field set.
	var s Stat
	v := reflect.ValueOf(&s).Elem()
	for i := 0; i < v.NumField(); i++ {
		switch f := v.Field(i); f.Kind() {
		case reflect.Float64:
			f.SetFloat(float64(i) * 1.125)
		case reflect.Int64:
			f.SetInt(4294967295)
		case reflect.String:
			f.SetString(v.Type().Field(i).Name)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Map:
			f.Set(reflect.ValueOf(map[string]float64{"none": 2, "cpu": 0.5}))
		}
	}
	cases := []Message{
		{Type: TypeStats, TS: 1700000000123.5, CallID: "c", ParticipantID: "p", ConnectionID: "x", Stats: []Stat{s, {}, {ID: "a", Type: "inbound-rtp"}}},
		{Type: TypeHello, TS: 1, Version: 1, Server: "hub <&> \"quoted\" \\ é \u2028 \x01 \xff"},
		{Type: TypeSnapshot, Part: 2, Parts: 3, Calls: []Call{{ID: "c", Tags: map[string]string{"b": "1", "a": "2"}, Participants: []Participant{{ID: "p"}}}}},
		{Type: TypeCallStart, Call: &Call{ID: "c", Start: 1e21}},
		{Type: TypeParticipantJoin, CallID: "c", Participant: &Participant{ID: "p", Joined: 5e-7}},
		{Type: TypeConnectionEvent, CallID: "c", ParticipantID: "p", ConnectionID: "x", Event: &ConnectionEvent{Kind: "k", State: "s"}, Reason: "r"},
		{Type: ""},
		{Type: TypeStats, TS: math.Copysign(0, -1), Stats: []Stat{{Jitter: 1e-7, BytesSent: 1.7976931348623157e308, PacketsLost: -3, RoundTripTime: 5e-324, SSRC: -1}}},
		{Type: TypeStats, Stats: []Stat{{Jitter: math.NaN()}}},
		{Type: TypeStats, TS: math.Inf(1)},
	}
	for i := range cases {
		sameBytesAsMarshal(t, &cases[i])
	}
}
