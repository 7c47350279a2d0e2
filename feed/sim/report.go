package sim

import (
	"math"

	"github.com/calltop/calltop/feed"
)

// Stats object ids: short, fixed per connection.
const (
	idInAudio    = "IA"
	idInVideo    = "IV"
	idOutAudio   = "OA"
	idOutVideo   = "OV"
	idRemAudio   = "RA"
	idRemVideo   = "RV"
	idPair       = "CP"
	idTransport  = "T"
	idLocalCand  = "LC"
	idRemoteCand = "RC"
	idSource     = "MS"
)

// maxStats is the most objects one report holds.
const maxStats = 11

// audioRTCPInterval is how often the far end's receiver report on our
// audio arrives (libwebrtc sends audio RTCP about every 5 s, video every
// second), so remote-inbound-rtp for audio is only sent that often.
const audioRTCPInterval = 5000 // ms

// pathRefresh is how often the transport and candidates are sent again
// although unchanged.
const pathRefresh = 15000 // ms

// report advances p's counters by dt seconds and emits its stats report.
// Candidates and the transport are sent only when they changed and every
// pathRefresh; the remote-inbound streams only when a receiver report arrived.
func (s *Sim) report(c *call, p *participant, dt float64) {
	cond := &s.cond // not a local: the scenario's apply would move it to the heap
	*cond = s.baseline(p)
	if p.problem && s.nowMS >= p.problemMS {
		c.sc.apply(s, p, cond)
	}
	s.applyFleet(p, cond)
	s.advance(p, cond, dt)
	if (s.nowMS-p.joinMS)%pathRefresh < s.stepMS {
		p.sendPath = true // so a consumer that joined the feed late learns the path
	}
	ts := float64(s.nowMS)
	if s.cfg.ElideStatTimestamps {
		ts = 0 // feed.Decode gives each object the message's ts back
	}
	st := s.statBuf()
	m := &p.m
	if p.ice == iceConnected || p.ice == iceDisconnected {
		st = appendRTP(st, p, ts)
		if p.ice == iceConnected {
			audioRR := p.sendPath || (s.nowMS-p.joinMS)%audioRTCPInterval < s.stepMS
			st = appendRemote(st, p, ts, audioRR)
		}
	}
	var pair *feed.Stat
	st, pair = add(st, idPair, feed.StatCandidatePair, ts)
	pair.LocalCandidateID, pair.RemoteCandidateID = idLocalCand, idRemoteCand
	switch p.ice {
	case iceChecking:
		pair.State = "in-progress"
	case iceFailed:
		pair.State = "failed"
	default:
		pair.State, pair.Nominated = "succeeded", true
		pair.CurrentRoundTripTime = round(m.cpRTT, 3)
		pair.AvailableOutgoingBitrate = math.Round(m.avail)
		pair.BytesSent, pair.BytesReceived = m.cpSent, m.cpRecv
	}
	if p.sendPath {
		p.sendPath = false
		st = appendPath(st, p, ts)
	}
	var src *feed.Stat
	st, src = add(st, idSource, feed.StatMediaSource, ts)
	src.Kind = "audio"
	src.AudioLevel, src.TotalAudioEnergy, src.TotalSamplesDuration = round(m.level, 4), round(m.energy, 4), round(m.samplesSec, 2)
	s.emitStats(feed.Message{Type: feed.TypeStats, CallID: c.id, ParticipantID: p.id, ConnectionID: p.connID}, st)
}

// add appends a cleared object to st and returns it for filling in.
func add(st []feed.Stat, id, typ string, ts float64) ([]feed.Stat, *feed.Stat) {
	st = st[:len(st)+1]
	x := &st[len(st)-1]
	*x = feed.Stat{}
	x.ID, x.Type, x.Timestamp = id, typ, ts
	return st, x
}

// appendRTP adds the inbound and outbound streams.
func appendRTP(st []feed.Stat, p *participant, ts float64) []feed.Stat {
	m := &p.m
	var x *feed.Stat
	ia := &m.ia
	st, x = add(st, idInAudio, feed.StatInboundRTP, ts)
	x.SSRC, x.Kind = ia.ssrc, "audio"
	x.PacketsReceived, x.BytesReceived, x.PacketsLost, x.Jitter = ia.packets, ia.bytes, ia.lost, round(ia.jitter, 4)
	x.JitterBufferDelay, x.JitterBufferEmittedCount = math.Round(ia.jbDelay), ia.jbEmitted
	x.ConcealedSamples, x.SilentConcealedSamples, x.TotalSamplesReceived = ia.concealed, ia.silentConcealed, ia.samples
	if p.inVideo {
		iv := &m.iv
		st, x = add(st, idInVideo, feed.StatInboundRTP, ts)
		x.SSRC, x.Kind = iv.ssrc, "video"
		x.PacketsReceived, x.BytesReceived, x.PacketsLost, x.Jitter = iv.packets, iv.bytes, iv.lost, round(iv.jitter, 4)
		x.FramesReceived, x.FramesDecoded, x.FramesPerSecond = iv.framesRecv, iv.framesDecoded, iv.fps
		x.FreezeCount, x.TotalFreezesDuration = iv.freezes, round(iv.freezeSec, 3)
		x.NackCount, x.PliCount = iv.nacks, iv.plis
	}
	oa := &m.oa
	st, x = add(st, idOutAudio, feed.StatOutboundRTP, ts)
	x.SSRC, x.Kind = oa.ssrc, "audio"
	x.PacketsSent, x.BytesSent, x.TargetBitrate = oa.packets, oa.bytes, oa.target
	if p.sendsVideo {
		ov := &m.ov
		st, x = add(st, idOutVideo, feed.StatOutboundRTP, ts)
		x.SSRC, x.Kind = ov.ssrc, "video"
		x.PacketsSent, x.BytesSent, x.TargetBitrate = ov.packets, ov.bytes, ov.target
		x.FramesSent, x.FramesPerSecond = ov.frames, ov.fps
		x.QualityLimitationReason, x.QualityLimitationDurations = ov.reason, ov.limited
	}
	return st
}

// appendRemote adds the far end's receiver reports on what p sends: video
// every interval, audio when its (slower) report is due.
func appendRemote(st []feed.Stat, p *participant, ts float64, audio bool) []feed.Stat {
	if audio {
		st = appendRR(st, idRemAudio, idOutAudio, "audio", &p.m.oa, ts)
	}
	if p.sendsVideo {
		st = appendRR(st, idRemVideo, idOutVideo, "video", &p.m.ov, ts)
	}
	return st
}

// appendRR adds one remote-inbound-rtp; fractionLost covers the packets
// sent since the previous report.
func appendRR(st []feed.Stat, id, local, kind string, o *outbound, ts float64) []feed.Stat {
	var x *feed.Stat
	st, x = add(st, id, feed.StatRemoteInboundRTP, ts)
	x.SSRC, x.Kind, x.LocalID = o.ssrc, kind, local
	if sent := o.packets - o.rrPackets; sent > 0 {
		x.FractionLost = round((o.lost-o.rrLost)/sent, 4)
	}
	o.rrPackets, o.rrLost = o.packets, o.lost
	x.PacketsLost, x.Jitter, x.RoundTripTime = o.lost, round(o.jitter, 4), round(o.rtt, 3)
	return st
}

// appendPath adds the transport and the selected pair's candidates.
func appendPath(st []feed.Stat, p *participant, ts float64) []feed.Stat {
	dtls := "connected"
	switch p.ice {
	case iceChecking:
		dtls = "new"
	case iceFailed:
		dtls = "failed"
	}
	var x *feed.Stat
	st, x = add(st, idTransport, feed.StatTransport, ts)
	x.SelectedCandidatePairID, x.ICEState, x.DTLSState = idPair, p.ice, dtls
	st, x = add(st, idLocalCand, feed.StatLocalCandidate, ts)
	x.CandidateType, x.Protocol, x.RelayProtocol, x.Address, x.NetworkType = p.localType, p.protocol, p.relayProto, p.localAddr, p.network
	x.URL = p.turnURL
	st, x = add(st, idRemoteCand, feed.StatRemoteCandidate, ts)
	x.CandidateType, x.Protocol, x.Address, x.Port = "host", "udp", p.remoteAddr, 3478
	return st
}

// round rounds x to d decimals (keeps the JSON short; monotonic counters
// stay monotonic).
func round(x float64, d int) float64 {
	p := pow10[d]
	return math.Round(x*p) / p
}

var pow10 = [...]float64{1, 10, 100, 1e3, 1e4, 1e5, 1e6}
