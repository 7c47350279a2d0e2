package diagnose

import (
	"math"

	"github.com/calltop/calltop/feed"
)

// participantFor finds or creates the participant a stats report or an
// event is routed to; nil when the call has ended or the participant left.
func (m *Monitor) participantFor(msg *feed.Message, t int64) (*call, *participant) {
	c := m.callFor(msg.CallID, t)
	if c == nil || c.end != 0 || msg.ParticipantID == "" {
		return nil, nil
	}
	p := c.participant(msg.ParticipantID)
	if p == nil {
		p = m.upsertParticipant(c, &feed.Participant{ID: msg.ParticipantID}, t)
	}
	if p == nil || p.left {
		return nil, nil
	}
	return c, p
}

func (m *Monitor) connectionFor(p *participant, id string) *connection {
	if id == "" {
		return nil
	}
	if cn := p.connection(id); cn != nil {
		if cn.rules == nil {
			cn.rules = make([]ruleState, len(rules))
		}
		return cn
	}
	if len(p.conns) >= maxConnections {
		m.mark(DQTooMany)
		return nil
	}
	cn := &connection{id: id, idx: len(p.conns), p: p, rules: make([]ruleState, len(rules)), rttLast: math.NaN(),
		lossInAvg: math.NaN(), lossOutAvg: math.NaN()}
	p.conns = append(p.conns, cn)
	return cn
}

func (cn *connection) stream(typ uint8, s *feed.Stat) (*stream, bool) {
	kind := canonicalKind(s.MediaKind())
	for _, st := range cn.streams {
		if st.typ == typ && st.ssrc == s.SSRC && st.kind == kind && (s.SSRC != 0 || st.id == s.ID) {
			return st, true
		}
	}
	if len(cn.streams) >= maxStreams {
		return nil, false
	}
	st := &stream{typ: typ, kind: kind, ssrc: s.SSRC, id: s.ID}
	if s.SSRC != 0 {
		st.id = ""
	}
	cn.streams = append(cn.streams, st)
	return st, true
}

// statTime is a stats object's own time, or the message's.
func statTime(s *feed.Stat, t int64) float64 {
	if ts := epochMs(s.Timestamp); ts != 0 {
		return s.Timestamp
	}
	return float64(t)
}

func (m *Monitor) applyStats(msg *feed.Message, t int64) {
	c, p := m.participantFor(msg, t)
	if p == nil {
		return
	}
	cn := m.connectionFor(p, msg.ConnectionID)
	if cn == nil {
		return
	}
	if t == 0 {
		for i := range msg.Stats {
			t = max(t, epochMs(msg.Stats[i].Timestamp))
		}
		if t == 0 {
			m.mark(DQMissingTimestamp)
			return
		}
	}
	switch {
	case cn.last != 0 && t < cn.last:
		m.mark(DQOutOfOrder)
		return
	case t == cn.last:
		m.mark(DQDuplicateTimestamp)
		return
	}
	m.applyPath(c, p, cn, msg.Stats, t)
	// The sample is built in place in cn.cur: a local passed on to the
	// rules (whose value and message funcs are indirect calls) would
	// escape to the heap, one allocation per stats message.
	cn.cur = m.aggregate(cn, msg.Stats, t)
	s := &cn.cur
	participantMedia(p, cn, s, t)
	if cn.first == 0 {
		cn.first = t
	}
	cn.last, p.lastStats = t, t
	m.recordParticipant(p, cn, s)
	c.markDirty()
	m.evalRules(c, p, cn, s, t)
}

// applyPath reads candidates, pairs and the transport: the selected pair,
// its candidate types, and the ICE state the transport reports.
func (m *Monitor) applyPath(c *call, p *participant, cn *connection, stats []feed.Stat, t int64) {
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
				m.setState(c, p, cn, feed.EventICEConnectionState, s.ICEState, t)
			}
		}
	}
	m.selectPath(c, p, cn, fallback, t)
}

// selectPath follows the selected candidate pair: the transport's
// selectedCandidatePairId, else a selected (Firefox) or nominated and
// succeeded pair of this report, else the previous one. A change is a
// path change (for path-flapping).
func (m *Monitor) selectPath(c *call, p *participant, cn *connection, fallback string, t int64) {
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
		if lc, ok := findByID(cn.locals, pi.local); ok {
			cn.local = lc
		}
		if pi.succeeded || pi.selected {
			cn.everConnected = true
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

// canonicalKind returns "audio" and "video" as constants, so a stream does
// not keep the decoded message's string alive.
func canonicalKind(k string) string {
	switch k {
	case "audio":
		return "audio"
	case "video":
		return "video"
	}
	return Clean(k)
}

// otherConnFlowWindow is how recently another connection of the
// participant must have carried audio for this one's silence to be
// deliberate: longer than the slowest stats interval seen in real dumps
// (6 s), shorter than Jitsi's 15 s wedge detector.
const otherConnFlowWindow = 10000 // ms

// participantMedia judges no-media at the participant level: a connection
// with no audio is fine while another open connection of the same
// participant carries audio in that direction (Jitsi moves media between
// its bridge and peer-to-peer connections and idles the other on purpose).
func participantMedia(p *participant, cn *connection, s *connSample, t int64) {
	if s.noMediaIn == 0 {
		cn.audioInAt = t
	}
	if s.noMediaOut == 0 {
		cn.audioOutAt = t
	}
	for _, o := range p.conns {
		if o == cn || o.rules == nil { // the same, or closed
			continue
		}
		if s.noMediaIn == 1 && o.audioInAt != 0 && t-o.audioInAt <= otherConnFlowWindow {
			s.noMediaIn = 0
		}
		if s.noMediaOut == 1 && o.audioOutAt != 0 && t-o.audioOutAt <= otherConnFlowWindow {
			s.noMediaOut = 0
		}
	}
}
