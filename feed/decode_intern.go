package feed

import (
	"encoding/binary"
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
	cacheBits      = 9
	cacheSets      = 1 << cacheBits
	maxCachedBytes = 48 // longer strings are copied, not cached
)

var stringCaches = sync.Pool{New: func() any { return new(stringCache) }}

// get returns b as a string, reusing the cached copy when there is one;
// h is b's hash (hashString(b), or as str computes it on the way).
func (c *stringCache) get(b []byte, h uint64) string {
	if len(b) > maxCachedBytes {
		return string(b)
	}
	set := &c.sets[h>>(64-cacheBits)]
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

// hashString hashes b as str does while it reads a string: eight bytes
// at a time, the last ones alone.
func hashString(b []byte) uint64 {
	var h uint64
	for len(b) >= 8 {
		h = mixWord(h, binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	var w uint64
	for i, c := range b {
		w |= uint64(c) << (8 * i)
	}
	return mixWord(h, w)
}

// mixWord adds eight bytes to a hash.
func mixWord(h, w uint64) uint64 { return (h ^ w) * 0x9E3779B97F4A7C15 }
