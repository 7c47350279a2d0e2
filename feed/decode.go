package feed

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// decoder is a JSON reader specialised for calltop.v1 frames: messages,
// stats objects (the bulk of a feed), calls, participants and events are
// read field by field without reflection, strings without copies where
// they repeat. It accepts and refuses exactly what json.Unmarshal into a
// Message does, and fills the same values (TestFastDecodeMatchesEncodingJSON
// and FuzzDecodeMatchesEncodingJSON check).
type decoder struct {
	data    []byte
	pos     int
	depth   int
	err     error        // a syntax error: decoding stops
	typeErr error        // the first value of the wrong type: decoding goes on
	fold    bool         // a key matched a field only ignoring case
	key     [2]int       // the raw key being read (its start and end in data), for messages
	strs    *stringCache // reused copies of repeated strings
	reuse   bool         // take the stats slice from statsPool (see reuse.go)
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

var errFold = errors.New("a key differs from a field name only in case")

// decodeFast fills m from data, or returns an error. It returns errFold
// when a key would match a field ignoring case: the caller then lets
// encoding/json decide, as it matches keys that way.
func decodeFast(data []byte, m *Message, reuse bool) error {
	d := decoder{data: data, strs: stringCaches.Get().(*stringCache), reuse: reuse}
	defer stringCaches.Put(d.strs)
	d.ws()
	if d.literal("null") {
		// json.Unmarshal of null leaves m as it is.
	} else if d.peek() == '{' {
		if d.openObject() {
			for {
				start := d.pos
				if key, ok := d.plainKey(); !ok || !d.messageField(key, m) {
					d.pos = start // not a field name as it is: read the key properly
					key := d.objectKey()
					if d.err != nil {
						break
					}
					if !d.messageField(key, m) {
						d.unknownField(key, topKeys)
					}
				}
				if !d.moreInObject() {
					break
				}
			}
		}
	} else {
		d.wrongType("Message")
	}
	d.ws()
	if d.err == nil && d.pos < len(d.data) {
		d.syntax("after the top-level value")
	}
	switch {
	case d.err != nil:
		return d.err
	case d.fold:
		return errFold
	}
	return d.typeErr
}

// unknownField skips the value of a key the struct being read does not
// declare, noting when encoding/json would take it for one of the
// struct's fields (given in lower case) by ignoring case.
func (d *decoder) unknownField(key []byte, fields map[string]bool) {
	if fields[lowerASCII(key)] || !isASCII(key) {
		d.fold = true
	}
	d.skip()
}

// messageField decodes one top-level field; false for an unknown key.
func (d *decoder) messageField(key []byte, m *Message) bool {
	switch string(key) {
	case "type":
		d.str(&m.Type)
	case "ts":
		d.float(&m.TS)
	case "version":
		d.int(&m.Version)
	case "server":
		d.str(&m.Server)
	case "part":
		d.int(&m.Part)
	case "parts":
		d.int(&m.Parts)
	case "callId":
		d.str(&m.CallID)
	case "participantId":
		d.str(&m.ParticipantID)
	case "connectionId":
		d.str(&m.ConnectionID)
	case "reason":
		d.str(&m.Reason)
	case "stats":
		d.stats(&m.Stats)
	case "calls":
		d.calls(&m.Calls)
	case "call":
		if c := openPointer(d, &m.Call, "Call"); c != nil {
			d.call(c)
		}
	case "participant":
		if p := openPointer(d, &m.Participant, "Participant"); p != nil {
			d.participant(p)
		}
	case "event":
		if e := openPointer(d, &m.Event, "ConnectionEvent"); e != nil {
			d.event(e)
		}
	default:
		return false
	}
	return true
}

var topKeys = map[string]bool{"type": true, "ts": true, "version": true, "server": true, "part": true,
	"parts": true, "callid": true, "participantid": true, "connectionid": true, "reason": true,
	"stats": true, "calls": true, "call": true, "participant": true, "event": true}

// str decodes a string (or null, which leaves dst as it is) into dst.
func (d *decoder) str(dst *string) {
	data, i := d.data, d.pos
	if d.err == nil && i < len(data) && data[i] == '"' {
		// The usual value: plain bytes, read (and hashed for the cache)
		// eight at a time.
		start := i + 1
		var h uint64
		for i = start; i+8 <= len(data); i += 8 {
			w := binary.LittleEndian.Uint64(data[i : i+8])
			m := specialBytes(w)
			if m == 0 {
				h = mixWord(h, w)
				continue
			}
			k := bits.TrailingZeros64(m) >> 3
			end := i + k
			if data[end] != '"' {
				break // an escape, a control character or UTF-8: the long way
			}
			*dst = d.strs.get(data[start:end], mixWord(h, w&(1<<(8*k)-1)))
			d.pos = end + 1
			return
		}
	}
	d.strSlow(dst)
}

// strSlow decodes a string value the long way (escapes, UTF-8, near the
// end of the data, another type).
func (d *decoder) strSlow(dst *string) {
	switch d.peek() {
	case '"':
		start := d.pos
		raw, slow := d.stringToken()
		if d.err != nil {
			return
		}
		if !slow {
			*dst = d.strs.get(raw, hashString(raw))
			return
		}
		json.Unmarshal(d.data[start:d.pos], dst) // valid: just scanned
	case 'n':
		d.null()
	default:
		d.wrongType("string")
	}
}

// boolean decodes true, false or null (which leaves dst) into dst.
func (d *decoder) boolean(dst *bool) {
	switch {
	case d.literal("true"):
		*dst = true
	case d.literal("false"):
		*dst = false
	case d.peek() == 'n':
		d.null()
	default:
		d.wrongType("bool")
	}
}

// floatMap decodes an object of numbers, merging into an existing map
// as encoding/json does.
func (d *decoder) floatMap(dst *map[string]float64) { decodeMap(d, dst, d.float) }

// stringMap decodes an object of strings, merging into an existing map
// as encoding/json does.
func (d *decoder) stringMap(dst *map[string]string) { decodeMap(d, dst, d.str) }

// decodeMap decodes an object whose values value reads (or null), merging
// into an existing map as encoding/json does.
func decodeMap[V any](d *decoder, dst *map[string]V, value func(*V)) {
	if d.literal("null") {
		*dst = nil
		return
	}
	if d.peek() != '{' {
		d.wrongType("object")
		return
	}
	if *dst == nil {
		*dst = map[string]V{}
	}
	if d.openObject() {
		for {
			key := d.objectKey()
			if d.err != nil {
				return
			}
			var v V
			value(&v)
			(*dst)[d.strs.get(key, hashString(key))] = v
			if !d.moreInObject() {
				return
			}
		}
	}
}

// wrongType records a type error and skips the value.
func (d *decoder) wrongType(want string) {
	start := d.pos
	d.skip()
	if d.err == nil {
		d.typeError(fmt.Sprintf("cannot put %.20s into %s", d.data[start:d.pos], want))
	}
}

func (d *decoder) typeError(msg string) {
	if d.typeErr == nil {
		if d.key[1] > 0 {
			msg = fmt.Sprintf("field %q: %s", d.data[d.key[0]:d.key[1]], msg)
		}
		d.typeErr = errors.New(msg)
	}
}

func (d *decoder) syntax(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("invalid JSON at byte %d: %s", d.pos, what)
	}
}

// isASCII reports whether b is all ASCII.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lowerASCII returns b lowered, as a string for map lookups (keys longer
// than any field name come back empty).
func lowerASCII(b []byte) string {
	var buf [40]byte
	if len(b) > len(buf) {
		return ""
	}
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return string(buf[:len(b)])
}
