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
		return cn
	}
	if len(p.conns) >= maxConnections {
		m.mark(DQTooMany)
		return nil
	}
	cn := &connection{id: id, idx: len(p.conns), p: p, rules: make([]ruleState, len(rules)), rttLast: math.NaN(),
		pairs: map[string]pairInfo{}, locals: map[string]candidate{}}
	p.conns = append(p.conns, cn)
	return cn
}

func (cn *connection) stream(typ uint8, s *feed.Stat) (*stream, bool) {
	kind := s.MediaKind()
	for _, st := range cn.streams {
		if st.typ == typ && st.ssrc == s.SSRC && st.kind == kind && (s.SSRC != 0 || st.id == s.ID) {
			return st, true
		}
	}
	if len(cn.streams) >= maxStreams {
		return nil, false
	}
	st := &stream{typ: typ, kind: kind, ssrc: s.SSRC, id: s.ID, rttMs: math.NaN()}
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
	s := m.aggregate(cn, msg.Stats, t)
	cn.cur = s
	if cn.first == 0 {
		cn.first = t
	}
	cn.last, p.lastStats = t, t
	m.recordParticipant(p, cn, &s)
	c.dirty = true
	m.evalRules(c, p, cn, &s, t)
}

// applyPath reads candidates, pairs and the transport: the selected pair,
// its candidate types, and the ICE state the transport reports.
func (m *Monitor) applyPath(c *call, p *participant, cn *connection, stats []feed.Stat, t int64) {
	sel, fallback := "", ""
	for i := range stats {
		s := &stats[i]
		switch s.Type {
		case feed.StatLocalCandidate:
			if _, ok := cn.locals[s.ID]; ok || len(cn.locals) < maxCandidates {
				cn.locals[s.ID] = candidate{typ: Clean(s.CandidateType), relayProtocol: Clean(s.RelayProtocol), protocol: Clean(s.Protocol)}
			}
		case feed.StatCandidatePair:
			rtt, _ := gauge(s.CurrentRoundTripTime, maxGaugeSeconds)
			avail, _ := gauge(s.AvailableOutgoingBitrate, maxBytesPerSec*8)
			if s.CurrentRoundTripTime == 0 {
				rtt = math.NaN()
			}
			if s.AvailableOutgoingBitrate == 0 {
				avail = math.NaN()
			}
			pi := pairInfo{local: s.LocalCandidateID, rttMs: rtt * 1000, availOutKbps: avail / 1000,
				nominated: s.Nominated, selected: s.Selected, succeeded: s.State == "succeeded"}
			if _, ok := cn.pairs[s.ID]; ok || len(cn.pairs) < maxCandidates {
				cn.pairs[s.ID] = pi
			}
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
	switch {
	case cn.transportSelect != "":
		sel = cn.transportSelect
	case fallback != "":
		sel = fallback
	default:
		sel = cn.selPair
	}
	if sel != cn.selPair {
		if cn.selPair != "" {
			copy(cn.pairChanges[1:], cn.pairChanges[:])
			cn.pairChanges[0] = t
			c.addTimeline(TimelineEvent{Time: msTime(t), ParticipantID: p.id, Kind: "connection", Text: "network path changed"})
		}
		cn.selPair = sel
	}
	if pi, ok := cn.pairs[sel]; ok {
		if lc, ok := cn.locals[pi.local]; ok {
			cn.local = lc
		}
		if pi.succeeded || pi.selected {
			cn.everConnected = true
		}
	}
}
