package dump

// The fast path for lines calltop ignores (setLocalDescription and the
// other API calls, most of them carrying a whole SDP): the general path
// decoded the value, SDP strings with their escaped line breaks, only to
// drop it. Here the value is checked to be JSON, as the general path's
// parse would check it, but not decoded. Lines are held to the general
// path by FuzzGetstatsDelta (the reader's slow flag turns both fast paths
// off).

// ignoredLine reports whether dispatch would do nothing with method but
// count it as known and ignored.
func ignoredLine(method string) bool {
	switch method {
	case "create", "connectionInfo", "identity", "conferenceStartTimestamp", "getstats", "getStats", "close":
		return false
	}
	return stateEvents[method] == "" && negotiationFailure(method) == "" && knownIgnored(method)
}

// fastIgnored handles line n if it is a well-formed line of an ignored
// method; false leaves it, untouched, to the general path.
func (r *rtcstatsReader) fastIgnored(raw []byte) bool {
	p := &r.json
	if !p.startLine(raw) {
		return false
	}
	start := p.pos
	if !p.skipString() {
		return false
	}
	method, ok := plainString(p.data[start:p.pos])
	if !ok || !ignoredLine(string(method)) || !p.comma() || !p.skipValue() || !p.comma() || !p.skipValue() {
		return false
	}
	// The line's time is read (Chrome's dumps keep a running clock).
	parts := append(r.parts[:0], nil, nil, nil)
	parts, ok = p.restOfLine(parts)
	r.parts = parts
	if !ok {
		return false
	}
	r.lineTime(parts)
	return true
}

// skipValue passes over one JSON value (after space), checking it as the
// parser would read it: the same grammar, numbers in float64's range, the
// same nesting limit.
func (p *anyParser) skipValue() bool {
	p.space()
	if p.pos >= len(p.data) {
		return false
	}
	switch c := p.data[p.pos]; {
	case c == '"':
		return p.skipString()
	case c == '-' || c >= '0' && c <= '9':
		_, ok := p.float()
		return ok
	case c == '{' || c == '[':
		if p.depth++; p.depth > maxDepth {
			return false
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		p.pos++
		p.space()
		if p.pos < len(p.data) && p.data[p.pos] == closing {
			p.pos++
			p.depth--
			return true
		}
		for {
			if closing == '}' {
				p.space()
				if p.pos >= len(p.data) || p.data[p.pos] != '"' || !p.skipString() {
					return false
				}
				p.space()
				if p.pos >= len(p.data) || p.data[p.pos] != ':' {
					return false
				}
				p.pos++
			}
			if !p.skipValue() || !p.next(closing) {
				return false
			}
			if p.data[p.pos-1] == closing {
				p.depth--
				return true
			}
		}
	}
	_, ok := p.literal()
	return ok
}
