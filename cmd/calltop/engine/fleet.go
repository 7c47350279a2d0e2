package engine

import (
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/fleet"
)

// callSetups is what a Monitor offers for the fleet-level alerts
// (diagnose.Monitor has it); a Monitor without it feeds them nothing.
type callSetups interface {
	AppendCallSetups(dst []diagnose.CallSetup) []diagnose.CallSetup
}

// fleetViewer is what a Monitor offers for the fleet-group alert: the
// fleet view of its live calls (diagnose.Monitor has it).
type fleetViewer interface {
	Fleet() *fleet.View
}

// fleetCall is what the engine remembers of one live call: when it
// started (an id reused by a new call starts later) and whether its setup
// outcome was told to the book.
type fleetCall struct {
	start   time.Time
	decided bool
	seen    uint64 // the scan that last found the call
}

// fleetTracker tells the book, at each evaluation, which calls are new
// (CallStarted) and which calls' setups were decided (CallSetup), once
// per call. It only scans while a fleet-level alert is turned on.
type fleetTracker struct {
	calls map[string]*fleetCall
	scan  uint64
	buf   []diagnose.CallSetup
}

// fleetOn reports whether b has a call-counting fleet alert turned on.
func fleetOn(b *alert.Book) bool {
	f := b.Options().Fleet
	return f.NoNewCallsFor > 0 || f.SetupFailurePct > 0
}

// observe compares the Monitor's live calls with the last scan and tells
// the book at data time now what is new, and which groups stand out.
func (t *fleetTracker) observe(mon Monitor, b *alert.Book, now time.Time) {
	if fv, ok := mon.(fleetViewer); ok && b != nil && b.Options().Fleet.Groups {
		b.FleetGroups(now, fv.Fleet().StandOut)
	}
	src, ok := mon.(callSetups)
	if b == nil || !ok || !fleetOn(b) {
		return
	}
	if t.calls == nil {
		t.calls = map[string]*fleetCall{}
	}
	t.scan++
	t.buf = src.AppendCallSetups(t.buf[:0])
	for _, cs := range t.buf {
		fc := t.calls[cs.CallID]
		// A later start is the id reused by a new call; an earlier one is
		// the same call, first seen by a message before its call.start.
		if fc == nil || cs.Start.After(fc.start) {
			fc = &fleetCall{start: cs.Start}
			t.calls[cs.CallID] = fc
			b.CallStarted(now, cs.CallID)
		}
		fc.start, fc.seen = cs.Start, t.scan
		if !fc.decided && cs.State != diagnose.SetupPending {
			fc.decided = true
			b.CallSetup(now, cs.CallID, cs.State == diagnose.SetupFailed)
		}
	}
	for id, fc := range t.calls {
		if fc.seen != t.scan {
			delete(t.calls, id) // gone from the live set
		}
	}
}
