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

// report advances p's counters by dt seconds and emits its stats report.
// Candidates and the transport are sent only when they changed.
func (s *Sim) report(c *call, p *participant, dt float64) {
	cond := s.baseline(p)
	if p.problem && s.nowMS >= p.problemMS {
		c.sc.apply(s, p, &cond)
	}
	s.advance(p, &cond, dt)
	ts := float64(s.nowMS)
	st := s.scratch[:0]
	m := &p.m
	if p.ice == iceConnected || p.ice == iceDisconnected {
		st = appendRTP(st, p, ts)
	}
	pair := feed.Stat{ID: idPair, Type: feed.StatCandidatePair, Timestamp: ts,
		LocalCandidateID: idLocalCand, RemoteCandidateID: idRemoteCand}
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
	st = append(st, pair)
	if p.sendPath {
		p.sendPath = false
		st = appendPath(st, p, ts)
	}
	st = append(st, feed.Stat{ID: idSource, Type: feed.StatMediaSource, Timestamp: ts, Kind: "audio",
		AudioLevel: round(m.level, 4), TotalAudioEnergy: round(m.energy, 5), TotalSamplesDuration: round(m.samplesSec, 2)})
	s.scratch = st
	s.emit(&feed.Message{Type: feed.TypeStats, CallID: c.id, ParticipantID: p.id, ConnectionID: p.connID, Stats: st})
}

// appendRTP adds the inbound, outbound and remote-inbound streams.
func appendRTP(st []feed.Stat, p *participant, ts float64) []feed.Stat {
	m := &p.m
	ia := &m.ia
	st = append(st, feed.Stat{ID: idInAudio, Type: feed.StatInboundRTP, Timestamp: ts, SSRC: ia.ssrc, Kind: "audio",
		PacketsReceived: ia.packets, BytesReceived: ia.bytes, PacketsLost: ia.lost, Jitter: round(ia.jitter, 4),
		JitterBufferDelay: round(ia.jbDelay, 1), JitterBufferEmittedCount: ia.jbEmitted,
		ConcealedSamples: ia.concealed, SilentConcealedSamples: ia.silentConcealed, TotalSamplesReceived: ia.samples})
	if p.inVideo {
		iv := &m.iv
		st = append(st, feed.Stat{ID: idInVideo, Type: feed.StatInboundRTP, Timestamp: ts, SSRC: iv.ssrc, Kind: "video",
			PacketsReceived: iv.packets, BytesReceived: iv.bytes, PacketsLost: iv.lost, Jitter: round(iv.jitter, 4),
			JitterBufferDelay: round(iv.jbDelay, 1), JitterBufferEmittedCount: iv.jbEmitted,
			FramesReceived: iv.framesRecv, FramesDecoded: iv.framesDecoded, FramesDropped: iv.framesDropped,
			FramesPerSecond: iv.fps, FreezeCount: iv.freezes, TotalFreezesDuration: round(iv.freezeSec, 3),
			NackCount: iv.nacks, PliCount: iv.plis})
	}
	oa := &m.oa
	st = append(st, feed.Stat{ID: idOutAudio, Type: feed.StatOutboundRTP, Timestamp: ts, SSRC: oa.ssrc, Kind: "audio",
		PacketsSent: oa.packets, BytesSent: oa.bytes, TargetBitrate: oa.target})
	if p.sendsVideo {
		ov := &m.ov
		st = append(st, feed.Stat{ID: idOutVideo, Type: feed.StatOutboundRTP, Timestamp: ts, SSRC: ov.ssrc, Kind: "video",
			PacketsSent: ov.packets, BytesSent: ov.bytes, TargetBitrate: ov.target, FramesSent: ov.frames,
			FramesPerSecond: ov.fps, QualityLimitationReason: ov.reason, QualityLimitationDurations: ov.limited})
	}
	st = append(st, remoteInbound(idRemAudio, idOutAudio, "audio", oa, ts))
	if p.sendsVideo {
		st = append(st, remoteInbound(idRemVideo, idOutVideo, "video", &m.ov, ts))
	}
	return st
}

func remoteInbound(id, local, kind string, o *outbound, ts float64) feed.Stat {
	return feed.Stat{ID: id, Type: feed.StatRemoteInboundRTP, Timestamp: ts, SSRC: o.ssrc, Kind: kind, LocalID: local,
		PacketsLost: o.lost, FractionLost: round(o.fractionLost, 4), Jitter: round(o.jitter, 4), RoundTripTime: round(o.rtt, 3)}
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
	st = append(st, feed.Stat{ID: idTransport, Type: feed.StatTransport, Timestamp: ts,
		SelectedCandidatePairID: idPair, ICEState: p.ice, DTLSState: dtls})
	st = append(st, feed.Stat{ID: idLocalCand, Type: feed.StatLocalCandidate, Timestamp: ts,
		CandidateType: p.localType, Protocol: p.protocol, RelayProtocol: p.relayProto,
		Address: p.localAddr, NetworkType: p.network})
	return append(st, feed.Stat{ID: idRemoteCand, Type: feed.StatRemoteCandidate, Timestamp: ts,
		CandidateType: "host", Protocol: "udp", Address: p.remoteAddr, Port: 3478})
}

// round rounds x to d decimals (keeps the JSON short; monotonic counters
// stay monotonic).
func round(x float64, d int) float64 {
	p := pow10[d]
	return math.Round(x*p) / p
}

var pow10 = [...]float64{1, 10, 100, 1e3, 1e4, 1e5, 1e6}
