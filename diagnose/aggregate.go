package diagnose

import (
	"math"

	"github.com/calltop/calltop/feed"
)

// lossPool sums lost and received packets of one kind in one report.
type lossPool struct{ lost, recv float64 }

// add counts one stream's interval; one with a marked counter is left out.
func (lp *lossPool) add(lost, recv float64) {
	if !math.IsNaN(lost) && !math.IsNaN(recv) {
		lp.lost += lost
		lp.recv += recv
	}
}

func (lp lossPool) pct() float64 {
	if n := lp.lost + lp.recv; n > 0 {
		return 100 * lp.lost / n
	}
	return math.NaN()
}

// outSent is an outbound stream's packets sent in this report.
type outSent struct {
	ssrc int64
	sent float64
}

// audioInSample is what the MOS estimate needs of a received audio
// stream's sample.
type audioInSample struct{ jbMs, jitterMs, lossPct float64 }

// reportAgg gathers one report's stream samples into a connection sample.
type reportAgg struct {
	s                    connSample
	audioLoss, videoLoss lossPool
	conceal              lossPool // lost = concealed share × dt, recv = the rest
	audioIn              [4]audioInSample
	nAudioIn             int
	sent                 [8]outSent
	nSent                int
	neededKbps           float64
	videoOut             bool
	// audio streams seen in this report, and whether any carried bytes
	audioInSeen, audioInFlow   bool
	audioOutSeen, audioOutFlow bool
}

// minActiveAudioPPS is the packet rate (received plus lost) below which an
// audio stream is not carrying speech in an interval: the sender is in DTX
// (a comfort-noise packet every 400 ms), muted or stopping. Its concealed
// samples and jitter-buffer delay then describe silence, not damage. 25 is
// half of Opus's 50 packets/s at 20 ms (a 40 ms ptime stream at full rate).
const minActiveAudioPPS = 25

// aggregate applies one report's RTP and media-source objects to their
// streams and combines the trusted samples into one connection sample.
func (mt metrics) aggregate(cn *connection, stats []feed.Stat, t int64) connSample {
	a := reportAgg{s: newConnSample(t), neededKbps: math.NaN()}
	var smp streamSample
	cn.reports++
	for pass := 0; pass < 2; pass++ { // remote-inbound needs the outbound samples first
		for i := range stats {
			st := &stats[i]
			typ := statType(st.Type)
			if typ == 0 || (typ == stRemoteInbound) != (pass == 1) {
				continue
			}
			strm, ok := cn.stream(typ, st)
			if !ok {
				mt.dq.mark(DQTooMany)
				continue
			}
			if strm.seen == cn.reports {
				mt.dq.mark(strm.again(st, statTime(st, t)))
				continue
			}
			strm.seen = cn.reports
			fresh, reason := strm.update(st, statTime(st, t), &smp)
			mt.dq.mark(reason)
			switch {
			case typ == stInbound && fresh:
				a.inbound(strm, &smp)
				if smp.dFreezes > 0 && smp.dBytes > 0 {
					recordFreeze(cn, strm, t, smp.dFreezes, smp.dFrozenSecs)
				}
			case typ == stOutbound && fresh:
				a.outbound(strm, st, &smp)
			case typ == stRemoteInbound:
				a.s.rttMs = maxNaN(a.s.rttMs, smp.rttMs)
				if fresh {
					a.s.lossOut = maxNaN(a.s.lossOut, remoteLoss(&smp, strm.ssrc, a.sent[:a.nSent]))
				}
			case typ == stMediaSource && strm.kind == "audio":
				a.s.micLevel = maxNaN(a.s.micLevel, smp.level)
			}
		}
	}
	return a.finish(cn)
}

func (a *reportAgg) inbound(strm *stream, smp *streamSample) {
	s := &a.s
	s.bitrateIn = addNaN(s.bitrateIn, smp.kbps)
	if strm.kind != "audio" {
		a.videoLoss.add(smp.dLost, smp.dPackets)
		if smp.dBytes > 0 {
			s.freezePct = maxNaN(s.freezePct, smp.freezePct)
			if strm.value(cFramesDecoded) > 0 || smp.fps > 0 {
				// a stream that never decoded a frame carries only padding
				// (an SFU's bandwidth probes), not a picture anyone sees
				s.fps = minNaN(s.fps, smp.fps)
				s.frameHeight = maxNaN(s.frameHeight, smp.height)
			}
			s.pliRate = maxNaN(s.pliRate, smp.pliRate)
		}
		return
	}
	a.audioLoss.add(smp.dLost, smp.dPackets)
	s.jitterIn = maxNaN(s.jitterIn, smp.jitterMs)
	if math.IsNaN(smp.dBytes) || math.IsNaN(smp.dPackets) {
		return // its traffic counters were marked: nothing to judge it by
	}
	a.audioInSeen = true
	a.audioInFlow = a.audioInFlow || smp.dBytes > 0
	if smp.dt <= 0 || (smp.dPackets+max(smp.dLost, 0))/smp.dt < minActiveAudioPPS {
		return // not carrying speech: no concealment or MOS from it
	}
	if !math.IsNaN(smp.concealPct) {
		a.conceal.lost += smp.concealPct * smp.dt
		a.conceal.recv += (100 - smp.concealPct) * smp.dt
	}
	if a.nAudioIn < len(a.audioIn) {
		a.audioIn[a.nAudioIn] = audioInSample{smp.jbMs, smp.jitterMs, smp.lossPct}
		a.nAudioIn++
	}
}

func (a *reportAgg) outbound(strm *stream, st *feed.Stat, smp *streamSample) {
	s := &a.s
	s.bitrateOut = addNaN(s.bitrateOut, smp.kbps)
	if a.nSent < len(a.sent) {
		a.sent[a.nSent] = outSent{strm.ssrc, smp.dPackets}
		a.nSent++
	}
	switch strm.kind {
	case "audio":
		a.audioOutSeen = a.audioOutSeen || !math.IsNaN(smp.dBytes)
		a.audioOutFlow = a.audioOutFlow || smp.dBytes > 0
		if strm.targetBps > 0 {
			a.neededKbps = addNaN(a.neededKbps, float64(strm.targetBps)/1000)
		}
	case "video":
		a.videoOut = a.videoOut || smp.dBytes > 0
		cpu, bw := smp.cpuPct, smp.bwPct
		if st.QualityLimitationDurations == nil {
			cpu = 100 * boolf(st.QualityLimitationReason == "cpu")
			bw = 100 * boolf(st.QualityLimitationReason == "bandwidth")
		}
		s.cpuPct = maxNaN(s.cpuPct, cpu)
		s.bwPct = maxNaN(s.bwPct, bw)
		s.pliRate = maxNaN(s.pliRate, smp.pliRate)
	}
}

// finish derives the connection-level values: loss in (the worse kind),
// RTT (remote-inbound, else the selected pair: the rules' RTT; each source
// is also summed on its own for the report), bandwidth, concealment and
// the MOS of each received audio stream.
func (a *reportAgg) finish(cn *connection) connSample {
	s := a.s
	// No media is judged per connection on all its audio streams at once:
	// a placeholder stream that never carries packets (Jitsi's) is not
	// one-way audio while another audio stream is receiving.
	if a.audioInSeen {
		s.noMediaIn = boolf(!a.audioInFlow)
	}
	if a.audioOutSeen {
		s.noMediaOut = boolf(!a.audioOutFlow)
	}
	s.lossIn, s.lossInKind = a.audioLoss.pct(), "audio"
	if v := a.videoLoss.pct(); !math.IsNaN(v) && (math.IsNaN(s.lossIn) || v > s.lossIn) {
		s.lossIn, s.lossInKind = v, "video"
	}
	if !math.IsNaN(s.rttMs) { // the far end's RTCP round trip (remote-inbound-rtp), the worst stream
		cn.remoteRTTSum += s.rttMs
		cn.remoteRTTN++
	}
	if pi, ok := findByID(cn.pairs, cn.selPair); ok {
		if !math.IsNaN(pi.rttMs) { // ICE's STUN round trip on the selected candidate pair
			cn.pairRTTSum += pi.rttMs
			cn.pairRTTN++
		}
		if math.IsNaN(s.rttMs) {
			s.rttMs = pi.rttMs
		}
		s.availOutKbps = pi.availOutKbps
	}
	if a.videoOut {
		a.neededKbps = max(addNaN(a.neededKbps, 0), 100)
	}
	s.neededOutKbps = a.neededKbps
	s.concealPct = a.conceal.pct()
	s.freezes, s.frozenSecs = cn.freezes.worst(s.t, freezeWindow)
	if !math.IsNaN(s.rttMs) {
		cn.rttLast = s.rttMs
		cn.rttSum += s.rttMs
		cn.rttN++
	}
	for i := 0; i < a.nAudioIn; i++ {
		in := &a.audioIn[i]
		s.mos = minNaN(s.mos, EstimateMOS(addNaN(cn.rttLast, 0), in.jbMs, addNaN(in.jitterMs, 0), in.lossPct))
	}
	return s
}

// remoteLoss is the loss the far end reports on one of our streams:
// ΔpacketsLost over the packets we sent in the same report when both are
// known, else the RTCP fractionLost.
func remoteLoss(smp *streamSample, ssrc int64, sent []outSent) float64 {
	for _, o := range sent {
		if o.ssrc == ssrc && o.sent > 0 && !math.IsNaN(smp.dLost) {
			return clamp(100*smp.dLost/o.sent, 0, 100)
		}
	}
	return smp.fractionLostPct
}

func statType(t string) uint8 {
	switch t {
	case feed.StatInboundRTP:
		return stInbound
	case feed.StatOutboundRTP:
		return stOutbound
	case feed.StatRemoteInboundRTP:
		return stRemoteInbound
	case feed.StatMediaSource:
		return stMediaSource
	}
	return 0
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// lossSmoothing is the weight of a new sample in the smoothed loss: about
// the last five samples count.
const lossSmoothing = 0.2

// smoothLoss folds sample into the moving average avg (NaN: none yet);
// a NaN sample (skipped or unknown) leaves avg as it was.
func smoothLoss(avg, sample float64) float64 {
	return knownOf(avg, sample, func(avg, sample float64) float64 { return avg + lossSmoothing*(sample-avg) })
}

// knownOf combines a and b with op, where NaN means unknown: with one of
// them unknown it returns the other.
func knownOf(a, b float64, op func(a, b float64) float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return op(a, b)
}

// minNaN and maxNaN use the builtin min and max, which the compiler
// inlines (math.Min and math.Max are assembly calls); with NaN handled by
// knownOf they agree on every input, infinities and signed zeros included.
func minNaN(a, b float64) float64 {
	return knownOf(a, b, func(a, b float64) float64 { return min(a, b) })
}
func maxNaN(a, b float64) float64 {
	return knownOf(a, b, func(a, b float64) float64 { return max(a, b) })
}
func addNaN(a, b float64) float64 {
	return knownOf(a, b, func(a, b float64) float64 { return a + b })
}
