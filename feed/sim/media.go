package sim

import (
	"math"
	"math/rand/v2"
)

// Audio and video constants of a typical browser call (Opus 20 ms frames,
// 48 kHz; VP8/H.264 in ~1.1 KB packets).
const (
	audioPPS        = 50
	audioPayload    = 80 // bytes per Opus packet at ~32 kbps
	silencePayload  = 8  // bytes per comfort-noise packet (~3 kbps)
	audioTargetBps  = 32000
	sampleRate      = 48000
	videoPacketSize = 1100
	headerOverhead  = 1.06 // RTP/UDP/IP/SRTP bytes on the wire, for the candidate pair
)

// inbound are the cumulative counters of one received stream (inbound-rtp).
type inbound struct {
	ssrc                       int64
	packets, bytes, lost       float64
	lossAcc                    float64 // fractional lost packets carried to the next interval
	jitter                     float64 // seconds
	jbDelay, jbEmitted         float64
	concealed, silentConcealed float64
	samples                    float64
	framesRecv, framesDecoded  float64
	fps                        float64
	freezes, freezeSec         float64
	freezeAcc, pliAcc          float64
	nacks, plis                float64
}

// outbound are the cumulative counters of one sent stream (outbound-rtp)
// and the far end's view of it (remote-inbound-rtp).
type outbound struct {
	ssrc                int64
	packets, bytes      float64
	frames, fps, target float64
	reason              string
	limited             map[string]float64 // qualityLimitationDurations as reported
	cpuSec, bwSec       float64            // seconds limited by cpu, bandwidth
	noneSec             float64            // seconds not limited
	lost, lossAcc       float64
	jitter              float64 // seconds, as the far end measures it
	rtt                 float64 // seconds
	rrPackets, rrLost   float64 // counters at the last receiver report
}

// media is everything a participant's stats report carries.
type media struct {
	ia, iv         inbound
	oa, ov         outbound
	cpSent, cpRecv float64
	cpRTT, avail   float64
	level, energy  float64
	samplesSec     float64
	videoKbps      float64 // what this participant's camera sends when unconstrained
	inVideoKbps    float64 // what the SFU forwards to them
}

func (m *media) init(r *rand.Rand) {
	m.ia.ssrc = int64(r.Uint32())
	m.iv.ssrc = int64(r.Uint32())
	m.oa.ssrc = int64(r.Uint32())
	m.ov.ssrc = int64(r.Uint32())
	m.ov.limited = make(map[string]float64, 3)
	m.videoKbps = 900 + 1200*r.Float64()
	m.inVideoKbps = 600 + 1400*r.Float64()
}

// conditions are what the network, the devices and the scenario do to one
// participant during one interval.
type conditions struct {
	rttMS, jitterMS, jitterOutMS float64
	lossIn, lossOut              float64 // fractions
	availBps                     float64
	videoCapKbps                 float64 // encoder target cap (0: none)
	fpsOut                       float64
	cpuShare, bwShare            float64 // share of the interval the encoder was limited
	decodeRatio                  float64 // framesDecoded / framesReceived
	freezeRate, freezeSec        float64 // freezes per second, seconds each freeze lasts
	pliRate                      float64 // PLIs sent per second
	concealPerLoss               float64
	audioInDead, micSilent       bool
	down                         bool // ICE not connected: nothing moves
}

// baseline returns p's good-network conditions for this interval, with a
// little noise.
func (s *Sim) baseline(p *participant) conditions {
	r := s.rng
	wob := func(x, rel float64) float64 { return x * (1 + rel*(2*r.Float64()-1)) }
	return conditions{
		rttMS:          wob(p.rttMS, 0.1),
		jitterMS:       wob(p.jitterMS, 0.2),
		jitterOutMS:    wob(p.jitterMS, 0.2),
		lossIn:         wob(p.lossIn, 0.5),
		lossOut:        wob(p.lossOut, 0.5),
		availBps:       wob(p.upBps, 0.05),
		fpsOut:         30,
		decodeRatio:    0.995,
		freezeRate:     0.001,
		freezeSec:      0.2,
		pliRate:        0.01,
		concealPerLoss: 0.6,
		down:           p.ice != iceConnected,
	}
}

// advance moves p's counters on by dt seconds under cond.
func (s *Sim) advance(p *participant, c *conditions, dt float64) {
	if dt <= 0 {
		return
	}
	m := &p.m
	r := s.rng
	talk := 0.02 + 0.25*r.Float64()*r.Float64() // the microphone runs whatever ICE does
	if c.micSilent {
		talk = 0
	}
	m.level = talk
	m.energy += talk * talk * dt
	m.samplesSec += dt
	if c.down {
		return
	}

	recvBytes := 0.0
	if !c.audioInDead {
		recvBytes += s.receiveAudio(&m.ia, c, dt)
	}
	if p.inVideo {
		recvBytes += s.receiveVideo(&m.iv, c, m.inVideoKbps, dt)
	}
	payload := audioPayload * (0.8 + 0.4*r.Float64())
	if c.micSilent {
		payload = silencePayload
	}
	sent := sendStream(&m.oa, audioPPS*dt, payload, c.lossOut, c.rttMS, c.jitterOutMS)
	m.oa.target = audioTargetBps
	if p.sendsVideo {
		sent += s.sendVideo(m, c, dt)
	}
	m.cpSent += math.Round(sent * headerOverhead)
	m.cpRecv += math.Round(recvBytes * headerOverhead)
	m.cpRTT = c.rttMS / 1000
	m.avail = c.availBps
}

func (s *Sim) receiveAudio(in *inbound, c *conditions, dt float64) float64 {
	r := s.rng
	n := math.Round(audioPPS*dt + r.Float64() - 0.5)
	lost := takeLoss(&in.lossAcc, n, c.lossIn)
	bytes := (n - lost) * audioPayload * (0.8 + 0.4*r.Float64())
	in.packets += n - lost
	in.bytes += math.Round(bytes)
	in.lost += lost
	in.jitter = c.jitterMS / 1000
	samples := sampleRate * dt
	in.samples += samples
	in.jbEmitted += samples
	in.jbDelay += samples * (0.02 + 2*in.jitter)
	concealed := math.Round(samples * (lost / max(n, 1)) * c.concealPerLoss)
	if c.lossIn < 0.002 { // a few comfort-noise gaps even on a clean path
		concealed += math.Round(samples * 0.002 * r.Float64())
	}
	in.concealed += concealed
	in.silentConcealed += math.Round(concealed * 0.3)
	return bytes
}

func (s *Sim) receiveVideo(in *inbound, c *conditions, kbps, dt float64) float64 {
	r := s.rng
	bytes := kbps * 1000 / 8 * dt * (0.9 + 0.2*r.Float64())
	n := math.Round(bytes / videoPacketSize)
	lost := takeLoss(&in.lossAcc, n, c.lossIn)
	in.packets += n - lost
	in.bytes += math.Round(bytes * (n - lost) / max(n, 1))
	in.lost += lost
	in.nacks += lost
	in.jitter = c.jitterMS / 1000 * 1.3
	frozen := 0.0
	if k := takeCount(&in.freezeAcc, c.freezeRate*dt); k > 0 {
		frozen = math.Min(k*c.freezeSec*(0.9+0.2*r.Float64()), 0.95*dt)
		in.freezes += k
		in.freezeSec += frozen
	}
	// While frozen no frames arrive; the decoder keeps up with the rest
	// unless the CPU cannot (decodeRatio).
	frames := math.Round(30 * (dt - frozen))
	decoded := math.Floor(frames * c.decodeRatio)
	in.framesRecv += frames
	in.framesDecoded += decoded
	in.fps = math.Round(decoded / dt)
	in.plis += takeCount(&in.pliAcc, c.pliRate*dt)
	return bytes
}

func (s *Sim) sendVideo(m *media, c *conditions, dt float64) float64 {
	r := s.rng
	kbps := m.videoKbps
	if c.videoCapKbps > 0 {
		kbps = math.Min(kbps, c.videoCapKbps)
	}
	kbps = math.Min(kbps, c.availBps/1000*0.85)
	o := &m.ov
	o.target = math.Round(kbps * 1000)
	bytes := kbps * 1000 / 8 * dt * (0.92 + 0.1*r.Float64())
	sent := sendStream(o, math.Round(bytes/videoPacketSize), bytes/math.Max(math.Round(bytes/videoPacketSize), 1), c.lossOut, c.rttMS, c.jitterOutMS*1.3)
	o.fps = math.Round(c.fpsOut)
	o.frames += math.Round(c.fpsOut * dt)
	o.cpuSec += c.cpuShare * dt
	o.bwSec += c.bwShare * dt
	o.noneSec += math.Max(1-c.cpuShare-c.bwShare, 0) * dt
	// Reasons never limited are left out, to keep reports small.
	setLimited(o.limited, "cpu", o.cpuSec)
	setLimited(o.limited, "bandwidth", o.bwSec)
	setLimited(o.limited, "none", o.noneSec)
	switch {
	case c.cpuShare > 0.5:
		o.reason = "cpu"
	case c.bwShare > 0.5:
		o.reason = "bandwidth"
	default:
		o.reason = "none"
	}
	return sent
}

func setLimited(durations map[string]float64, reason string, sec float64) {
	if sec > 0 {
		durations[reason] = round(sec, 3)
	}
}

// sendStream sends n packets of size bytes on o; the far end reports the
// loss, jitter and round trip back. It returns the bytes sent.
func sendStream(o *outbound, n, size, loss, rttMS, jitterMS float64) float64 {
	bytes := math.Round(n * size)
	o.packets += n
	o.bytes += bytes
	lost := takeLoss(&o.lossAcc, n, loss)
	o.lost += lost
	o.jitter = jitterMS / 1000
	o.rtt = rttMS / 1000
	return bytes
}

// takeLoss returns how many of n packets are lost at rate, carrying the
// fraction to the next interval so losses spread evenly.
func takeLoss(acc *float64, n, rate float64) float64 {
	lost := takeCount(acc, n*rate)
	return math.Min(lost, n)
}

// takeCount adds x to the accumulator and takes out its whole part.
func takeCount(acc *float64, x float64) float64 {
	*acc += x
	k := math.Floor(*acc)
	*acc -= k
	return k
}

func between(r *rand.Rand, lim [2]float64) float64 {
	return lim[0] + (lim[1]-lim[0])*r.Float64()
}
