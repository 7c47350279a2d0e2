package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// decoder is a JSON reader specialised for calltop.v1 frames: stats
// objects (the bulk of a feed) are read field by field without
// reflection; the rarer call, participant and event objects go through
// encoding/json. It accepts and refuses exactly what json.Unmarshal into
// a Message does (TestFastDecodeMatchesEncodingJSON and FuzzDecode check).
type decoder struct {
	data    []byte
	pos     int
	depth   int
	err     error  // a syntax error: decoding stops
	typeErr error  // the first value of the wrong type: decoding goes on
	fold    bool   // a key matched a field only ignoring case
	key     []byte // the key whose value is being read, for messages
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

var errFold = errors.New("a key differs from a field name only in case")

// decodeFast fills m from data, or returns an error. It returns errFold
// when a key would match a field ignoring case: the caller then lets
// encoding/json decide, as it matches keys that way.
func decodeFast(data []byte, m *Message) error {
	d := decoder{data: data}
	d.ws()
	if d.literal("null") {
		// json.Unmarshal of null leaves m as it is.
	} else if d.peek() == '{' {
		d.object(func(key []byte) {
			if !d.messageField(key, m) {
				if topKeys[lowerASCII(key)] || !isASCII(key) {
					d.fold = true
				}
				d.skip()
			}
		})
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
		d.delegate(&m.Calls)
	case "call":
		d.delegate(&m.Call)
	case "participant":
		d.delegate(&m.Participant)
	case "event":
		d.delegate(&m.Event)
	default:
		return false
	}
	return true
}

// knownStrings are values that recur in every report; decoding reuses
// these instead of allocating a copy each time.
var knownStrings = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{
		TypeHello, TypeSnapshot, TypeCallStart, TypeCallUpdate, TypeCallEnd, TypeParticipantJoin,
		TypeParticipantUpdate, TypeParticipantLeave, TypeStats, TypeConnectionEvent,
		StatInboundRTP, StatOutboundRTP, StatRemoteInboundRTP, StatCandidatePair, StatLocalCandidate,
		StatRemoteCandidate, StatTransport, StatMediaSource, StatCodec, "remote-outbound-rtp",
		"media-playout", "peer-connection", "data-channel", "certificate",
		"audio", "video", "none", "cpu", "bandwidth", "other",
		"new", "checking", "connected", "completed", "disconnected", "failed", "closed",
		"succeeded", "in-progress", "waiting", "frozen", "stable", "connecting",
		"host", "srflx", "prflx", "relay", "udp", "tcp", "tls",
		"wifi", "ethernet", "cellular", "vpn", "unknown",
		"audio/opus", "video/VP8", "video/VP9", "video/H264", "video/AV1",
	} {
		m[s] = s
	}
	return m
}()

var topKeys = map[string]bool{"type": true, "ts": true, "version": true, "server": true, "part": true,
	"parts": true, "callid": true, "participantid": true, "connectionid": true, "reason": true,
	"stats": true, "calls": true, "call": true, "participant": true, "event": true}

// stats decodes the stats array the way encoding/json fills a slice.
func (d *decoder) stats(dst *[]Stat) {
	if d.literal("null") {
		*dst = nil
		return
	}
	if d.peek() != '[' {
		d.wrongType("[]Stat")
		return
	}
	st := (*dst)[:0]
	if st == nil {
		st = make([]Stat, 0, 8) // a report holds a handful of objects
	}
	d.array(func() {
		if len(st) < cap(st) {
			st = st[:len(st)+1]
		} else {
			st = append(st, Stat{})
		}
		s := &st[len(st)-1]
		if d.literal("null") {
			return
		}
		if d.peek() != '{' {
			d.wrongType("Stat")
			return
		}
		d.object(func(key []byte) {
			if !d.statField(key, s) {
				if statKeys[lowerASCII(key)] || !isASCII(key) {
					d.fold = true
				}
				d.skip()
			}
		})
	})
	*dst = st
}

// delegate decodes the next value into v with encoding/json.
func (d *decoder) delegate(v any) {
	start := d.pos
	d.skip()
	if d.err != nil {
		return
	}
	if err := json.Unmarshal(d.data[start:d.pos], v); err != nil && d.typeErr == nil {
		d.typeErr = err
	}
}

func (d *decoder) str(dst *string) {
	switch d.peek() {
	case 'n':
		d.null()
	case '"':
		start := d.pos
		raw, slow := d.stringToken()
		if d.err != nil {
			return
		}
		if !slow {
			if known, ok := knownStrings[string(raw)]; ok {
				*dst = known // no allocation for the usual enum values
			} else {
				*dst = string(raw)
			}
			return
		}
		json.Unmarshal(d.data[start:d.pos], dst) // valid: just scanned
	default:
		d.wrongType("string")
	}
}

func (d *decoder) float(dst *float64) {
	raw, ok := d.numberToken("number")
	if !ok {
		return
	}
	if f, ok := simpleFloat(raw); ok {
		*dst = f
		return
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		d.typeError("number " + string(raw) + " out of range")
		return
	}
	*dst = f
}

func (d *decoder) int64(dst *int64) {
	raw, ok := d.numberToken("integer")
	if !ok {
		return
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		d.typeError("number " + string(raw) + " is not a 64-bit integer")
		return
	}
	*dst = n
}

// numberToken scans a number and reports it with ok; a null (which
// leaves the field as it was) or a value of another type (recorded as a
// type error against want) reports false.
func (d *decoder) numberToken(want string) (raw []byte, ok bool) {
	switch c := d.peek(); {
	case c == 'n':
		d.null()
	case c == '-' || c >= '0' && c <= '9':
		raw = d.number()
		return raw, d.err == nil
	default:
		d.wrongType(want)
	}
	return nil, false
}

func (d *decoder) int(dst *int) {
	n := int64(*dst)
	before := d.typeErr
	d.int64(&n)
	if d.typeErr != before {
		return
	}
	if int64(int(n)) != n {
		d.typeError("number out of range for int")
		return
	}
	*dst = int(n)
}

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
func (d *decoder) floatMap(dst *map[string]float64) {
	if d.literal("null") {
		*dst = nil
		return
	}
	if d.peek() != '{' {
		d.wrongType("object")
		return
	}
	if *dst == nil {
		*dst = map[string]float64{}
	}
	d.object(func(key []byte) {
		var f float64
		d.float(&f)
		(*dst)[string(key)] = f
	})
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
		if d.key != nil {
			msg = fmt.Sprintf("field %q: %s", d.key, msg)
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

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// simpleFloat converts a number token (already validated by number) with
// no exponent and digits that make an integer below 2^53, the usual stats
// value, without strconv: the digits are exact as a float64, the divisor an exact
// power of ten, so one division rounds correctly, as ParseFloat would
// (Clinger's fast path). Anything else reports false.
func simpleFloat(raw []byte) (float64, bool) {
	neg := len(raw) > 0 && raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	var mant uint64
	digits, frac, dot := 0, 0, false
	for _, c := range raw {
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false // an exponent
		}
	}
	if digits == 0 || digits > 19 || mant >= 1<<53 || frac >= len(pow10) {
		return 0, false // empty, might have overflowed, or not exact
	}
	f := float64(mant) / pow10[frac]
	if neg {
		f = -f
	}
	return f, true
}
