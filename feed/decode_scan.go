package feed

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// The decoder's JSON scanning: whitespace, literals, numbers, strings,
// and skipping (while validating) values nobody reads.

func (d *decoder) ws() {
	for d.pos < len(d.data) {
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
	if d.err == nil && bytes.HasPrefix(d.data[d.pos:], []byte(lit)) {
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

// number consumes a JSON number and returns its text.
func (d *decoder) number() []byte {
	start, data := d.pos, d.data
	i := d.pos
	digits := func() bool {
		n := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		return i > n
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case !digits():
		d.pos = i
		d.syntax("bad number")
		return nil
	}
	if i < len(data) && data[i] == '.' {
		i++
		if !digits() {
			d.pos = i
			d.syntax("bad fraction")
			return nil
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !digits() {
			d.pos = i
			d.syntax("bad exponent")
			return nil
		}
	}
	d.pos = i
	return data[start:i]
}

// stringToken consumes a string and returns its raw bytes without the
// quotes, and whether they need decoding (escapes or invalid UTF-8).
func (d *decoder) stringToken() (raw []byte, slow bool) {
	data := d.data
	i := d.pos + 1 // after the opening quote
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

// object walks an object, calling field with each key (decoded) positioned
// at its value; field must consume the value.
func (d *decoder) object(field func(key []byte)) {
	if d.depth++; d.depth > maxDepth {
		d.syntax("nested too deeply")
		return
	}
	defer func() { d.depth-- }()
	d.pos++ // '{'
	d.ws()
	if d.peek() == '}' {
		d.pos++
		return
	}
	for d.err == nil {
		if d.peek() != '"' {
			d.syntax("expected a key")
			return
		}
		key, slow := d.stringToken()
		if slow && d.err == nil {
			key = unescapeKey(key)
		}
		d.ws()
		if d.peek() != ':' {
			d.syntax("expected ':'")
			return
		}
		d.pos++
		d.ws()
		d.key = key
		field(key)
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			d.ws()
		case '}':
			d.pos++
			return
		default:
			d.syntax("expected ',' or '}'")
			return
		}
	}
}

// unescapeKey decodes the raw bytes of a key that has escapes (already
// validated by stringToken, so it cannot fail).
func unescapeKey(raw []byte) []byte {
	var s string
	json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s)
	return []byte(s)
}

// array walks an array, calling elem positioned at each element; elem
// must consume it.
func (d *decoder) array(elem func()) {
	if d.depth++; d.depth > maxDepth {
		d.syntax("nested too deeply")
		return
	}
	defer func() { d.depth-- }()
	d.pos++ // '['
	d.ws()
	if d.peek() == ']' {
		d.pos++
		return
	}
	for d.err == nil {
		elem()
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			d.ws()
		case ']':
			d.pos++
			return
		default:
			d.syntax("expected ',' or ']'")
			return
		}
	}
}

// skip consumes one value of any kind, checking its syntax.
func (d *decoder) skip() {
	switch c := d.peek(); {
	case c == '{':
		d.object(func([]byte) { d.skip() })
	case c == '[':
		d.array(d.skip)
	case c == '"':
		d.stringToken()
	case c == '-' || c >= '0' && c <= '9':
		d.number()
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
