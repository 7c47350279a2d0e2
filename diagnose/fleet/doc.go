// Package fleet is the fleet view's arithmetic: it groups the participants
// of every live call by a dimension (browser, browser version, OS, network
// type, region, ICE path, a call tag) and keeps, per group, how many
// people and calls it holds, how many have an open finding and of which
// rule, and histograms of MOS, loss and round-trip time, so that medians
// and the 10th percentile can be read at any time. It is incremental: the
// caller hands it one call's participants whenever that call changed
// (Table.Set) and the cost is that call's, not the fleet's.
//
// View turns the Table into an immutable picture: rows per dimension,
// sorted by how much worse the group is than the rest of the fleet, and the
// groups that stand out for a rule (see StandOutRule and docs/fleet.md).
//
// It is pure and deterministic (no clock, no I/O) and knows nothing of the
// feed, the Monitor's internals, alerts or screens: diagnose builds the
// Person facts and feeds the Table; the TUI, the report and the alert book
// read Views.
package fleet
