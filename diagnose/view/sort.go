package view

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// SortKey is how the calls table orders calls.
type SortKey int

const (
	SortSeverity SortKey = iota
	SortMOS
	SortLoss
	SortRTT
	SortDuration
	SortRoom
	SortKeys // how many sort keys there are
)

// SortReversed, or'd into a SortKey, turns its order around (shift-s).
const SortReversed SortKey = 1 << 8

// Column is the sort without its direction.
func (k SortKey) Column() SortKey { return k &^ SortReversed }

// Reversed reports whether the sort runs backwards.
func (k SortKey) Reversed() bool { return k&SortReversed != 0 }

// String names the sort for the header and hint bar.
func (k SortKey) String() string {
	return [...]string{"severity", "MOS", "loss", "RTT", "duration", "room"}[k.Column()]
}

// Order says which way the sort goes, for the notice.
func (k SortKey) Order() string {
	fwd := [...]string{"worst first", "worst first", "worst first", "worst first", "longest first", "A to Z"}
	back := [...]string{"best first", "best first", "best first", "best first", "shortest first", "Z to A"}
	if k.Reversed() {
		return back[k.Column()]
	}
	return fwd[k.Column()]
}

// Row is a call with its sort keys worked out once per sort, so the
// n log n comparisons are plain integer and string compares. The calls
// table keeps each row's keys between frames to merge changed calls in,
// so a row is kept to one cache line (64 bytes).
type Row struct {
	c     *diagnose.CallSummary
	k     [3]uint64 // ascending, in turn (see ordered and signed)
	id    uint64    // the id's first 8 bytes, so most ties are broken without reading the id
	room  string    // lower case, for the room sort
	slot  int32     // the call's index in the snapshot
	rank  uint8     // how well the call matches the filter (see MatchExact)
	rev   bool      // the sort is reversed (ongoing calls and best matches still come first)
	ended bool
	moves bool // the keys may change when the feed time moves (duration sort)
}

// ordered maps v to an integer in the same order (-0 and +0 alike); v is
// never NaN.
func ordered(v float64) uint64 {
	if v == 0 {
		v = 0 // -0 sorts with +0
	}
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// signed maps n to an unsigned integer in the same order.
func signed(n int64) uint64 { return uint64(n) ^ 1<<63 }

// asc keys v ascending, unknown (NaN) last.
func asc(v float64) uint64 {
	if math.IsNaN(v) {
		return math.MaxUint64
	}
	return ordered(v)
}

// desc keys v descending (worst = highest first), unknown (NaN) last.
func desc(v float64) uint64 {
	if math.IsNaN(v) {
		return math.MaxUint64
	}
	return ordered(-v)
}

// KeyRow works out a call's keys for sort k.
func KeyRow(c *diagnose.CallSummary, k SortKey, feedTime time.Time) Row {
	r := Row{c: c, ended: c.Ended, id: idPrefix(c.Key), rev: k.Reversed()}
	switch k.Column() {
	case SortMOS:
		r.k[0] = asc(c.WorstMOS)
	case SortLoss:
		r.k[0] = desc(c.WorstLoss)
	case SortRTT:
		r.k[0] = desc(c.WorstRTTMs)
	case SortDuration:
		r.k, r.moves = durationKeys(c, feedTime)
	case SortRoom:
		r.room = strings.ToLower(RoomOf(c))
	default:
		r.k = [3]uint64{signed(-int64(c.Severity)), asc(c.WorstMOS), desc(c.WorstLoss)}
	}
	return r
}

// CompareRows orders ongoing calls before ended ones, then the best
// matches of the filter first, then by the keys, then by id so the order
// is total and stable.
func CompareRows(a, b *Row) int {
	if a.ended != b.ended {
		if a.ended {
			return 1
		}
		return -1
	}
	switch {
	case a.rank != b.rank:
		return sign(a.rank < b.rank)
	case a.rev:
		a, b = b, a
	}
	switch {
	case a.k[0] != b.k[0]:
		return sign(a.k[0] < b.k[0])
	case a.k[1] != b.k[1]:
		return sign(a.k[1] < b.k[1])
	case a.k[2] != b.k[2]:
		return sign(a.k[2] < b.k[2])
	case a.room != b.room:
		return sign(a.room < b.room)
	case a.id != b.id:
		return sign(a.id < b.id)
	}
	return strings.Compare(a.c.Key, b.c.Key)
}

// idPrefix is id's first 8 bytes as a big-endian number (zero-padded):
// two ids with different prefixes compare as their prefixes do.
func idPrefix(id string) uint64 {
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(id) {
			p |= uint64(id[i])
		}
	}
	return p
}

// sign is -1 when less, else 1.
func sign(less bool) int {
	if less {
		return -1
	}
	return 1
}

// maxDuration is the longest time.Duration; Time.Sub saturates there.
const maxDuration = time.Duration(math.MaxInt64)

// durationKeys orders calls longest first with keys that stay the same as
// the feed time moves on wherever they can, so the calls table can keep
// its rows in order from one frame to the next. An ongoing call has lasted
// feedTime - Start, so longest first is earliest start first: group 0 is
// keyed by its start (seconds, nanoseconds); calls that have lasted the
// longest Duration there is (-1) or nothing yet (1) tie and go by id. An
// ended call has a fixed duration, keyed as such. moves marks the calls
// whose keys can still change while the feed time moves forward by less
// than maxDuration/2 in all: a start not yet passed, a duration past
// maxDuration/2 (it may reach the saturated group), an ended call without
// an end time.
func durationKeys(c *diagnose.CallSummary, feedTime time.Time) (k [3]uint64, moves bool) {
	d := CallDuration(c, feedTime)
	if c.Ended {
		return [3]uint64{signed(-int64(d))}, c.End.IsZero() && !c.Start.IsZero()
	}
	switch {
	case d == maxDuration:
		return [3]uint64{signed(-1)}, false
	case d > 0:
		return [3]uint64{signed(0), signed(c.Start.Unix()), uint64(c.Start.Nanosecond())}, d > maxDuration/2
	}
	return [3]uint64{signed(1)}, !c.Start.IsZero()
}

// CallDuration is how long a call has lasted, in data time.
func CallDuration(c *diagnose.CallSummary, feedTime time.Time) time.Duration {
	end := feedTime
	if c.Ended && !c.End.IsZero() {
		end = c.End
	}
	if c.Start.IsZero() || end.Before(c.Start) {
		return 0
	}
	return end.Sub(c.Start)
}

// RoomOf is the call's name on screen: its room, or its id.
func RoomOf(c *diagnose.CallSummary) string {
	if c.Room != "" {
		return Clean(c.Room)
	}
	return Clean(c.ID)
}

// Sorter sorts rows' keys, reusing its buffer from one frame to the next.
type Sorter struct {
	ptrs []*Row
}

// Sort appends keys to dst in order: ongoing before ended, worst first.
func (s *Sorter) Sort(keys []Row, dst []Row) []Row {
	s.ptrs = slices.Grow(s.ptrs[:0], len(keys))
	for i := range keys {
		s.ptrs = append(s.ptrs, &keys[i])
	}
	slices.SortFunc(s.ptrs, CompareRows)
	dst = slices.Grow(dst, len(keys))
	for _, r := range s.ptrs {
		dst = append(dst, *r)
	}
	clear(s.ptrs)
	return dst
}
