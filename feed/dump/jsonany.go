package dump

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// anyParser decodes JSON into exactly the values encoding/json gives an
// `any` (map[string]any, []any, float64, string, bool, nil), in one pass
// and with object keys interned: dumps repeat the same few hundred field
// names on every line. Anything unusual (invalid JSON, a number out of
// range, nesting deeper than encoding/json allows) makes it give up, and
// the caller falls back to encoding/json for its exact result and error.
// It is not safe for concurrent use.
type anyParser struct {
	data  []byte
	pos   int
	depth int
	keys  map[string]string
	// recent holds keys by a cheap hash of their bytes (see intern).
	recent *[internSlots]string
	// vals holds short string values already boxed: a dump repeats the
	// same types, kinds, states and ids on every line.
	vals       map[string]any
	recentVals *[internSlots]any // vals by a cheap hash (see strValue)
	// pairs holds the members of the objects being parsed (nested ones
	// above their parent's): an object's map is made once at its size,
	// never grown member by member (growing was a tenth of a report).
	pairs []anyPair
	// hard holds numbers ParseFloat is slow on (see hardFloat).
	hard map[string]float64
	// fieldPreds: the field names last read at each place of a report
	// (the last place stands for those after it), for key's pred.
	fieldPreds [16]string
}

type anyPair struct {
	k string
	v any
}

// maxInternedValue is the longest string value kept in vals.
const maxInternedValue = 64

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// maxKeys bounds the interned keys (a dump naming endless fields stops
// interning, it does not grow the table).
const maxKeys = 4096

// unmarshal decodes data into v (a *any or *[]any) like json.Unmarshal.
func (p *anyParser) unmarshal(data []byte, v any) error {
	if val, ok := p.parse(data); ok {
		switch dst := v.(type) {
		case *any:
			*dst = val
			return nil
		case *[]any:
			if arr, isArr := val.([]any); isArr {
				*dst = arr
				return nil
			}
			if val == nil {
				*dst = nil
				return nil
			}
		}
	}
	return json.Unmarshal(data, v)
}

// parse decodes one whole JSON text; ok is false when it gave up.
func (p *anyParser) parse(data []byte) (any, bool) {
	p.data, p.pos, p.depth = data, 0, 0
	v, ok := p.value()
	if !ok {
		return nil, false
	}
	p.space()
	return v, p.pos == len(p.data)
}

func (p *anyParser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\r', '\n':
			p.pos++
		default:
			return
		}
	}
}

func (p *anyParser) value() (any, bool) {
	p.space()
	if p.pos >= len(p.data) {
		return nil, false
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.strValue()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	default:
		return p.literal()
	}
}

func (p *anyParser) literal() (any, bool) {
	for _, l := range []struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if len(p.data)-p.pos >= len(l.text) && string(p.data[p.pos:p.pos+len(l.text)]) == l.text {
			p.pos += len(l.text)
			return l.v, true
		}
	}
	return nil, false
}

func (p *anyParser) object() (any, bool) {
	if p.depth++; p.depth > maxDepth {
		return nil, false
	}
	p.pos++ // {
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return map[string]any{}, true
	}
	base := len(p.pairs)
	defer func() { clear(p.pairs[base:]); p.pairs = p.pairs[:base] }()
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, false
		}
		k, ok := p.str(true)
		if !ok {
			return nil, false
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, false
		}
		p.pos++
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		p.pairs = append(p.pairs, anyPair{k, v})
		if !p.next('}') {
			return nil, false
		}
		if p.data[p.pos-1] == '}' {
			p.depth--
			m := make(map[string]any, len(p.pairs)-base)
			for _, kv := range p.pairs[base:] {
				m[kv.k] = kv.v // a repeated key: the last wins, as encoding/json
			}
			return m, true
		}
	}
}

// next consumes a ',' or the closing byte; false on anything else.
func (p *anyParser) next(closing byte) bool {
	p.space()
	if p.pos >= len(p.data) {
		return false
	}
	c := p.data[p.pos]
	p.pos++
	return c == ',' || c == closing
}

// startLine starts reading raw, a line [method, ...]: it passes the '['
// and stops at the method's opening quote; false when the line does not
// start so.
func (p *anyParser) startLine(raw []byte) bool {
	p.data, p.pos, p.depth = raw, 0, 1
	p.space()
	if p.pos >= len(p.data) || p.data[p.pos] != '[' {
		return false
	}
	p.pos++
	p.space()
	return p.pos < len(p.data) && p.data[p.pos] == '"'
}

// restOfLine appends the elements of a line's top-level array from here
// to its closing ']', which must end the data (bar white space); false
// when it does not or an element does not parse.
func (p *anyParser) restOfLine(parts []any) ([]any, bool) {
	for {
		if !p.next(']') {
			return parts, false
		}
		if p.data[p.pos-1] == ']' {
			break
		}
		v, ok := p.value()
		if !ok {
			return parts, false
		}
		parts = append(parts, v)
	}
	p.space()
	return parts, p.pos == len(p.data)
}

func (p *anyParser) array() (any, bool) {
	if p.depth++; p.depth > maxDepth {
		return nil, false
	}
	p.pos++ // [
	arr := []any{}
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		return arr, true
	}
	for {
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		arr = append(arr, v)
		if !p.next(']') {
			return nil, false
		}
		if p.data[p.pos-1] == ']' {
			p.depth--
			return arr, true
		}
	}
}

// str reads a string at p.pos (on its opening quote); key strings are
// interned.
func (p *anyParser) str(key bool) (string, bool) {
	start := p.pos + 1
	// The first quote, backslash or control byte, eight bytes at a time:
	// keys and ids, most strings of a dump, were read a byte at a time.
	end := plainRun(p.data, start)
	switch {
	case end >= len(p.data) || p.data[end] < 0x20:
		return "", false
	case p.data[end] == '\\':
		return p.escaped(start)
	}
	raw := p.data[start:end]
	p.pos = end + 1
	if !isASCII(raw) && !utf8.Valid(raw) {
		return p.slowString(start-1, end+1)
	}
	if key {
		return p.intern(raw), true
	}
	return string(raw), true
}

// strValue reads a string value, boxed once for the short ones seen
// before.
func (p *anyParser) strValue() (any, bool) {
	start := p.pos + 1
	end := start
	for end < len(p.data) && end-start <= maxInternedValue {
		c := p.data[end]
		if c == '"' {
			break
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			end = len(p.data) // not plain ASCII: the general path
			break
		}
		end++
	}
	if end >= len(p.data) || p.data[end] != '"' {
		s, ok := p.str(false)
		return s, ok
	}
	p.pos = end + 1
	raw := p.data[start:end]
	// As for keys (intern), a direct-mapped cache in front of the table.
	if p.recentVals == nil {
		p.recentVals = new([internSlots]any)
	}
	slot := &p.recentVals[internSlot(raw)]
	if s, ok := (*slot).(string); ok && s == string(raw) {
		return *slot, true
	}
	if len(raw) > 0 && (raw[0] >= '0' && raw[0] <= '9' || raw[0] == '-') {
		// A number written as a string (legacy goog* stats): a counter's
		// new value every sample, not worth a place in the table.
		var v any = string(raw)
		*slot = v
		return v, true
	}
	if v, ok := p.vals[string(raw)]; ok {
		*slot = v
		return v, true
	}
	var v any = string(raw)
	if p.vals == nil {
		p.vals = map[string]any{}
	}
	if len(p.vals) < maxKeys {
		p.vals[v.(string)] = v
	}
	*slot = v
	return v, true
}

// intern returns the one copy of a key.
func (p *anyParser) intern(raw []byte) string {
	// A direct-mapped cache in front of the table: the same few hundred
	// names come back on every line, and a hash of three bytes and the
	// length, checked by comparing, costs less than the map's hash.
	if p.recent == nil {
		p.recent = new([internSlots]string)
	}
	slot := &p.recent[internSlot(raw)]
	if *slot == string(raw) {
		return *slot
	}
	if s, ok := p.keys[string(raw)]; ok {
		*slot = s
		return s
	}
	s := string(raw)
	*slot = s
	if p.keys == nil {
		p.keys = map[string]string{}
	}
	if len(p.keys) < maxKeys {
		p.keys[s] = s
	}
	return s
}

// internSlots is the size of anyParser.recent (a power of two).
const internSlots = 1024

// internSlot hashes the length and, for names of eight bytes or more,
// their first, middle and last eight: stats ids differ in the middle
// ("RTCCodec_0_Inbound_103", "RTCCodec_1_Inbound_103"), where a hash of
// three bytes sent whole families to one slot.
func internSlot(raw []byte) int {
	n := len(raw)
	var h uint64
	if n >= 8 {
		h = binary.LittleEndian.Uint64(raw)*0x9e3779b97f4a7c15 ^
			binary.LittleEndian.Uint64(raw[n/2-4:])*0xc2b2ae3d27d4eb4f ^
			binary.LittleEndian.Uint64(raw[n-8:])*0x165667b19e3779f9
	} else {
		for _, c := range raw {
			h = h<<8 | uint64(c)
		}
		h *= 0x9e3779b97f4a7c15
	}
	h ^= uint64(n) * 0x27d4eb2f165667c5
	return int(h>>32^h>>47) & (internSlots - 1)
}

// escaped reads a string holding escapes, from its first content byte.
func (p *anyParser) escaped(start int) (string, bool) {
	buf := make([]byte, 0, bytes.IndexByte(p.data[start:], '"')+16)
	for i := start; i < len(p.data); {
		// Copy the plain run up to the next quote or backslash at once.
		j := plainRun(p.data, i)
		if j < len(p.data) && p.data[j] < 0x20 {
			return "", false
		}
		buf = append(buf, p.data[i:j]...)
		if i = j; i >= len(p.data) {
			break
		}
		if p.data[i] == '"' {
			p.pos = i + 1
			if !utf8.Valid(buf) {
				return p.slowString(start-1, i+1)
			}
			return string(buf), true
		}
		if i+1 >= len(p.data) {
			return "", false
		}
		switch e := p.data[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, n, ok := p.unicode(i)
			if !ok {
				return "", false
			}
			buf = utf8.AppendRune(buf, r)
			i += n
			continue
		default:
			return "", false
		}
		i += 2
	}
	return "", false
}

// skipString passes over a string at p.pos (on its opening quote),
// checking its escapes; its bytes are not decoded.
func (p *anyParser) skipString() bool {
	for i := p.pos + 1; i < len(p.data); i++ {
		if i = plainRun(p.data, i); i >= len(p.data) {
			return false
		}
		switch c := p.data[i]; {
		case c == '"':
			p.pos = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if i+1 >= len(p.data) {
				return false
			}
			switch p.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if _, ok := hex4(p.data, i+2); !ok {
					return false
				}
				i += 5
			default:
				return false
			}
		}
	}
	return false
}

// unicode reads \uXXXX (and its low surrogate) at i: the rune and the
// bytes used.
func (p *anyParser) unicode(i int) (rune, int, bool) {
	r, ok := hex4(p.data, i+2)
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, true
	}
	if i+12 <= len(p.data) && p.data[i+6] == '\\' && p.data[i+7] == 'u' {
		if r2, ok := hex4(p.data, i+8); ok {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, 12, true
			}
		}
	}
	return utf8.RuneError, 6, true
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[i:i+4]), 16, 32)
	return rune(v), err == nil
}

// slowString decodes the quoted string data[from:to] with encoding/json
// (invalid UTF-8 becomes U+FFFD exactly as it would there).
func (p *anyParser) slowString(from, to int) (string, bool) {
	var s string
	if json.Unmarshal(p.data[from:to], &s) != nil {
		return "", false
	}
	p.pos = to
	return s, true
}

// number reads a JSON number as a float64.
func (p *anyParser) number() (any, bool) {
	f, ok := p.float()
	if !ok {
		return nil, false
	}
	return boxFloat(f), true
}

// smallFloats holds the whole numbers below its length boxed: most of a
// dump's counters and their deltas are small, and boxing a float64
// allocates. Made on first use, not at start-up (1,024 allocations every
// calltop command would pay).
var smallFloats = sync.OnceValue(func() *[1024]any {
	t := new([1024]any)
	for i := range t {
		t[i] = float64(i)
	}
	return t
})

// boxFloat is f as an any, without allocating for the small whole ones.
func boxFloat(f float64) any {
	if f > 0 && f < 1024 {
		if i := int(f); float64(i) == f {
			return smallFloats()[i]
		}
	}
	return f // 0 too: the runtime boxes +0 without allocating, and -0 keeps its sign
}

// float is number unboxed: the number's text checked as JSON, then
// converted by parseFloat.
func (p *anyParser) float() (float64, bool) {
	start, i := p.pos, p.pos
	if p.data[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(p.data) && p.data[i] >= '0' && p.data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(p.data) && p.data[i] == '0':
		i++
	case digits() == 0:
		return 0, false
	}
	if i < len(p.data) && p.data[i] == '.' {
		i++
		if digits() == 0 {
			return 0, false
		}
	}
	expDigits := 0
	if i < len(p.data) && (p.data[i] == 'e' || p.data[i] == 'E') {
		i++
		if i < len(p.data) && (p.data[i] == '+' || p.data[i] == '-') {
			i++
		}
		if expDigits = digits(); expDigits == 0 {
			return 0, false
		}
	}
	text := p.data[start:i]
	if expDigits >= 3 { // far from 1: maybe a subnormal, ParseFloat's slow path
		return p.hardFloat(text)
	}
	f, err := parseFloat(text)
	if err != nil {
		return 0, false
	}
	p.pos = i
	return f, true
}

// hardFloat parses a number with an exponent of three digits or more,
// remembering it: ParseFloat takes a slow decimal path for subnormals
// (tens of thousands of instructions each), and Firefox repeats garbage
// such as 2.8990377e-316 in fields of every sample.
func (p *anyParser) hardFloat(text []byte) (float64, bool) {
	f, ok := p.hard[string(text)]
	if !ok {
		var err error
		if f, err = strconv.ParseFloat(string(text), 64); err != nil {
			return 0, false
		}
		if p.hard == nil {
			p.hard = map[string]float64{}
		}
		if len(p.hard) < maxHardFloats {
			p.hard[string(text)] = f
		}
	}
	p.pos += len(text)
	return f, true
}

// maxHardFloats bounds anyParser.hard.
const maxHardFloats = 256

// parseFloat is strconv.ParseFloat on a number's text, with a fast path
// for the plain decimals most stats are (counters, "0.0123"): up to 15
// significant digits make a float64 mantissa exactly, and dividing it by
// a power of ten a float64 holds exactly rounds once, correctly, as
// ParseFloat rounds (Clinger's fast path). Anything else (more digits, an
// exponent, a sign ParseFloat keeps, text it refuses) is ParseFloat's.
func parseFloat[T string | []byte](b T) (float64, error) {
	if len(b) == 0 || len(b) > 24 {
		return strconv.ParseFloat(string(b), 64)
	}
	var m uint64
	sig, frac, digits := 0, 0, 0
	neg, dot := false, false
	for j := 0; j < len(b); j++ {
		switch c := b[j]; {
		case c >= '0' && c <= '9':
			digits++
			if dot {
				frac++
			}
			if m == 0 && c == '0' {
				continue // a leading zero: not significant
			}
			if sig++; sig > 15 {
				return strconv.ParseFloat(string(b), 64)
			}
			m = m*10 + uint64(c-'0')
		case c == '-' && j == 0:
			neg = true
		case c == '.' && !dot:
			dot = true
		default:
			return strconv.ParseFloat(string(b), 64)
		}
	}
	if digits == 0 || frac >= len(pow10) || neg && m == 0 { // -0 keeps its sign through ParseFloat
		return strconv.ParseFloat(string(b), 64)
	}
	f := float64(m) / pow10[frac]
	if neg {
		f = -f
	}
	return f, nil
}

// pow10 holds the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// SWAR constants: a byte of each lane set to 0x01, 0x80, '"', '\\', 0x20.
const (
	lanes01 = 0x0101010101010101
	lanes80 = 0x8080808080808080
)

// isASCII reports whether b has no byte >= 0x80, eight at a time.
func isASCII(b []byte) bool {
	i, acc := 0, uint64(0)
	for ; i+8 <= len(b); i += 8 {
		acc |= binary.LittleEndian.Uint64(b[i:])
	}
	for ; i < len(b); i++ {
		acc |= uint64(b[i])
	}
	return acc&lanes80 == 0
}

// plainRun returns the index of the first byte at or after i that ends a
// plain run of string bytes: a quote, a backslash or a control byte
// (len(b) if none). It looks at eight bytes at a time: SDP texts and
// webrtc-internals series are long strings, and a byte at a time was the
// parser's costliest loop.
func plainRun(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ (lanes01 * '"')
		s := x ^ (lanes01 * '\\')
		// A lane is flagged when it is zero after the xor (quote,
		// backslash) or below 0x20; the high bit of a lane >= 0x80 masks
		// out false hits from its borrow.
		hit := ((q - lanes01) &^ q) | ((s - lanes01) &^ s) | ((x - lanes01*0x20) &^ x)
		if hit&lanes80 != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}
