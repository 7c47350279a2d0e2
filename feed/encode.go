package feed

import (
	"encoding/json"
	"math"
	"strconv"
)

// AppendMessage appends m encoded as JSON to b: the same bytes as
// json.Marshal(m), several times faster for stats messages (no
// reflection over Stat's fields). A NaN or infinite number is an error,
// as with json.Marshal.
func AppendMessage(b []byte, m *Message) ([]byte, error) {
	var err error
	b = appendString(append(b, `{"type":`...), m.Type)
	if m.TS != 0 {
		if b, err = appendFloat(append(b, `,"ts":`...), m.TS); err != nil {
			return b, err
		}
	}
	if m.Version != 0 {
		b = strconv.AppendInt(append(b, `,"version":`...), int64(m.Version), 10)
	}
	b = appendStringField(b, `,"server":`, m.Server)
	if len(m.Calls) > 0 {
		if b, err = appendJSON(append(b, `,"calls":`...), m.Calls); err != nil {
			return b, err
		}
	}
	if m.Part != 0 {
		b = strconv.AppendInt(append(b, `,"part":`...), int64(m.Part), 10)
	}
	if m.Parts != 0 {
		b = strconv.AppendInt(append(b, `,"parts":`...), int64(m.Parts), 10)
	}
	if m.Call != nil {
		if b, err = appendJSON(append(b, `,"call":`...), m.Call); err != nil {
			return b, err
		}
	}
	if m.Participant != nil {
		if b, err = appendJSON(append(b, `,"participant":`...), m.Participant); err != nil {
			return b, err
		}
	}
	b = appendStringField(b, `,"callId":`, m.CallID)
	b = appendStringField(b, `,"participantId":`, m.ParticipantID)
	b = appendStringField(b, `,"connectionId":`, m.ConnectionID)
	if len(m.Stats) > 0 {
		b = append(b, `,"stats":`...)
		c := byte('[')
		for i := range m.Stats {
			if b, err = appendStat(append(b, c), &m.Stats[i]); err != nil {
				return b, err
			}
			c = ','
		}
		b = append(b, ']')
	}
	if m.Event != nil {
		if b, err = appendJSON(append(b, `,"event":`...), m.Event); err != nil {
			return b, err
		}
	}
	b = appendStringField(b, `,"reason":`, m.Reason)
	return append(b, '}'), nil
}

func appendStringField(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(append(b, key...), s)
}

// appendString appends s as a JSON string, escaped as encoding/json does.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendFloat appends f formatted as encoding/json formats a float64.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, &json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 to e-9, as encoding/json writes it
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendJSON appends v through encoding/json.
func appendJSON(b []byte, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}
