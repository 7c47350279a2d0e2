package diagnose

import (
	"math"

	"github.com/calltop/calltop/feed"
)

// metrics is the step that turns a connection's stats report into
// numbers: each RTP stream's counters are checked (stream.go, trust.go)
// and combined into one connection sample (aggregate.go), which goes into
// the participant's history and MOS. The rules then judge cn.cur.
type metrics struct {
	dq dataQuality
}

// sampleTime returns the report's data time (the message's, else the
// newest stats object's) and whether the report is news for cn: an older
// or same-time report is marked and skipped.
func (mt metrics) sampleTime(cn *connection, stats []feed.Stat, t int64) (int64, bool) {
	if t == 0 {
		for i := range stats {
			t = max(t, epochMs(stats[i].Timestamp))
		}
		if t == 0 {
			mt.dq.mark(DQMissingTimestamp)
			return 0, false
		}
	}
	switch {
	case cn.last != 0 && t < cn.last:
		mt.dq.mark(DQOutOfOrder)
		return 0, false
	case t == cn.last:
		mt.dq.mark(DQDuplicateTimestamp)
		return 0, false
	}
	return t, true
}

// apply makes cn.cur, the connection's sample at t, from the report's
// stream objects, and records it for the participant.
func (mt metrics) apply(p *participant, cn *connection, stats []feed.Stat, t int64) {
	// The sample is built in place in cn.cur: a local passed on to the
	// rules (whose value and message funcs are indirect calls) would
	// escape to the heap, one allocation per stats message.
	cn.cur = mt.aggregate(cn, stats, t)
	s := &cn.cur
	participantMedia(p, cn, s, t)
	if cn.first == 0 {
		cn.first = t
	}
	cn.last, p.lastStats = t, t
	recordParticipant(p, cn, s)
}

// recordParticipant adds the sample to the participant's history and MOS.
func recordParticipant(p *participant, cn *connection, s *connSample) {
	cn.lossInAvg = smoothLoss(cn.lossInAvg, s.lossIn)
	cn.lossOutAvg = smoothLoss(cn.lossOutAvg, s.lossOut)
	p.hist.add(s.t, int(cn.idx), [nSeries]float64{s.bitrateIn, s.bitrateOut, s.lossIn, s.lossOut, s.rttMs},
		[nExtra]float64{s.jitterIn, s.fps, s.frameHeight})
	if !math.IsNaN(s.mos) {
		p.mosLast = s.mos
		p.mosSum += s.mos
		p.mosN++
		p.mosMin = minNaN(p.mosMin, s.mos)
	}
}

// stream finds or creates the stream a stats object belongs to (false
// beyond maxStreams).
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
