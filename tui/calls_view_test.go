package tui

import "github.com/calltop/calltop/diagnose/view"

// The tests' names for diagnose/view's filter and sort parts.
type sortRow = view.Row

var (
	keyRow      = view.KeyRow
	parseQuery  = view.ParseQuery
	newCallText = view.NewCallText
)

const noMatch = view.NoMatch
