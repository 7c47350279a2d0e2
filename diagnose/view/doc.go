// Package view is the calls list's filter and sort, and an Index of call
// rows that answers a window of them: the one implementation both the
// TUI's calls screen and a hub's call index (calltop hub --index) use, so
// a window a hub computes for a TUI is exactly the rows the TUI would
// show for the same calls.
//
// Like diagnose, it is pure: no I/O, no clock (times come from the data).
package view
