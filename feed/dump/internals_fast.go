package dump

import (
	"encoding/json"
	"strings"
)

// fastInternals reads a whole, well-formed webrtc-internals dump in one
// pass over its bytes, giving what the token walker gives. ok is false for
// anything the walker must handle itself (a cut, a value of an unexpected
// shape, a key matched only case-insensitively), and the walker then reads
// the file.
func fastInternals(body []byte) (*internalsDump, bool) {
	f := &fastWalk{p: anyParser{data: body}, d: &internalsDump{}}
	ok := f.object(func(k string) bool {
		switch k {
		case "PeerConnections":
			return f.object(func(id string) bool {
				pc := &internalsPC{id: id, series: map[string]internalsSeries{}}
				f.d.pcs = append(f.d.pcs, pc)
				return f.peerConnection(pc)
			})
		case "UserAgent":
			return f.stringOrNull(&f.d.userAgent)
		}
		return f.skip()
	})
	return f.d, ok
}

// fastWalk walks a dump held in memory with anyParser's scanner.
type fastWalk struct {
	p anyParser
	d *internalsDump
}

func (f *fastWalk) peerConnection(pc *internalsPC) bool {
	return f.object(func(k string) bool {
		switch k {
		case "stats":
			return f.object(func(key string) bool {
				var s internalsSeries
				if !f.series(&s) {
					return false
				}
				if _, dup := pc.series[key]; !dup {
					pc.keys = append(pc.keys, key)
				}
				pc.series[key] = s
				return true
			})
		case "updateLog":
			return f.array(func() bool {
				var u internalsUpdate
				if !f.update(&u) {
					return false
				}
				pc.updateLog = append(pc.updateLog, u)
				return true
			})
		case "url":
			v, ok := f.p.value()
			pc.url, _ = v.(string)
			return ok
		}
		return f.skip()
	})
}

// series reads a {startTime, endTime, statsType, values} object (or null).
func (f *fastWalk) series(s *internalsSeries) bool {
	return f.fields(func(k string) (bool, bool) {
		switch k {
		case "startTime":
			return true, f.raw(&s.StartTime)
		case "endTime":
			return true, f.raw(&s.EndTime)
		case "statsType":
			return true, f.stringOrNull(&s.StatsType)
		case "values":
			return true, f.raw(&s.Values)
		}
		return false, false
	}, "startTime", "endTime", "statsType", "values")
}

// update reads one updateLog entry (or null).
func (f *fastWalk) update(u *internalsUpdate) bool {
	return f.fields(func(k string) (bool, bool) {
		switch k {
		case "time":
			return true, f.raw(&u.Time)
		case "timestamp":
			return true, f.raw(&u.Timestamp)
		case "type":
			return true, f.stringOrNull(&u.Type)
		case "value":
			return true, f.raw(&u.Value)
		}
		return false, false
	}, "time", "timestamp", "type", "value")
}

// fields reads an object into a struct as encoding/json would (null
// leaves it as it is): field reads one known key's value; a key that
// matches a name only case-insensitively gives up.
func (f *fastWalk) fields(field func(k string) (known, ok bool), names ...string) bool {
	if f.null() {
		return true
	}
	return f.object(func(k string) bool {
		if known, ok := field(k); known {
			return ok
		}
		for _, n := range names {
			if strings.EqualFold(k, n) {
				return false
			}
		}
		return f.skip()
	})
}

// object reads an object, member reading each key's value.
func (f *fastWalk) object(member func(k string) bool) bool {
	p := &f.p
	p.space()
	if p.pos >= len(p.data) || p.data[p.pos] != '{' || p.depth >= maxDepth {
		return false
	}
	p.pos++
	p.depth++
	defer func() { p.depth-- }()
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return true
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return false
		}
		k, ok := p.str(true)
		if !ok {
			return false
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return false
		}
		p.pos++
		if !member(k) || !p.next('}') {
			return false
		}
		if p.data[p.pos-1] == '}' {
			return true
		}
	}
}

// array reads an array, elem reading each element.
func (f *fastWalk) array(elem func() bool) bool {
	p := &f.p
	p.space()
	if p.pos >= len(p.data) || p.data[p.pos] != '[' || p.depth >= maxDepth {
		return false
	}
	p.pos++
	p.depth++
	defer func() { p.depth-- }()
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return true
	}
	for {
		if !elem() || !p.next(']') {
			return false
		}
		if p.data[p.pos-1] == ']' {
			return true
		}
	}
}

// null consumes a null.
func (f *fastWalk) null() bool {
	f.p.space()
	if len(f.p.data)-f.p.pos >= 4 && string(f.p.data[f.p.pos:f.p.pos+4]) == "null" {
		f.p.pos += 4
		return true
	}
	return false
}

// stringOrNull reads a string into dst; null leaves dst as it is.
func (f *fastWalk) stringOrNull(dst *string) bool {
	if f.null() {
		return true
	}
	f.p.space()
	if f.p.pos >= len(f.p.data) || f.p.data[f.p.pos] != '"' {
		return false
	}
	s, ok := f.p.str(false)
	*dst = s
	return ok
}

// raw takes the bytes of the next value, checked, without decoding more
// than a scan needs.
func (f *fastWalk) raw(dst *json.RawMessage) bool {
	f.p.space()
	start := f.p.pos
	if !f.skip() {
		return false
	}
	*dst = f.p.data[start:f.p.pos]
	return true
}

// skip passes over one value.
func (f *fastWalk) skip() bool {
	p := &f.p
	p.space()
	if p.pos >= len(p.data) {
		return false
	}
	switch c := p.data[p.pos]; c {
	case '{':
		return f.object(func(string) bool { return f.skip() })
	case '[':
		return f.array(f.skip)
	case '"':
		return p.skipString()
	}
	_, ok := p.value()
	return ok
}
