package sim

import (
	"math"
	"slices"

	"github.com/calltop/calltop/feed"
)

type counter struct {
	name string
	get  func(*feed.Stat) float64
}

// cumulative are the counters that must never go backwards.
var cumulative = []counter{
	{"packetsReceived", func(s *feed.Stat) float64 { return s.PacketsReceived }},
	{"bytesReceived", func(s *feed.Stat) float64 { return s.BytesReceived }},
	{"packetsSent", func(s *feed.Stat) float64 { return s.PacketsSent }},
	{"bytesSent", func(s *feed.Stat) float64 { return s.BytesSent }},
	{"packetsLost", func(s *feed.Stat) float64 { return s.PacketsLost }},
	{"jitterBufferDelay", func(s *feed.Stat) float64 { return s.JitterBufferDelay }},
	{"jitterBufferEmittedCount", func(s *feed.Stat) float64 { return s.JitterBufferEmittedCount }},
	{"concealedSamples", func(s *feed.Stat) float64 { return s.ConcealedSamples }},
	{"silentConcealedSamples", func(s *feed.Stat) float64 { return s.SilentConcealedSamples }},
	{"totalSamplesReceived", func(s *feed.Stat) float64 { return s.TotalSamplesReceived }},
	{"framesReceived", func(s *feed.Stat) float64 { return s.FramesReceived }},
	{"framesDecoded", func(s *feed.Stat) float64 { return s.FramesDecoded }},
	{"framesDropped", func(s *feed.Stat) float64 { return s.FramesDropped }},
	{"framesSent", func(s *feed.Stat) float64 { return s.FramesSent }},
	{"freezeCount", func(s *feed.Stat) float64 { return s.FreezeCount }},
	{"totalFreezesDuration", func(s *feed.Stat) float64 { return s.TotalFreezesDuration }},
	{"nackCount", func(s *feed.Stat) float64 { return s.NackCount }},
	{"pliCount", func(s *feed.Stat) float64 { return s.PliCount }},
	{"totalAudioEnergy", func(s *feed.Stat) float64 { return s.TotalAudioEnergy }},
	{"totalSamplesDuration", func(s *feed.Stat) float64 { return s.TotalSamplesDuration }},
}

// stats checks one report against the previous one of each object and
// samples the participant's problem signals.
func (c *checker) stats(p *seenPart, m *feed.Message) {
	if p.firstReport == 0 {
		p.firstReport = m.TS
	}
	p.lastReport = m.TS
	cur := map[string]*feed.Stat{}
	prev := map[string]*feed.Stat{}
	for i := range m.Stats {
		s := &m.Stats[i]
		key := m.CallID + "/" + m.ParticipantID + "/" + m.ConnectionID + "/" + s.ID
		if cur[s.ID] != nil {
			c.fail("%s: stat %s twice in one report", p, s.ID)
		}
		if old, ok := c.last[key]; ok {
			prev[s.ID] = &old
			c.monotonic(p, &old, s)
		}
		c.plausible(p, s)
		cur[s.ID] = s
		c.last[key] = *s
	}
	if tr := cur["T"]; tr != nil && tr.ICEState != p.ice {
		c.fail("%s transport iceState %q but the last ICE event said %q", p, tr.ICEState, p.ice)
	}
	c.crossCheck(p, cur)
	c.signals(p, cur, prev, m.TS)
}

func (c *checker) monotonic(p *seenPart, old, s *feed.Stat) {
	if s.Timestamp <= old.Timestamp {
		c.fail("%s %s: timestamp %v not after %v", p, s.ID, s.Timestamp, old.Timestamp)
	}
	if s.Type != old.Type || s.SSRC != old.SSRC || s.Kind != old.Kind {
		c.fail("%s %s changed identity: %s/%d/%s to %s/%d/%s", p, s.ID, old.Type, old.SSRC, old.Kind, s.Type, s.SSRC, s.Kind)
	}
	for _, k := range cumulative {
		if k.get(s) < k.get(old) {
			c.fail("%s %s.%s went back from %v to %v", p, s.ID, k.name, k.get(old), k.get(s))
		}
	}
	for reason, v := range old.QualityLimitationDurations {
		if s.QualityLimitationDurations[reason] < v {
			c.fail("%s %s qualityLimitationDurations.%s went back", p, s.ID, reason)
		}
	}
	if s.Type == feed.StatCandidatePair && (s.BytesSent < old.BytesSent || s.BytesReceived < old.BytesReceived) {
		c.fail("%s candidate pair bytes went back", p)
	}
}

// plausible checks one object on its own.
func (c *checker) plausible(p *seenPart, s *feed.Stat) {
	perPacket := func(bytes, packets float64, lo, hi float64) {
		if packets > 0 && (bytes/packets < lo || bytes/packets > hi) {
			c.fail("%s %s: %v bytes in %v packets", p, s.ID, bytes, packets)
		}
	}
	audio := s.Kind == "audio"
	lo, hi := 300.0, 1300.0
	if audio {
		lo, hi = 5, 200
	}
	switch s.Type {
	case feed.StatInboundRTP:
		perPacket(s.BytesReceived, s.PacketsReceived, lo, hi)
		if s.FramesDecoded > s.FramesReceived || s.SilentConcealedSamples > s.ConcealedSamples ||
			s.ConcealedSamples > s.TotalSamplesReceived || s.Jitter < 0 || s.Jitter >= 1 {
			c.fail("%s %s incoherent: %+v", p, s.ID, *s)
		}
	case feed.StatOutboundRTP:
		perPacket(s.BytesSent, s.PacketsSent, lo, hi)
		if !audio && !slices.Contains([]string{"none", "cpu", "bandwidth", "other"}, s.QualityLimitationReason) {
			c.fail("%s %s qualityLimitationReason %q", p, s.ID, s.QualityLimitationReason)
		}
	case feed.StatRemoteInboundRTP:
		if s.FractionLost < 0 || s.FractionLost > 1 || s.RoundTripTime <= 0 || s.RoundTripTime > 2 || s.Jitter < 0 || s.Jitter >= 1 {
			c.fail("%s %s out of range: %+v", p, s.ID, *s)
		}
	case feed.StatCandidatePair:
		if s.State == "succeeded" && (s.CurrentRoundTripTime <= 0 || s.CurrentRoundTripTime > 2 || s.AvailableOutgoingBitrate <= 0) {
			c.fail("%s selected pair out of range: %+v", p, *s)
		}
	case feed.StatMediaSource:
		if s.AudioLevel < 0 || s.AudioLevel > 1 {
			c.fail("%s audioLevel %v", p, s.AudioLevel)
		}
	}
}

// crossCheck compares objects of one report with each other.
func (c *checker) crossCheck(p *seenPart, cur map[string]*feed.Stat) {
	for _, pair := range [][2]string{{"RA", "OA"}, {"RV", "OV"}} {
		r, o := cur[pair[0]], cur[pair[1]]
		if r != nil && (o == nil || r.LocalID != o.ID || r.SSRC != o.SSRC || r.PacketsLost > o.PacketsSent) {
			c.fail("%s %s does not match its outbound stream", p, pair[0])
		}
	}
	cp := cur["CP"]
	if cp == nil || cp.State != "succeeded" {
		return
	}
	sum := func(field func(*feed.Stat) float64, ids ...string) (t float64) {
		for _, id := range ids {
			if s := cur[id]; s != nil {
				t += field(s)
			}
		}
		return t
	}
	if sent := sum(func(s *feed.Stat) float64 { return s.BytesSent }, "OA", "OV"); cp.BytesSent < sent {
		c.fail("%s pair sent %v bytes, its streams %v", p, cp.BytesSent, sent)
	}
	if recv := sum(func(s *feed.Stat) float64 { return s.BytesReceived }, "IA", "IV"); cp.BytesReceived < recv {
		c.fail("%s pair received %v bytes, its streams %v", p, cp.BytesReceived, recv)
	}
}

// signals samples each problem check for one interval.
func (c *checker) signals(p *seenPart, cur, prev map[string]*feed.Stat, ts float64) {
	if lc := cur["LC"]; lc != nil && lc.CandidateType == "relay" && lc.RelayProtocol == "tcp" {
		p.raise("relay-tcp", ts)
	}
	if p.ice != "connected" {
		return
	}
	delta := func(id string, get func(*feed.Stat) float64) (float64, bool) {
		a, b := prev[id], cur[id]
		if a == nil || b == nil {
			return 0, false
		}
		return get(b) - get(a), true
	}
	dt := 0.0
	if a, b := prev["CP"], cur["CP"]; a != nil && b != nil {
		dt = (b.Timestamp - a.Timestamp) / 1000
	}
	if dt <= 0 {
		return
	}
	lost := func(s *feed.Stat) float64 { return s.PacketsLost }
	recv := func(s *feed.Stat) float64 { return s.PacketsReceived }
	lossIn := 0.0
	for _, id := range []string{"IA", "IV"} {
		l, ok1 := delta(id, lost)
		r, ok2 := delta(id, recv)
		if ok1 && ok2 && l+r > 0 {
			lossIn = math.Max(lossIn, l/(l+r))
			if id == "IA" {
				p.audioLost += l
				p.audioPackets += l + r
			}
		}
	}
	p.maxLossIn = math.Max(p.maxLossIn, lossIn)
	p.sample("loss-in", lossIn > 0.02, ts)

	lossOut, rtt := 0.0, 0.0
	for _, id := range []string{"RA", "RV"} {
		if s := cur[id]; s != nil {
			lossOut = math.Max(lossOut, s.FractionLost)
			rtt = math.Max(rtt, s.RoundTripTime)
		}
	}
	if cp := cur["CP"]; cp != nil {
		rtt = math.Max(rtt, cp.CurrentRoundTripTime)
	}
	p.maxRTT = math.Max(p.maxRTT, rtt)
	p.sample("loss-out", lossOut > 0.02, ts)
	p.sample("rtt", rtt > 0.2, ts)

	if ia := cur["IA"]; ia != nil {
		p.maxJitt = math.Max(p.maxJitt, ia.Jitter)
		p.sample("jitter", ia.Jitter > 0.03, ts)
	}
	ov, cp := cur["OV"], cur["CP"]
	p.sample("bandwidth", (ov != nil && ov.QualityLimitationReason == "bandwidth") || cp.AvailableOutgoingBitrate < 150e3, ts)

	cpu := false
	if ov != nil && prev["OV"] != nil {
		cpu = (ov.QualityLimitationDurations["cpu"]-prev["OV"].QualityLimitationDurations["cpu"])/dt >= 0.3
	}
	fr, _ := delta("IV", func(s *feed.Stat) float64 { return s.FramesReceived })
	fd, _ := delta("IV", func(s *feed.Stat) float64 { return s.FramesDecoded })
	if fr >= 10 && fd/fr < 0.7 {
		cpu = true
	}
	p.sample("cpu", cpu, ts)

	sent, okSent := delta("OA", func(s *feed.Stat) float64 { return s.BytesSent })
	if r, ok := delta("IA", recv); ok {
		p.sample("no-audio-in", r == 0 && okSent && sent > 0, ts)
	}
	if e, ok := delta("MS", func(s *feed.Stat) float64 { return s.TotalAudioEnergy }); ok {
		p.sample("mic-silent", cur["MS"].AudioLevel == 0 && e == 0 && sent > 0, ts)
	}
	if f, ok := delta("IV", func(s *feed.Stat) float64 { return s.TotalFreezesDuration }); ok {
		p.sample("freeze", f/dt > 0.3, ts)
	}
}
