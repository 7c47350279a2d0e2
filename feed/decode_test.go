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

// decodeNativeCases exercise what the decoder reads itself rather than
// through encoding/json: calls, participants and events with the slice
// and pointer rules, whitespace everywhere, keys and strings of every
// length around the eight-byte words, numbers the fast path must decline,
// and values at the very end of the data.
var decodeNativeCases = []string{
	`{"type":"call.start","call":{"id":"c","room":"r","start":1.5,"tags":{"a":"b","n":null},"participants":[{"id":"p","name":"Ana","userId":"u","userAgent":"UA","networkType":"wifi","region":"eu","joined":2}]}}`,
	`{"type":"call.start","call":{"id":"c","participants":[{"id":"p","name":"x"},{"id":"q"}]},"call":{"participants":[{"id":"r"}]}}`,
	`{"type":"call.start","call":{"id":"c","participants":[{"id":"p"}]},"call":{"participants":[]}}`,
	`{"type":"call.start","call":{"id":"c","participants":null,"tags":null}}`,
	`{"type":"call.start","call":{"id":"c","tags":{"a":1}}}`, `{"type":"call.start","call":{"id":"c","participants":{}}}`,
	`{"type":"call.start","call":{"id":"c","participants":[null,{"id":"p"},1]}}`,
	`{"type":"call.start","call":{"id":"c","Room":"r"}}`, `{"type":"call.start","call":{"id":"c","x":[{"y":"\u00e9"}]}}`,
	`{"type":"call.start","call":null}`, `{"type":"call.start","call":{}}`, `{"type":"call.start","call":[]}`,
	`{"type":"participant.join","callId":"c","participant":{"id":"p"},"participant":{"name":"n"}}`,
	`{"type":"participant.join","callId":"c","participant":null}`, `{"type":"participant.join","callId":"c","participant":{"ID":"p"}}`,
	`{"type":"participant.join","callId":"c","participant":{"id":"p","joined":"x"}}`,
	`{"type":"connection.event","callId":"c","participantId":"p","connectionId":"x","event":{"kind":"k","state":"s","extra":{}}}`,
	`{"type":"connection.event","callId":"c","participantId":"p","connectionId":"x","event":{"kind":"k"},"event":{"state":"s"}}`,
	`{"type":"connection.event","callId":"c","participantId":"p","connectionId":"x","event":{"KIND":"k"}}`,
	`{"type":"connection.event","callId":"c","participantId":"p","connectionId":"x","event":"k"}`,
	`{"type":"snapshot","calls":[{"id":"a","participants":[{"id":"p"}]},{"id":"b","tags":{"k":"v"}}],"part":1,"parts":1}`,
	`{"type":"snapshot","calls":[]}`, `{"type":"snapshot","calls":null}`, `{"type":"snapshot","calls":[null]}`,
	` { "type" : "stats" , "callId" : "c" , "participantId" : "p" , "connectionId" : "x" , "stats" : [ { "id" : "a" , "bytesSent" : 5 , "kind" : "audio" } , { "ssrc" : 7 } ] } `,
	"{\n\t\"type\":\"stats\",\"callId\":\"c\",\"participantId\":\"p\",\"connectionId\":\"x\",\r\n\"stats\":[{\"id\":\"a\",\n\"jitter\":\t0.5}]}",
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"id":"","type":"1234567","kind":"12345678","mid":"123456789","codecId":"1234567890123456","trackIdentifier":"12345678901234567"}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"id":"abcdefg\"h","type":"abcdefgh\\","kind":"\u0061udio","mid":"h\u00e9llo wörld","url":"\ud83d\ude00"}]}`,
	"{\"type\":\"stats\",\"callId\":\"c\",\"participantId\":\"p\",\"connectionId\":\"x\",\"stats\":[{\"id\":\"12345678\xff\",\"url\":\"\xe2\x82\",\"ip\":\"\xc3\xa9\"}]}",
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"bytesSent":1.12345678,"packetsSent":0.1234567,"jitter":-0.0000001,"audioLevel":123456789012345678901234,"port":9007199254740993,"clockRate":1.5e3,"framesSent":-0}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"ssrc":123456789012345678,"bytesSent":12345678901234567890}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"ssrc":9223372036854775807}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"ssrc":-9223372036854775808}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"ssrc":9223372036854775808}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"ssrc":1.0}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"ssrc":1e2}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"bytesSent":00}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"bytesSent":-}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"bytesSent":1.}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"bytesSent":.5}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"bytesSent":1.5e}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"bytesSent":"5"}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"nominated":true,"selected":false},{"nominated":null}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"Id":"a"}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"\u0069d":"a","by\u0074esSent":4}]}`,
	"{\"type\":\"stats\",\"callId\":\"c\",\"participantId\":\"p\",\"connectionId\":\"x\",\"stats\":[{\"\u017fsrc\":1}]}",
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"id":"a","unknownField":[1,{"b":"c"}],"qualityLimitationDurations":{"cpu":1,"none":2.5,"bandwidth":null}}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[` + strings.Repeat(`{"id":"a","bytesSent":1},`, 70) + `null]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"id":"a{","mid":":{"}]}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","ts":1767225606000}`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"bytesSent":5`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"bytesSent`,
	`{"type":"stats","callId":"c","participantId":"p","connectionId":"x","stats":[{"id":"ab`,
	`{"type":"hello","version":1,"ts":5}`, `{"type":"hello","version":1,"ts":-5.25}`, `{"type":"hello","version":1,"ts":`,
	`{"type":"hello","version":3000000000}`, `{"type":"hello","version":1,"server":"\u0000"}`,
}

func TestFastDecodeMatchesEncodingJSON(t *testing.T) {
	for _, c := range append(decodeEdgeCases, decodeNativeCases...) {
		sameAsReference(t, []byte(c))
		// The same frame cut anywhere is refused or read as encoding/json does.
		for cut := 1; cut < len(c) && len(c) < 1000; cut += 7 {
			sameAsReference(t, []byte(c[:cut]))
		}
	}
	// Every Stat field, set to a distinct value, survives.
	s := everyField(t)
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
	for _, c := range decodeNativeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { sameAsReference(t, data) })
}

// everyField is a Stat with every field set to a distinct value (an int64
// above 2^31, as an SSRC can be).
func everyField(t *testing.T) Stat {
	t.Helper()
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
	return s
}
