package feed

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"unicode/utf8"
)

// The decoder's JSON scanning: whitespace, literals, strings, objects and
// arrays, and skipping (while validating) values nobody reads. Numbers
// are in decode_number.go.

func (d *decoder) ws() {
	for d.pos < len(d.data) && d.data[d.pos] <= ' ' {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the next byte, or 0 at the end (or after an error).
func (d *decoder) peek() byte {
	if d.err != nil || d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// literal consumes lit (true, false, null) if it comes next.
func (d *decoder) literal(lit string) bool {
	if d.err == nil && len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return true
	}
	return false
}

func (d *decoder) null() {
	if !d.literal("null") {
		d.syntax("bad literal")
	}
}

// Word-at-a-time string scanning: eight bytes are checked at once for
// the bytes a string cannot hold as they are.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// specialBytes returns w (eight string bytes, the first in the low byte)
// with the high bit of each byte that is '"', '\\', a control character
// or not ASCII set; bits may also be set above the first such byte, so
// only the lowest one is exact. No bit is set when all eight are plain.
func specialBytes(w uint64) uint64 {
	q := w ^ (ones * '"')
	b := w ^ (ones * '\\')
	// x - ones borrows into a byte's high bit only where the byte is zero
	// (or already high); w - 0x20s does where the byte is below 0x20.
	return ((q - ones) | (b - ones) | (w - ones*0x20) | w) & highs
}

// plainByte marks the bytes a string holds as they are: printable ASCII
// but '"' and '\\'.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainEnd returns the index of the first byte from i on that is not
// plain (or len(data)).
func plainEnd(data []byte, i int) int {
	for i+8 <= len(data) {
		if m := specialBytes(binary.LittleEndian.Uint64(data[i : i+8])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(data) && plainByte[data[i]] {
		i++
	}
	return i
}

// stringToken consumes a string and returns its raw bytes without the
// quotes, and whether they need decoding (escapes or invalid UTF-8).
func (d *decoder) stringToken() (raw []byte, slow bool) {
	data := d.data
	i := plainEnd(data, d.pos+1) // after the opening quote
	if i < len(data) && data[i] == '"' {
		raw = data[d.pos+1 : i]
		d.pos = i + 1
		return raw, false
	}
	high := false
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			raw = data[d.pos+1 : i]
			d.pos = i + 1
			if high && !slow && !utf8.Valid(raw) {
				slow = true
			}
			return raw, slow
		case c == '\\':
			slow = true
			if i+1 >= len(data) {
				break
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
				continue
			case 'u':
				if i+6 <= len(data) && isHex4(data[i+2:i+6]) {
					i += 6
					continue
				}
			}
			d.pos = i
			d.syntax("bad escape in string")
			return nil, false
		case c < 0x20:
			d.pos = i
			d.syntax("control character in string")
			return nil, false
		case c >= utf8.RuneSelf:
			high = true
		}
		i++
	}
	d.pos = len(data)
	d.syntax("unterminated string")
	return nil, false
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f') {
			return false
		}
	}
	return true
}

// An object is read as
//
//	if d.openObject() {
//		for {
//			key := d.objectKey()
//			if d.err != nil {
//				break
//			}
//			... consume the value ...
//			if !d.moreInObject() {
//				break
//			}
//		}
//	}
//
// and an array likewise with openArray and moreInArray.

// openObject consumes the '{' at d.pos and reports whether a key
// follows; false for an empty object (consumed) or after an error.
func (d *decoder) openObject() bool { return d.open('}') }

// openArray consumes the '[' at d.pos and reports whether an element
// follows; false for an empty array (consumed) or after an error.
func (d *decoder) openArray() bool { return d.open(']') }

func (d *decoder) open(end byte) bool {
	if d.depth++; d.depth > maxDepth {
		d.syntax("nested too deeply")
		return false
	}
	d.pos++
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == end {
		d.pos++
		d.depth--
		return false
	}
	return d.err == nil
}

// plainKey reads a key up to the first '"' (not checking for escapes,
// control characters or UTF-8) when a ':' follows right after, leaving
// d.pos at the value; otherwise it reports false and d.pos stays. The
// key is only good as one of the caller's field names (plain ASCII
// letters): when it is not one, the caller reads it again with objectKey.
func (d *decoder) plainKey() ([]byte, bool) {
	data, i := d.data, d.pos
	if d.err != nil || i >= len(data) || data[i] != '"' {
		return nil, false
	}
	j := quoteAt(data, i+1)
	if j+1 >= len(data) || data[j+1] != ':' {
		return nil, false
	}
	d.pos = j + 2
	d.ws()
	d.key = [2]int{i + 1, j} // ints: no write barrier, unlike a slice
	return data[i+1 : j], true
}

// quoteAt returns the index of the first '"' in data from i on, or
// len(data).
func quoteAt(data []byte, i int) int {
	for i+8 <= len(data) {
		x := binary.LittleEndian.Uint64(data[i:i+8]) ^ (ones * '"')
		if m := (x - ones) &^ x & highs; m != 0 { // exact for the lowest zero byte
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(data) && data[i] != '"' {
		i++
	}
	return i
}

// objectKey reads a key (decoded) and its colon, leaving d.pos at the
// value. After an error it returns nil with d.err set.
func (d *decoder) objectKey() []byte {
	if d.peek() != '"' {
		d.syntax("expected a key")
		return nil
	}
	start := d.pos + 1
	key, slow := d.stringToken()
	end := d.pos - 1
	if slow && d.err == nil {
		key = unescapeKey(key)
	}
	d.ws()
	if d.peek() != ':' {
		d.syntax("expected ':'")
		return nil
	}
	d.pos++
	d.ws()
	d.key = [2]int{start, end}
	return key
}

// moreInObject consumes what follows a member's value: true after a ','
// (a key follows), false after the closing '}' or an error.
func (d *decoder) moreInObject() bool {
	if d.pos < len(d.data) && d.data[d.pos] == ',' && d.err == nil {
		d.pos++ // the compact form
		d.ws()
		return true
	}
	return d.more('}', "expected ',' or '}'")
}

// moreInArray consumes what follows an element: true after a ',' (an
// element follows), false after the closing ']' or an error.
func (d *decoder) moreInArray() bool { return d.more(']', "expected ',' or ']'") }

func (d *decoder) more(end byte, what string) bool {
	d.ws()
	switch d.peek() {
	case ',':
		d.pos++
		d.ws()
		return true
	case end:
		d.pos++
		d.depth--
		return false
	}
	d.syntax(what)
	return false
}

// unescapeKey decodes the raw bytes of a key that has escapes (already
// validated by stringToken, so it cannot fail).
func unescapeKey(raw []byte) []byte {
	var s string
	json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s)
	return []byte(s)
}

// skip consumes one value of any kind, checking its syntax.
func (d *decoder) skip() {
	switch c := d.peek(); {
	case c == '{':
		if d.openObject() {
			for {
				d.objectKey()
				if d.err != nil {
					return
				}
				d.skip()
				if !d.moreInObject() {
					return
				}
			}
		}
	case c == '[':
		if d.openArray() {
			for {
				d.skip()
				if !d.moreInArray() {
					return
				}
			}
		}
	case c == '"':
		d.stringToken()
	case c == '-' || c >= '0' && c <= '9':
		d.scanNumber()
	case c == 't':
		if !d.literal("true") {
			d.syntax("bad literal")
		}
	case c == 'f':
		if !d.literal("false") {
			d.syntax("bad literal")
		}
	case c == 'n':
		d.null()
	default:
		d.syntax("expected a value")
	}
}
