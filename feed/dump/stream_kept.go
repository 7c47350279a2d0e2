package dump

import (
	"unsafe"

	"github.com/calltop/calltop/feed"
)

// Costs of Go values in bytes, for Stream.Kept: generous, so that the
// estimate stays above what the heap holds (a test measures it).
const (
	keptMap   = 64 // a map's header and first group
	keptEntry = 80 // a map entry's slot (key and value headers), growth room and control bytes
	keptIface = 16 // a boxed number, a string header, a slice element
)

// Kept estimates the bytes s holds from line to line: each peer
// connection's stats objects (the delta-compression state) and their
// converted copies (the getstats fast path's), the identity
// and connection facts, the tallies of unknown methods. A live ingest
// bounds a session by it. It walks the state: call it every so many
// input bytes, not on every line.
func (s *Stream) Kept() int {
	r := s.r
	n := 512 + keptValue(r.identity) + keptValue(r.info) + keptValue(r.client)
	for pc, objs := range r.pcs {
		n += keptMap + keptEntry + len(pc)
		for id, obj := range objs {
			n += keptEntry + len(id) + keptValue(obj)
		}
	}
	for pc, c := range r.typed { // the fast path's converted objects (rtcstats_typed.go)
		n += keptMap + keptEntry + len(pc)
		for id, e := range c {
			n += keptEntry + len(id) + int(unsafe.Sizeof(cachedStat{})) + cap(e.legacy)*int(unsafe.Sizeof(feed.Stat{}))
		}
	}
	n += scratchBytes(r)
	for pc, o := range r.orders {
		n += keptMap + keptEntry + len(pc) + cap(o.ids)*keptIface + cap(o.order)*4 + cap(o.ents)*8
	}
	if r.json.recent != nil {
		n += internSlots * keptIface
	}
	if r.json.recentVals != nil {
		n += internSlots * keptIface
	}
	n += len(r.json.hard) * (keptEntry + 32)
	for _, t := range []tally{r.unknown, r.noType} {
		n += keptMap
		for k := range t {
			n += keptEntry + len(k) + 16
		}
	}
	n += len(r.b.call.ID) + len(r.b.call.Room) + len(r.b.part.ID) + len(r.b.part.Name) + len(r.b.part.UserAgent)
	for k, v := range r.b.call.Tags {
		n += keptEntry + len(k) + len(v)
	}
	return n
}

// keptValue estimates the bytes a decoded JSON value holds.
func keptValue(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := keptMap
		for k, e := range x {
			n += keptEntry + len(k) + keptValue(e)
		}
		return n
	case []any:
		n := 24 + keptIface*cap(x)
		for _, e := range x {
			n += keptValue(e)
		}
		return n
	case string:
		return keptIface + len(x)
	case float64:
		return 8
	}
	return 0
}
