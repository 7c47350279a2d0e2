package tui

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// sortKey is how the calls table orders calls.
type sortKey int

const (
	sortSeverity sortKey = iota
	sortMOS
	sortLoss
	sortRTT
	sortDuration
	sortRoom
	sortKeys // how many sort keys there are
)

// String names the sort for the header and hint bar.
func (k sortKey) String() string {
	return [...]string{"severity", "MOS", "loss", "RTT", "duration", "room"}[k]
}

// sortOrder says which way each sort goes, for the notice.
var sortOrder = [...]string{", worst first", ", worst first", ", worst first", ", worst first", ", longest first", ", A to Z"}

// sortRow is a call with its sort keys worked out once per sort, so the
// n log n comparisons are plain number and string compares.
type sortRow struct {
	c          *diagnose.CallSummary
	ended      bool
	k1, k2, k3 float64 // ascending; unknown values become +Inf (last)
	room       string  // lower case, for the room sort
}

// asc is v for an ascending key, +Inf when unknown.
func asc(v float64) float64 {
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	return v
}

// desc is -v for a descending key (worst = highest first), +Inf when unknown.
func desc(v float64) float64 {
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	return -v
}

// keyRow works out a call's keys for sort k.
func keyRow(c *diagnose.CallSummary, k sortKey, feedTime time.Time) sortRow {
	r := sortRow{c: c, ended: c.Ended}
	switch k {
	case sortMOS:
		r.k1 = asc(c.WorstMOS)
	case sortLoss:
		r.k1 = desc(c.WorstLoss)
	case sortRTT:
		r.k1 = desc(c.WorstRTTMs)
	case sortDuration:
		r.k1 = -float64(callDuration(c, feedTime))
	case sortRoom:
		r.room = strings.ToLower(roomOf(c))
	default:
		r.k1, r.k2, r.k3 = -float64(c.Severity), asc(c.WorstMOS), desc(c.WorstLoss)
	}
	return r
}

// compareRows orders ongoing calls before ended ones, then by the keys,
// then by id so the order is total and stable.
func compareRows(a, b *sortRow) int {
	if a.ended != b.ended {
		if a.ended {
			return 1
		}
		return -1
	}
	// Keys are never NaN, so plain comparisons order them.
	switch {
	case a.k1 != b.k1:
		return sign(a.k1 < b.k1)
	case a.k2 != b.k2:
		return sign(a.k2 < b.k2)
	case a.k3 != b.k3:
		return sign(a.k3 < b.k3)
	case a.room != b.room:
		return sign(a.room < b.room)
	}
	return strings.Compare(a.c.ID, b.c.ID)
}

// sign is -1 when less, else 1.
func sign(less bool) int {
	if less {
		return -1
	}
	return 1
}

// callDuration is how long a call has lasted, in data time.
func callDuration(c *diagnose.CallSummary, feedTime time.Time) time.Duration {
	end := feedTime
	if c.Ended && !c.End.IsZero() {
		end = c.End
	}
	if c.Start.IsZero() || end.Before(c.Start) {
		return 0
	}
	return end.Sub(c.Start)
}

// roomOf is the call's name on screen: its room, or its id.
func roomOf(c *diagnose.CallSummary) string {
	if c.Room != "" {
		return clean(c.Room)
	}
	return clean(c.ID)
}

// haystack is the lower-case text a filter matches: call id, room,
// participant names and user ids, tag keys and values.
func haystack(c *diagnose.CallSummary) string {
	var b strings.Builder
	b.WriteString(c.ID)
	b.WriteByte('\n')
	b.WriteString(c.Room)
	for _, n := range c.Names {
		b.WriteByte('\n')
		b.WriteString(n)
	}
	for k, v := range c.Tags {
		b.WriteByte('\n')
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	return strings.ToLower(b.String())
}

// filterCalls keeps the calls whose haystack holds every word of the
// filter. cache maps summaries (shared between snapshots while unchanged)
// to their haystacks; it is rebuilt so it never outgrows the snapshot.
func filterCalls(calls []*diagnose.CallSummary, filter string, cache map[*diagnose.CallSummary]string) ([]*diagnose.CallSummary, map[*diagnose.CallSummary]string) {
	words := strings.Fields(strings.ToLower(filter))
	out := make([]*diagnose.CallSummary, 0, len(calls))
	if len(words) == 0 {
		return append(out, calls...), nil
	}
	next := make(map[*diagnose.CallSummary]string, len(calls))
	for _, c := range calls {
		h, ok := cache[c]
		if !ok {
			h = haystack(c)
		}
		next[c] = h
		if matchesAll(h, words) {
			out = append(out, c)
		}
	}
	return out, next
}

func matchesAll(h string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(h, w) {
			return false
		}
	}
	return true
}

// sorter sorts calls, reusing its buffers from one frame to the next.
type sorter struct {
	keys []sortRow
	ptrs []*sortRow
}

// sort sorts rows in place for k: ongoing before ended, worst first.
func (s *sorter) sort(rows []*diagnose.CallSummary, k sortKey, feedTime time.Time) {
	s.keys, s.ptrs = slices.Grow(s.keys[:0], len(rows)), slices.Grow(s.ptrs[:0], len(rows))
	for _, c := range rows {
		s.keys = append(s.keys, keyRow(c, k, feedTime))
	}
	for i := range s.keys {
		s.ptrs = append(s.ptrs, &s.keys[i])
	}
	slices.SortFunc(s.ptrs, compareRows)
	for i, r := range s.ptrs {
		rows[i] = r.c
	}
	clear(s.keys) // drop the summaries so the buffer does not keep them alive
}
