package dump

import (
	"testing"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/recording"
)

// connSummary is what a user reads off a replayed connection: the numbers
// rtcstats-server's feature extractor computes, recomputed here from the
// calltop.v1 records alone (so the test checks what a consumer sees).
type connSummary struct {
	Failed          bool
	Relay           bool
	LocalCandidate  string
	PacketsReceived float64
	PacketsLostIn   float64
	PacketsSent     float64
	PacketsLostOut  float64
	MeanRTT         float64 // seconds; 0 with RTTSamples 0
	RTTSamples      int
	States          []string // every connection event, "kind=state"
	inbound         map[int64]feed.Stat
	outbound        map[int64]feed.Stat
	remoteIn        map[int64]feed.Stat
	objs            map[string]feed.Stat
	rttSum          float64
}

// replay decodes every record with feed.Decode (failing the test on any
// invalid frame or time going backwards) and summarises each connection.
func replay(t *testing.T, recs []recording.Record) (map[string]*connSummary, []feed.Message) {
	t.Helper()
	conns := map[string]*connSummary{}
	var msgs []feed.Message
	for i, r := range recs {
		var m feed.Message
		if err := feed.Decode(r.Msg, &m); err != nil {
			t.Fatalf("record %d does not decode as calltop.v1: %v\n%s", i, err, r.Msg)
		}
		if i > 0 && r.Recv.Before(recs[i-1].Recv) {
			t.Fatalf("record %d goes back in time: %v after %v", i, r.Recv, recs[i-1].Recv)
		}
		if got := msTime(m.TS); m.TS != 0 && !got.Equal(r.Recv) {
			t.Fatalf("record %d: recv %v is not the message time %v", i, r.Recv, got)
		}
		msgs = append(msgs, m)
		if m.ConnectionID == "" {
			continue
		}
		c := conns[m.ConnectionID]
		if c == nil {
			c = &connSummary{inbound: map[int64]feed.Stat{}, outbound: map[int64]feed.Stat{},
				remoteIn: map[int64]feed.Stat{}, objs: map[string]feed.Stat{}}
			conns[m.ConnectionID] = c
		}
		switch m.Type {
		case feed.TypeConnectionEvent:
			c.States = append(c.States, m.Event.Kind+"="+m.Event.State)
			if m.Event.State == "failed" && (m.Event.Kind == feed.EventICEConnectionState || m.Event.Kind == feed.EventConnectionState) {
				c.Failed = true
			}
		case feed.TypeStats:
			c.sample(m.Stats)
		}
	}
	for _, c := range conns {
		c.finish()
	}
	if len(msgs) < 2 || msgs[0].Type != feed.TypeCallStart || msgs[1].Type != feed.TypeParticipantJoin {
		t.Fatalf("a dump must start with call.start, participant.join")
	}
	if msgs[len(msgs)-1].Type != feed.TypeCallEnd || msgs[len(msgs)-2].Type != feed.TypeParticipantLeave {
		t.Fatalf("a dump must end with participant.leave, call.end")
	}
	return conns, msgs
}

func (c *connSummary) sample(stats []feed.Stat) {
	for _, s := range stats {
		c.objs[s.ID] = s
		switch s.Type {
		case feed.StatInboundRTP:
			c.inbound[s.SSRC] = s
		case feed.StatOutboundRTP:
			c.outbound[s.SSRC] = s
		case feed.StatRemoteInboundRTP:
			c.remoteIn[s.SSRC] = s
		}
	}
	// RTT of this sample: the selected pair's current RTT, else the mean of
	// the remote-inbound reports in the sample.
	if p, ok := c.selectedPair(); ok && p.CurrentRoundTripTime > 0 && inSample(stats, p.ID) {
		c.rttSum += p.CurrentRoundTripTime
		c.RTTSamples++
		return
	}
	if _, ok := c.selectedPair(); ok && c.hasPairRTT() {
		return
	}
	var sum float64
	n := 0
	for _, s := range stats {
		if s.Type == feed.StatRemoteInboundRTP && s.RoundTripTime > 0 {
			sum += s.RoundTripTime
			n++
		}
	}
	if n > 0 {
		c.rttSum += sum / float64(n)
		c.RTTSamples++
	}
}

func inSample(stats []feed.Stat, id string) bool {
	for _, s := range stats {
		if s.ID == id {
			return true
		}
	}
	return false
}

// hasPairRTT reports whether this connection's pairs report RTT at all
// (Firefox's do not).
func (c *connSummary) hasPairRTT() bool {
	for _, s := range c.objs {
		if s.Type == feed.StatCandidatePair && s.CurrentRoundTripTime > 0 {
			return true
		}
	}
	return false
}

// selectedPair finds the pair in use: the transport's selected pair, else
// a pair flagged selected (Firefox), else a nominated succeeded one.
func (c *connSummary) selectedPair() (feed.Stat, bool) {
	for _, s := range c.objs {
		if s.Type == feed.StatTransport && s.SelectedCandidatePairID != "" {
			if p, ok := c.objs[s.SelectedCandidatePairID]; ok {
				return p, true
			}
		}
	}
	var best feed.Stat
	found := false
	for _, s := range c.objs {
		if s.Type != feed.StatCandidatePair {
			continue
		}
		if s.Selected {
			return s, true
		}
		if s.Nominated && s.State == "succeeded" && (!found || s.ID < best.ID) {
			best, found = s, true
		}
	}
	return best, found
}

func (c *connSummary) finish() {
	for _, s := range c.inbound {
		c.PacketsReceived += s.PacketsReceived
		c.PacketsLostIn += s.PacketsLost
	}
	for _, s := range c.outbound {
		c.PacketsSent += s.PacketsSent
	}
	for _, s := range c.remoteIn {
		c.PacketsLostOut += s.PacketsLost
	}
	if c.RTTSamples > 0 {
		c.MeanRTT = c.rttSum / float64(c.RTTSamples)
	}
	if p, ok := c.selectedPair(); ok {
		if lc, ok := c.objs[p.LocalCandidateID]; ok {
			c.LocalCandidate = lc.CandidateType
			c.Relay = lc.CandidateType == "relay"
		}
	}
}
