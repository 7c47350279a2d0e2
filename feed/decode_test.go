package feed

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeReference is Decode as plain encoding/json would do it.
func decodeReference(data []byte, m *Message) error {
	*m = Message{}
	if len(data) > MaxFrameBytes {
		return &DecodeError{Reason: "too big"}
	}
	if err := json.Unmarshal(data, m); err != nil {
		return err
	}
	for i := range m.Stats {
		if m.Stats[i].Timestamp == 0 {
			m.Stats[i].Timestamp = m.TS
		}
	}
	return m.Validate()
}

// sameAsReference fails when Decode and encoding/json disagree on data.
func sameAsReference(t *testing.T, data []byte) {
	t.Helper()
	var fast, ref Message
	errFast := Decode(data, &fast)
	errRef := decodeReference(data, &ref)
	if (errFast == nil) != (errRef == nil) {
		t.Fatalf("Decode error %v, encoding/json error %v, for %.300q", errFast, errRef, data)
	}
	if errFast == nil && !reflect.DeepEqual(fast, ref) {
		t.Fatalf("Decode and encoding/json differ for %.300q:\nfast %+v\n ref %+v", data, fast, ref)
	}
}

var decodeEdgeCases = []string{
	`null`, ``, ` `, `{}`, `[]`, `"x"`, `1`, `{"type":"hello","version":1} x`, `{"type":"hello","version":1}  `,
	`{"type":"hello","version":1,"version":0}`, `{"type":"hello","version":1.5}`, `{"type":"hello","version":1e2}`,
	`{"type":"hello","version":99999999999999999999}`, `{"type":"hello","version":-1}`,
	`{"Type":"hello","version":1}`, `{"TYPE":"hello","VERSION":1}`, `{"\u0074ype":"hello","version":1}`,
	`{"type":"h\u00e9llo"}`, "{\"type\":\"hello\xff\",\"version\":1}", "{\"ty\xffpe\":\"hello\",\"version\":1}",
	`{"type":"hello","version":1,"x":{"a":[1,2,{"b":null}],"c":"\ud800"}}`, `{"type":"hello","version":1,"x":[}`,
	`{"type":"hello","version":1,"x":01}`, `{"type":"hello","version":1,"x":1.}`, `{"type":"hello","version":1,"x":-}`,
	`{"type":"hello","version":1,"x":tru}`, `{"type":"hello","version":1,"x":"\q"}`, "{\"type\":\"hel\tlo\"}",
	`{"type":null,"version":null}`, `{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":null}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[null,1,{"id":"a"}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"ssrc":1.5}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"ssrc":"1"}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"bytesSent":1e400}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"nominated":1}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"BytesSent":5,"SSRC":3}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"qualityLimitationDurations":{"a":1,"b":null}}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"qualityLimitationDurations":{"a":1},"qualityLimitationDurations":{"b":2}}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"id":"a","ssrc":1}],"stats":[{"kind":"audio"}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":{"id":"a"}}`,
	`{"type":"call.start","call":{"id":"c","participants":[{"id":"p"}]},"call":{"room":"r"}}`,
	`{"type":"call.start","call":"c"}`, `{"type":"snapshot","calls":[{"id":"c","tags":{"a":"b"}}],"part":1,"parts":1}`,
	`{"type":"connection.event","callId":"c","participantId":"p","connectionId":"x","event":{"kind":"k","state":"s"}}`,
	`{"type":"x","ts":-0,"reason":"\u2028\"\\\/\b\f\n\r\t"}`, strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
	`{"type":"hello","version":1,"x":` + strings.Repeat(`{"a":`, 10001) + `1` + strings.Repeat(`}`, 10001) + `}`,
}

func TestFastDecodeMatchesEncodingJSON(t *testing.T) {
	for _, c := range decodeEdgeCases {
		sameAsReference(t, []byte(c))
	}
	// Every Stat field, set to a distinct value, survives.
	var s Stat
	v := reflect.ValueOf(&s).Elem()
	for i := 0; i < v.NumField(); i++ {
		switch f := v.Field(i); f.Kind() {
		case reflect.Float64:
			f.SetFloat(float64(i) + 0.25)
		case reflect.Int64:
			f.SetInt(int64(i) + 4000000000)
		case reflect.String:
			f.SetString("v" + v.Type().Field(i).Name)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Map:
			f.Set(reflect.ValueOf(map[string]float64{"cpu": 1.5, "none": 2}))
		default:
			t.Fatalf("Stat field %s has a kind the fast decoder does not handle", v.Type().Field(i).Name)
		}
	}
	frame, _ := json.Marshal(&Message{Type: TypeStats, TS: 7, CallID: "c", ParticipantID: "p", ConnectionID: "x", Stats: []Stat{s}})
	sameAsReference(t, frame)
	var m Message
	if err := Decode(frame, &m); err != nil || !reflect.DeepEqual(m.Stats[0], s) {
		t.Fatalf("a Stat with every field set does not come back whole: %v", err)
	}
}

func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	for _, c := range decodeEdgeCases[:len(decodeEdgeCases)-2] {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { sameAsReference(t, data) })
}
