package tui

import (
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/view"
)

// The calls list's filter ("/") and sorts live in diagnose/view, shared
// with a hub's call index (calltop hub --index), so a list a hub windows
// for a TUI is ordered and filtered exactly as the TUI orders its own.
type (
	sortKey      = view.SortKey
	callOrder    = view.Order
	snapshotDiff = view.SnapshotDiff
	slotted      = view.Slotted
)

// The calls table's sorts (s cycles them, S reverses).
const (
	sortSeverity = view.SortSeverity
	sortMOS      = view.SortMOS
	sortLoss     = view.SortLoss
	sortRTT      = view.SortRTT
	sortDuration = view.SortDuration
	sortRoom     = view.SortRoom
	sortKeys     = view.SortKeys
	sortReversed = view.SortReversed
)

// roomOf is the call's name on screen: its room, or its id.
func roomOf(c *diagnose.CallSummary) string { return view.RoomOf(c) }

// callDuration is how long a call has lasted, in data time.
func callDuration(c *diagnose.CallSummary, feedTime time.Time) time.Duration {
	return view.CallDuration(c, feedTime)
}
