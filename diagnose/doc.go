// Package diagnose turns feed events into understanding: per-stream series
// of derived metrics, MOS, the rule set, and findings with plain-English
// messages.
//
// It is pure and deterministic: all time comes from the data's timestamps,
// never the wall clock, so live, replay at 8x and `calltop report` agree.
// It must not do network I/O or touch the terminal.
package diagnose
