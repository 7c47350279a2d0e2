package tui

import (
	"cmp"
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

// compareCalls orders calls for a sort key: ongoing before ended, then
// worst first, then by id so the order is total and stable.
func compareCalls(k sortKey, feedTime time.Time) func(a, b *diagnose.CallSummary) int {
	return func(a, b *diagnose.CallSummary) int {
		if a.Ended != b.Ended {
			if a.Ended {
				return 1
			}
			return -1
		}
		if c := compareBy(k, a, b, feedTime); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	}
}

func compareBy(k sortKey, a, b *diagnose.CallSummary, feedTime time.Time) int {
	switch k {
	case sortMOS:
		return lowFirst(a.WorstMOS, b.WorstMOS)
	case sortLoss:
		return highFirst(a.WorstLoss, b.WorstLoss)
	case sortRTT:
		return highFirst(a.WorstRTTMs, b.WorstRTTMs)
	case sortDuration:
		return cmp.Compare(callDuration(b, feedTime), callDuration(a, feedTime))
	case sortRoom:
		return cmp.Compare(strings.ToLower(roomOf(a)), strings.ToLower(roomOf(b)))
	}
	if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
		return c
	}
	if c := lowFirst(a.WorstMOS, b.WorstMOS); c != 0 {
		return c
	}
	return highFirst(a.WorstLoss, b.WorstLoss)
}

// lowFirst orders ascending with unknown (NaN) values last.
func lowFirst(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(a, b)
}

// highFirst orders descending with unknown (NaN) values last.
func highFirst(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(b, a)
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

// sortCalls sorts rows in place for k.
func sortCalls(rows []*diagnose.CallSummary, k sortKey, feedTime time.Time) {
	slices.SortFunc(rows, compareCalls(k, feedTime))
}
