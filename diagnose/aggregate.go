package diagnose

import (
	"math"

	"github.com/calltop/calltop/feed"
)

// lossPool sums lost and received packets of one kind in one report.
type lossPool struct{ lost, recv float64 }

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

// aggregate applies one report's RTP and media-source objects to their
// streams and combines the trusted samples into one connection sample.
func (m *Monitor) aggregate(cn *connection, stats []feed.Stat, t int64) connSample {
	s := newConnSample(t)
	var audioLoss, videoLoss lossPool
	var audioIn [4]streamSample
	nAudioIn := 0
	var sent [8]outSent
	nSent := 0
	var conceal lossPool // lost = concealed, recv = samples (reusing the pair)
	neededKbps, videoOut := math.NaN(), false
	for pass := 0; pass < 2; pass++ { // remote-inbound needs the outbound samples first
		for i := range stats {
			st := &stats[i]
			typ := statType(st.Type)
			if typ == 0 || (typ == stRemoteInbound) != (pass == 1) {
				continue
			}
			strm, ok := cn.stream(typ, st)
			if !ok {
				m.mark(DQTooMany)
				continue
			}
			smp, fresh, reason := strm.update(st, statTime(st, t))
			m.mark(reason)
			kind := strm.kind
			switch typ {
			case stInbound:
				if !fresh {
					continue
				}
				s.bitrateIn = addNaN(s.bitrateIn, smp.kbps)
				pool := &videoLoss
				if kind == "audio" {
					pool = &audioLoss
				}
				pool.lost += smp.dLost
				pool.recv += smp.dPackets
				if kind == "audio" {
					s.jitterIn = maxNaN(s.jitterIn, smp.jitterMs)
					s.noMediaIn = maxNaN(s.noMediaIn, boolf(smp.dBytes == 0))
					if !math.IsNaN(smp.concealPct) {
						conceal.lost += smp.concealPct * smp.dt
						conceal.recv += (100 - smp.concealPct) * smp.dt
					}
					if nAudioIn < len(audioIn) {
						audioIn[nAudioIn] = smp
						nAudioIn++
					}
				} else if smp.dBytes > 0 {
					s.freezePct = maxNaN(s.freezePct, smp.freezePct)
					s.fps = minNaN(s.fps, smp.fps)
					s.pliRate = maxNaN(s.pliRate, smp.pliRate)
				}
			case stOutbound:
				if !fresh {
					continue
				}
				s.bitrateOut = addNaN(s.bitrateOut, smp.kbps)
				if nSent < len(sent) {
					sent[nSent] = outSent{strm.ssrc, smp.dPackets}
					nSent++
				}
				if kind == "audio" {
					s.noMediaOut = maxNaN(s.noMediaOut, boolf(smp.dBytes == 0))
					if strm.targetBps > 0 {
						neededKbps = addNaN(neededKbps, float64(strm.targetBps)/1000)
					}
				} else if kind == "video" {
					videoOut = videoOut || smp.dBytes > 0
					cpu, bw := smp.cpuPct, smp.bwPct
					if st.QualityLimitationDurations == nil {
						cpu = 100 * boolf(st.QualityLimitationReason == "cpu")
						bw = 100 * boolf(st.QualityLimitationReason == "bandwidth")
					}
					s.cpuPct = maxNaN(s.cpuPct, cpu)
					s.bwPct = maxNaN(s.bwPct, bw)
					s.pliRate = maxNaN(s.pliRate, smp.pliRate)
				}
			case stRemoteInbound:
				s.rttMs = maxNaN(s.rttMs, smp.rttMs)
				if fresh {
					s.lossOut = maxNaN(s.lossOut, remoteLoss(smp, strm.ssrc, sent[:nSent]))
				}
			case stMediaSource:
				if kind == "audio" && (fresh || !math.IsNaN(smp.level)) {
					s.micLevel = maxNaN(s.micLevel, smp.level)
				}
			}
		}
	}
	s.lossIn, s.lossInKind = audioLoss.pct(), "audio"
	if v := videoLoss.pct(); !math.IsNaN(v) && (math.IsNaN(s.lossIn) || v > s.lossIn) {
		s.lossIn, s.lossInKind = v, "video"
	}
	if math.IsNaN(s.rttMs) {
		if pi, ok := cn.pair(cn.selPair); ok {
			s.rttMs = pi.rttMs
		}
	}
	if pi, ok := cn.pair(cn.selPair); ok {
		s.availOutKbps = pi.availOutKbps
	}
	if videoOut {
		neededKbps = math.Max(addNaN(neededKbps, 0), 100)
	}
	s.neededOutKbps = neededKbps
	s.concealPct = conceal.pct()
	if !math.IsNaN(s.rttMs) {
		cn.rttLast = s.rttMs
		cn.rttSum += s.rttMs
		cn.rttN++
	}
	for i := 0; i < nAudioIn; i++ {
		a := &audioIn[i]
		s.mos = minNaN(s.mos, EstimateMOS(addNaN(cn.rttLast, 0), a.jbMs, addNaN(a.jitterMs, 0), a.lossPct))
	}
	return s
}

// remoteLoss is the loss the far end reports on one of our streams:
// ΔpacketsLost over the packets we sent in the same report when both are
// known, else the RTCP fractionLost.
func remoteLoss(smp streamSample, ssrc int64, sent []outSent) float64 {
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

func minNaN(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return math.Min(a, b)
}

// recordParticipant adds the sample to the participant's history and MOS.
func (m *Monitor) recordParticipant(p *participant, cn *connection, s *connSample) {
	p.hist.add(s.t, cn.idx, [nSeries]float64{s.bitrateIn, s.bitrateOut, s.lossIn, s.lossOut, s.rttMs})
	if !math.IsNaN(s.mos) {
		p.mosLast = s.mos
		p.mosSum += s.mos
		p.mosN++
		p.mosMin = minNaN(p.mosMin, s.mos)
	}
}
