package diagnose

import (
	"math"
	"strings"

	"github.com/calltop/calltop/feed"
)

// The call model's view of a connection's network: its candidates and
// candidate pairs, the selected path, and the ICE and peer-connection
// states (from transport stats and connection events).

// applyPath reads candidates, pairs and the transport: the selected pair,
// its candidate types, and the ICE state the transport reports.
func (cs *callSet) applyPath(c *call, p *participant, cn *connection, stats []feed.Stat, t int64) {
	fallback := ""
	for i := range stats {
		s := &stats[i]
		switch s.Type {
		case feed.StatLocalCandidate:
			cn.locals = putByID(cn.locals, candidate{id: s.ID, typ: Clean(s.CandidateType), relayProtocol: Clean(s.RelayProtocol), protocol: Clean(s.Protocol)})
		case feed.StatCandidatePair:
			rtt, _ := gauge(s.CurrentRoundTripTime, maxGaugeSeconds)
			avail, _ := gauge(s.AvailableOutgoingBitrate, maxBytesPerSec*8)
			if s.CurrentRoundTripTime == 0 {
				rtt = math.NaN()
			}
			if s.AvailableOutgoingBitrate == 0 {
				avail = math.NaN()
			}
			pi := pairInfo{id: s.ID, local: s.LocalCandidateID, rttMs: rtt * 1000, availOutKbps: avail / 1000,
				nominated: s.Nominated, selected: s.Selected, succeeded: s.State == "succeeded"}
			cn.pairs = putByID(cn.pairs, pi)
			if fallback == "" && (s.Selected || (s.Nominated && pi.succeeded)) {
				fallback = s.ID
			}
		case feed.StatTransport:
			if s.SelectedCandidatePairID != "" {
				cn.transportSelect = s.SelectedCandidatePairID
			}
			if s.ICEState != "" {
				cs.setState(c, p, cn, feed.EventICEConnectionState, s.ICEState, t)
			}
			cn.setup.dtlsFail = cn.setup.dtlsFail || s.DTLSState == failedState
		}
	}
	cs.selectPath(c, p, cn, fallback, t)
}

// selectPath follows the selected candidate pair: the transport's
// selectedCandidatePairId, else a selected (Firefox) or nominated and
// succeeded pair of this report, else the previous one. A change is a
// path change (for path-flapping).
func (cs *callSet) selectPath(c *call, p *participant, cn *connection, fallback string, t int64) {
	sel := cn.selPair
	switch {
	case cn.transportSelect != "":
		sel = cn.transportSelect
	case fallback != "":
		sel = fallback
	}
	if sel != cn.selPair {
		if cn.selPair != "" {
			copy(cn.pairChanges[1:], cn.pairChanges[:])
			cn.pairChanges[0] = t
			c.addTimeline(TimelineEvent{Time: msTime(t), ParticipantID: p.id, Kind: "connection", Text: "network path changed"})
		}
		cn.selPair = sel
	}
	if pi, ok := findByID(cn.pairs, sel); ok {
		if lc, ok := findByID(cn.locals, pi.local); ok && lc != cn.local {
			cn.local, p.groups = lc, nil // the fleet groups' ICE path may change
		}
		if (pi.succeeded || pi.selected) && !cn.everConnected {
			cn.everConnected, p.groups = true, nil
		}
	}
}

// Candidate pairs and local candidates are kept in small slices (a
// connection rarely has more than a handful), bounded by maxCandidates.

// byID is an entry of such a slice, named by its stats id.
type byID interface{ statsID() string }

func (pi pairInfo) statsID() string { return pi.id }
func (c candidate) statsID() string { return c.id }

// findByID returns the entry named id.
func findByID[T byID](list []T, id string) (T, bool) {
	for _, e := range list {
		if e.statsID() == id {
			return e, true
		}
	}
	var zero T
	return zero, false
}

// putByID replaces the entry with e's id, or appends e while the slice
// holds fewer than maxCandidates.
func putByID[T byID](list []T, e T) []T {
	for i := range list {
		if list[i].statsID() == e.statsID() {
			list[i] = e
			return list
		}
	}
	if len(list) < maxCandidates {
		list = append(list, e)
	}
	return list
}

// setState records an ICE or peer-connection state.
func (cs *callSet) setState(c *call, p *participant, cn *connection, kind, state string, t int64) {
	state = strings.ToLower(Clean(state))
	var dst *string
	var label, tlKind string
	switch kind {
	case feed.EventICEConnectionState:
		dst, label, tlKind = &cn.ice, "ICE connection", "ice"
	case feed.EventConnectionState:
		dst, label, tlKind = &cn.state, "Connection", "connection"
	case feed.EventICEGatheringState:
		cn.setup.note(kind, state, t, cn.everConnected)
		return
	default:
		return
	}
	if *dst == state || state == "" {
		return
	}
	cn.setup.note(kind, state, t, cn.everConnected)
	*dst = state
	sev := Info
	switch state {
	case connectedICE, completedICE:
		if !cn.everConnected {
			p.groups = nil // the fleet groups' ICE path may change
		}
		cn.everConnected = true
	case disconnectedState:
		sev = Warning
	case failedState:
		cn.failed, sev = true, Critical
	}
	c.addTimeline(TimelineEvent{Time: msTime(t), ParticipantID: p.id, Kind: tlKind, Text: stateText(label, state), Severity: sev})
	if state == closedState {
		cs.findings.closeConnection(c, cn, t)
	}
}

// negotiationFailed notes a failed negotiation step of cn (op is the call
// that failed, text the browser's message) for the report and on the
// call's timeline.
func (cs *callSet) negotiationFailed(c *call, p *participant, cn *connection, op, text string, t int64) {
	op, text = Clean(op), Clean(text)
	if op == "" {
		op = "negotiation"
	}
	su := &cn.setup
	su.negotiation++
	if len(su.negErrors) < maxNegotiationErrors {
		su.negErrors = append(su.negErrors, ReportNegotiationError{At: ReportTime{msTime(t)}, Operation: op, Error: text})
	}
	line := op + " failed"
	if text != "" {
		line += ": " + text
	}
	c.addTimeline(TimelineEvent{Time: msTime(t), ParticipantID: p.id, Kind: "negotiation", Text: line, Severity: Warning})
}

// note follows the states for the report's set-up figures: the first
// state change, the first connection, ICE gathering, reconnections
// (disconnected, then connected again) and ICE restarts (checking again
// after having connected).
func (su *connSetup) note(kind, state string, t int64, wasConnected bool) {
	if su.firstEvent == 0 && t > 0 {
		su.firstEvent = t
	}
	switch kind {
	case feed.EventICEGatheringState:
		switch state {
		case "gathering":
			if su.gatherStart == 0 {
				su.gatherStart = t
			}
		case "complete":
			if su.gatherDone == 0 && su.gatherStart != 0 {
				su.gatherDone = t
			}
		}
		return
	case feed.EventICEConnectionState, feed.EventConnectionState:
	default:
		return
	}
	switch state {
	case connectedICE, completedICE:
		if su.connected == 0 {
			su.connected = t
		}
		if su.wasDisconnected {
			su.reconnects++
			su.wasDisconnected = false
		}
	case disconnectedState:
		su.wasDisconnected = true
	case checkingICE:
		if kind == feed.EventICEConnectionState && wasConnected && !su.wasDisconnected {
			su.iceRestarts++
		}
	}
}

// stateTexts holds the timeline texts of common states, so recording a
// state change does not allocate.
var stateTexts = func() map[[2]string]string {
	m := map[[2]string]string{}
	for _, label := range []string{"ICE connection", "Connection"} {
		for _, st := range []string{"new", "checking", "connecting", "connected", "completed", "disconnected", "failed", "closed"} {
			m[[2]string{label, st}] = label + " " + st
		}
	}
	return m
}()

func stateText(label, state string) string {
	if s, ok := stateTexts[[2]string{label, state}]; ok {
		return s
	}
	return label + " " + state
}
