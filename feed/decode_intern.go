package feed

import (
	"encoding/binary"
	"math/bits"
	"sync"
)

// stringCache hands out the strings a feed repeats in every report
// (types, kinds, states, stats ids, call and participant ids) without
// allocating a copy each time: a small two-way set-associative table,
// most recently used first. A cache is used by one decode at a time
// (decoders take one from stringCaches), so it needs no locking; it only
// ever holds short strings, so it stays small (a few KB).
type stringCache struct {
	sets [cacheSets][2]string
}

const (
	cacheSets      = 512
	maxCachedBytes = 48 // longer strings are copied, not cached
)

var stringCaches = sync.Pool{New: func() any { return new(stringCache) }}

// get returns b as a string, reusing the cached copy when there is one.
func (c *stringCache) get(b []byte) string {
	if len(b) > maxCachedBytes {
		return string(b)
	}
	set := &c.sets[hashShort(b)%cacheSets]
	if set[0] == string(b) {
		return set[0]
	}
	if set[1] == string(b) {
		set[0], set[1] = set[1], set[0]
		return set[0]
	}
	s := string(b)
	set[1] = set[0]
	set[0] = s
	return s
}

// hashShort mixes the first and last eight bytes of b (at most 48 long)
// with its length.
func hashShort(b []byte) uint {
	n := len(b)
	var lo, hi uint64
	switch {
	case n >= 8:
		lo = binary.LittleEndian.Uint64(b)
		hi = binary.LittleEndian.Uint64(b[n-8:])
	case n >= 4:
		lo = uint64(binary.LittleEndian.Uint32(b))
		hi = uint64(binary.LittleEndian.Uint32(b[n-4:]))
	default:
		for i, c := range b {
			lo |= uint64(c) << (8 * i)
		}
	}
	h := (lo ^ bits.RotateLeft64(hi, 31) ^ uint64(n)) * 0x9E3779B97F4A7C15
	return uint(h >> 40)
}
