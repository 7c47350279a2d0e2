package feed

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// Strings read through the cache come back as they were written, and a
// string seen again is the cached copy (str and hashString agree on its
// hash), whatever its length and whatever else shares its set.
func TestStringCacheReturnsWhatWasWritten(t *testing.T) {
	c := new(stringCache)
	r := rand.New(rand.NewPCG(9, 10))
	read := func(s string) string {
		d := decoder{data: []byte(`"` + s + `","next":1}`), strs: c}
		var got string
		d.str(&got)
		if d.err != nil || d.typeErr != nil || got != s || d.pos != len(s)+2 {
			t.Fatalf("str read %q (%v %v) up to %d from %q", got, d.err, d.typeErr, d.pos, s)
		}
		return got
	}
	var recent []string
	for n := 0; n < 100000; n++ {
		b := make([]byte, r.IntN(maxCachedBytes+8))
		for i := range b {
			b[i] = byte('0' + r.IntN(8)) // few distinct bytes: many near-equal strings
		}
		s := string(b)
		got := read(s)
		if again := read(s); len(s) > 0 && len(s) <= maxCachedBytes && unsafe.StringData(again) != unsafe.StringData(got) {
			t.Fatalf("%q was not cached", s)
		}
		// The same bytes as a map key (hashString) find the same copy.
		if k := c.get(b, hashString(b)); k != s || len(s) > 0 && len(s) <= maxCachedBytes && unsafe.StringData(k) != unsafe.StringData(got) {
			t.Fatalf("get(%q) = %q, not the copy str cached", s, k)
		}
		recent = append(recent, s)
		if len(recent) > 50 {
			recent = recent[1:]
		}
		old := recent[r.IntN(len(recent))]
		if got := read(old); got != old {
			t.Fatalf("read %q for %q", got, old)
		}
	}
}
