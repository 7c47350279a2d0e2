package diagnose

// MaxEndedWaiting bounds the ended calls kept for TakeEnded between two
// calls of it; past it the oldest is dropped and counted as DQEndedLost.
const MaxEndedWaiting = 4096

// DQEndedLost counts ended calls dropped before TakeEnded took them.
const DQEndedLost = "ended-call-not-taken"

// EndedCall is a call that has left the Monitor (ended and lingered, or
// dropped by a snapshot), with what call history keeps of it.
type EndedCall struct {
	// Report is the call as `calltop report` describes it.
	Report ReportCall
	// People holds each participant's facts and graphs.
	People []EndedPerson
}

// EndedPerson is one participant of an ended call.
type EndedPerson struct {
	ID, Name, UserID, UserAgent, NetworkType, Region string
	// Series are the participant's graphs as the call screen had them:
	// bitrate in and out, loss in and out, RTT (up to the last 15 minutes,
	// one point per 20 s, then the newest samples at full rate).
	Series []Series
}

// collectEnded keeps c for TakeEnded when collecting.
func (cs *callSet) collectEnded(c *call) {
	if !cs.collecting {
		return
	}
	if len(cs.ended) >= MaxEndedWaiting {
		cs.ended = cs.ended[1:]
		cs.dq.mark(DQEndedLost)
	}
	cs.ended = append(cs.ended, c)
}

// TakeEnded returns the calls that left the live set since the last call
// (Options.CollectEnded), oldest first, and forgets them.
func (m *Monitor) TakeEnded() []EndedCall {
	if len(m.calls.ended) == 0 {
		return nil
	}
	out := make([]EndedCall, 0, len(m.calls.ended))
	for _, c := range m.calls.ended {
		ec := EndedCall{Report: m.views.reportCall(c)}
		for _, p := range c.parts {
			ser := p.hist.series()
			ec.People = append(ec.People, EndedPerson{ID: p.id, Name: p.name, UserID: p.userID, UserAgent: p.userAgent,
				NetworkType: p.networkType, Region: p.region, Series: ser[:]})
		}
		out = append(out, ec)
	}
	clear(m.calls.ended)
	m.calls.ended = m.calls.ended[:0]
	return out
}
