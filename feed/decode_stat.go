package feed

import "bytes"

// Decoding stats objects, the bulk of a feed.

// stats decodes the stats array the way encoding/json fills a slice.
func (d *decoder) stats(dst *[]Stat) {
	if *dst == nil && d.peek() == '[' {
		if n := statsCap(d.data[d.pos:]); d.reuse {
			*dst = statsPool.take(n) // a power-of-two class, reused
		} else {
			*dst = make([]Stat, 0, n)
		}
	}
	s, more := openSlice(d, dst, "[]Stat")
	for more {
		s = nextElem(s)
		d.stat(&s[len(s)-1])
		more = d.moreInArray()
	}
	if s != nil {
		*dst = s
	}
}

// statsCap guesses how many objects the stats array at the start of rest
// holds, so that the slice is allocated once and no bigger than needed
// (a Stat is about 800 bytes; allocating and clearing them is a good part
// of decoding): the opening braces in the rest of the frame, less those
// of objects nested in a field. Stats come last in a frame; a guess too
// small only costs an append.
func statsCap(rest []byte) int {
	n := 0
	for i := 0; n < 64; i++ {
		j := bytes.IndexByte(rest[i:], '{')
		if j < 0 {
			break
		}
		if i += j; rest[i-1] != ':' { // rest starts with '[': i > 0
			n++
		}
	}
	return max(n, 1)
}

// stat decodes one stats object (or null) into s. It is the decoder's
// innermost loop, written out: a plain key (the usual one) is found a
// word at a time and handed to statField, which proves it plain by
// matching a field name (letters only); any other key is read again the
// long way.
func (d *decoder) stat(s *Stat) {
	if !d.structStart("Stat") {
		return
	}
	for {
		done := false
		data, i := d.data, d.pos
		if i < len(data) && data[i] == '"' {
			if j := quoteAt(data, i+1); j+1 < len(data) && data[j+1] == ':' {
				d.pos = j + 2
				if j+2 < len(data) && data[j+2] <= ' ' {
					d.ws()
				}
				d.key = [2]int{i + 1, j} // ints: no write barrier, unlike a slice
				if done = d.statField(data[i+1:j], s); !done {
					d.pos = i
				}
			}
		}
		if !done {
			key := d.objectKey()
			if d.err != nil {
				return
			}
			if !d.statField(key, s) {
				d.unknownField(key, statKeys)
			}
		}
		if p := d.pos; p+1 < len(data) && data[p] == ',' && data[p+1] > ' ' && d.err == nil {
			d.pos = p + 1 // the compact form
			continue
		}
		if !d.moreInObject() {
			return
		}
	}
}

// statField and statKeys are generated from the Stat struct's tags
// (stat_fields_gen.go; `go generate ./feed`).
