package tui

import "github.com/calltop/calltop/diagnose"

// A call whose hub is gone (hubs on a NATS bus, docs/scaling.md) stays in
// the feed marked "source lost" until its hub comes back or it ends: its
// numbers are the last it had, so both the calls list and the call screen
// say so rather than show them as current.

// sourceLostText is what the calls list and the call screen say of such a
// call.
const sourceLostText = "source lost"

// sourceLost reports whether s's source is gone (any source other than
// live, which a later protocol may name, reads the same).
func sourceLost(s *diagnose.CallSummary) bool { return s.Source != "" && !s.Ended }

// sourceFinding is the calls list's finding cell for a call whose source
// is lost: the mark first, then what its last data said.
func sourceFinding(top string) string {
	if top == "" {
		return sourceLostText + ": waiting for its hub"
	}
	return sourceLostText + ": " + top
}

// sourceFact is the call screen's fact for a call whose source is lost,
// styled as trouble.
func sourceFact(st *Styles) string { return st.Trouble.Render(sourceLostText) }
