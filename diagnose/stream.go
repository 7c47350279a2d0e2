package diagnose

import (
	"math"

	"github.com/calltop/calltop/feed"
)

// Stream types the Monitor keeps counters for.
const (
	stInbound uint8 = iota + 1
	stOutbound
	stRemoteInbound
	stMediaSource
)

// Cumulative counters, by index into stream.c.
const (
	cBytes = iota
	cPackets
	cLost
	cConcealed // concealedSamples − silentConcealedSamples (also cumulative)
	cSamples
	cJBDelay
	cJBEmitted
	cFreezeDur
	cFramesDecoded
	cPli
	cQLCPU
	cQLBandwidth
	cEnergy
	cSamplesDur
	nCounters
)

// countersOf lists, per stream type, the counters it carries (an array,
// not a map: it is read several times for every stats object).
var countersOf = [stMediaSource + 1][]int{
	stInbound:       {cBytes, cPackets, cLost, cConcealed, cSamples, cJBDelay, cJBEmitted, cFreezeDur, cFramesDecoded, cPli},
	stOutbound:      {cBytes, cPackets, cQLCPU, cQLBandwidth, cPli},
	stRemoteInbound: {cLost},
	stMediaSource:   {cEnergy, cSamplesDur},
}

func readCounters(s *feed.Stat) (c [nCounters]float64) {
	c[cBytes] = s.BytesReceived + s.BytesSent
	c[cPackets] = s.PacketsReceived + s.PacketsSent
	c[cLost] = s.PacketsLost
	c[cConcealed] = s.ConcealedSamples - s.SilentConcealedSamples
	if s.SilentConcealedSamples > s.ConcealedSamples {
		c[cConcealed] = s.ConcealedSamples // inconsistent: keep the plain count
	}
	c[cSamples] = s.TotalSamplesReceived
	c[cJBDelay] = s.JitterBufferDelay
	c[cJBEmitted] = s.JitterBufferEmittedCount
	c[cFreezeDur] = s.TotalFreezesDuration
	c[cFramesDecoded] = s.FramesDecoded
	c[cPli] = s.PliCount
	if ql := s.QualityLimitationDurations; ql != nil { // most objects have none: skip two map calls
		c[cQLCPU] = ql["cpu"]
		c[cQLBandwidth] = ql["bandwidth"]
	}
	c[cEnergy] = s.TotalAudioEnergy
	c[cSamplesDur] = s.TotalSamplesDuration
	return c
}

// maxSlots is the most counters one stream type carries.
const maxSlots = 10

// slotOf maps, per stream type, a counter id to its slot in stream.c (-1:
// the type does not carry it).
var slotOf = func() (out [stMediaSource + 1][nCounters]int8) {
	for typ := range out {
		for i := range out[typ] {
			out[typ][i] = -1
		}
		for j, id := range countersOf[typ] {
			out[typ][id] = int8(j)
		}
	}
	return out
}()

// stream is one RTP stream (or audio source) of a connection, with the
// baseline of its cumulative counters. Kept small: there are several per
// participant and 10,000 calls must fit in 200 MB.
type stream struct {
	typ     uint8
	started bool
	// twice: a report held two different objects for this stream (the same
	// stats id twice); its counters going back are then never a restart.
	twice bool
	// seen is the connection's report count when the stream was last
	// updated: a second object for it in the same report is not news.
	seen   uint32
	kind   string // "audio", "video" (constants) or a cleaned other kind
	ssrc   int64
	id     string // stats object id, the key when there is no SSRC
	lastTS float64
	c      [maxSlots]float64 // the type's counters, in countersOf order
	// off makes totals survive resets: total = off + value (bytes, packets, lost).
	off [3]float64
	// report aggregates over trusted samples
	bytesSum float64
	durSum   float32
	// last target bitrate of an outbound stream (bps)
	targetBps float32
	// PLI count anchors at least 15 s apart, oldest first (times in ms)
	pliT [3]float64
	pliC [3]float32
	// freezeCount is the baseline of a received video stream's freezeCount
	// (kept outside c: only video inbound streams carry it)
	freezeCount float32
	// the smallest and largest video frame seen (pixels, width x height)
	minW, minH, maxW, maxH uint16
}

// noteResolution keeps the smallest and largest frame size (by area).
func (st *stream) noteResolution(w, h float64) {
	if w <= 0 || h <= 0 || w > 16384 || h > 16384 {
		return
	}
	area := w * h
	if st.maxW == 0 || area > float64(st.maxW)*float64(st.maxH) {
		st.maxW, st.maxH = uint16(w), uint16(h)
	}
	if st.minW == 0 || area < float64(st.minW)*float64(st.minH) {
		st.minW, st.minH = uint16(w), uint16(h)
	}
}

// full expands the stored counters to a full-width array.
func (st *stream) full() (c [nCounters]float64) {
	for j, id := range countersOf[st.typ] {
		c[id] = st.c[j]
	}
	return c
}

// store keeps the type's counters of cur as the baseline.
func (st *stream) store(cur *[nCounters]float64) {
	for j, id := range countersOf[st.typ] {
		st.c[j] = cur[id]
	}
}

// value returns a stored counter (0 if the type does not carry it).
func (st *stream) value(id int) float64 {
	if j := slotOf[st.typ][id]; j >= 0 {
		return st.c[j]
	}
	return 0
}

// streamSample holds what one trusted stats sample of a stream says about
// the interval since the previous one. Unknown values are NaN.
type streamSample struct {
	dt                            float64 // seconds
	kbps, lossPct, jitterMs       float64
	dBytes, dPackets, dLost       float64
	concealPct, jbMs, freezePct   float64
	fps, pliRate, cpuPct, bwPct   float64
	level, rttMs, fractionLostPct float64
	height                        float64 // inbound video frame height, px
	dFreezes, dFrozenSecs         float64 // video freezes in the interval
}

func nanSample() streamSample {
	n := math.NaN()
	return streamSample{n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n}
}

// total returns a counter's trusted cumulative total (across resets),
// capped at the plausibility bound: repeated resets of garbage counters
// must not add up to billion-packet totals.
func (st *stream) total(i int) float64 {
	limit := float64(maxCounter)
	if i == cBytes {
		limit = maxBytes
	}
	return clamp(st.off[i]+st.value(i), 0, limit)
}

// update applies one stats object taken at ts (ms) and writes the
// interval's sample to smp (all NaN when there is none). It returns
// ok=false when there is no sample (first sample, duplicate or out of
// order), and the data-quality reason when the object or one of its
// values was marked. Each counter is judged on its own: a bad one gives a
// NaN delta and keeps (or re-takes) its own baseline while the others
// count. smp is an out parameter, not a result, so that its 17 floats are
// not copied per object.
func (st *stream) update(s *feed.Stat, ts float64, smp *streamSample) (ok bool, reason string) {
	*smp = nanSample()
	st.noteResolution(s.FrameWidth, s.FrameHeight)
	cur := readCounters(s)
	// Gauges are usable even on a stream's first sample.
	g := st.gauges(s, smp)
	if !st.started {
		reason := st.firstCheck(&cur)
		st.started, st.lastTS = true, ts
		st.store(&cur)
		st.countFreezes(s.FreezeCount)
		return false, firstFault(reason, g)
	}
	switch {
	case ts == st.lastTS:
		if cur == st.full() {
			return noSample(smp, "") // the same object again: no news, no fault
		}
		return noSample(smp, DQDuplicateTimestamp)
	case ts < st.lastTS:
		return noSample(smp, DQOutOfOrder)
	}
	dt := (ts - st.lastTS) / 1000
	var d [nCounters]float64
	var slow uint16 // counters that did not simply grow
	for j, i := range countersOf[st.typ] {
		prev, c := st.c[j], cur[i]
		if c >= prev && c >= 0 && c <= counterLimit(i) {
			d[i] = c - prev // what checkCounter says of a plain increase, without the call
			continue
		}
		slow |= 1 << j
	}
	if slow != 0 {
		reason = st.judge(slow, &cur, &d)
	}
	if st.typ == stInbound || st.typ == stOutbound { // bytes and packets: no more than one stream can carry
		if d[cBytes]/dt > maxBytesPerSec {
			reason = firstFault(reason, st.fault(cBytes, st.c[0], counterCheck{reason: DQAbsurdValue, rebase: true}, &cur, &d))
		}
		if d[cPackets]/dt > maxPacketsPerS {
			reason = firstFault(reason, st.fault(cPackets, st.c[1], counterCheck{reason: DQAbsurdValue, rebase: true}, &cur, &d))
		}
	}
	st.store(&cur)
	st.lastTS = ts
	st.derive(smp, &d, dt, ts)
	if st.typ == stInbound && (s.FreezeCount != 0 || st.freezeCount != 0) { // video that has frozen
		smp.dFreezes = st.countFreezes(s.FreezeCount)
		smp.dFrozenSecs = d[cFreezeDur]
	}
	return true, firstFault(reason, g)
}

// noSample clears smp for update's callers and returns update's verdict
// on an object that gives no sample.
func noSample(smp *streamSample, reason string) (bool, string) {
	*smp = nanSample()
	return false, reason
}

// gauges reads the instantaneous values; a bad one becomes NaN and its
// reason is returned.
func (st *stream) gauges(s *feed.Stat, smp *streamSample) (reason string) {
	keep := func(v, limit, scale float64, dst *float64) {
		if v == 0 {
			return // absent
		}
		g, r := gauge(v, limit)
		if r != "" {
			reason = r
			return
		}
		*dst = g * scale
	}
	switch st.typ {
	case stInbound:
		keep(s.Jitter, maxGaugeSeconds, 1000, &smp.jitterMs)
		if s.Jitter == 0 && s.PacketsReceived > 0 {
			smp.jitterMs = 0
		}
		keep(s.FramesPerSecond, maxFPS, 1, &smp.fps)
		keep(s.FrameHeight, maxFrameHeight, 1, &smp.height)
		keep(s.AudioLevel, 1, 1, &smp.level)
	case stOutbound:
		var target float64
		keep(s.TargetBitrate, maxBytesPerSec*8, 1, &target)
		st.targetBps = float32(target)
		keep(s.FramesPerSecond, maxFPS, 1, &smp.fps)
	case stRemoteInbound:
		keep(s.RoundTripTime, maxGaugeSeconds, 1000, &smp.rttMs)
		smp.fractionLostPct = 0
		keep(s.FractionLost, 1, 100, &smp.fractionLostPct)
		keep(s.Jitter, maxGaugeSeconds, 1000, &smp.jitterMs)
	case stMediaSource:
		// Level 0 is digital silence only when the source measures at all:
		// Safari's media-source has neither audioLevel nor energy.
		if s.AudioLevel != 0 || s.TotalSamplesDuration > 0 {
			smp.level = 0
		}
		keep(s.AudioLevel, 1, 1, &smp.level)
	}
	return reason
}

// derive turns trusted counter deltas over dt seconds into rates.
func (st *stream) derive(smp *streamSample, d *[nCounters]float64, dt, ts float64) {
	smp.dt = dt
	smp.dBytes, smp.dPackets, smp.dLost = d[cBytes], d[cPackets], d[cLost]
	switch st.typ {
	case stInbound, stOutbound:
		smp.kbps = d[cBytes] * 8 / dt / 1000
		if !math.IsNaN(d[cBytes]) {
			st.bytesSum += d[cBytes]
			st.durSum += float32(dt)
		}
		smp.pliRate = st.pliRate(ts)
	}
	switch st.typ {
	case stInbound:
		if n := d[cLost] + d[cPackets]; n > 0 {
			smp.lossPct = 100 * d[cLost] / n
		} else {
			smp.lossPct = math.NaN()
		}
		if d[cSamples] > 0 {
			smp.concealPct = clamp(100*d[cConcealed]/d[cSamples], 0, 100)
		}
		if d[cJBEmitted] > 0 {
			smp.jbMs = 1000 * d[cJBDelay] / d[cJBEmitted]
		}
		if st.kind == "video" {
			smp.freezePct = clamp(100*d[cFreezeDur]/dt, 0, 100)
			if math.IsNaN(smp.fps) {
				smp.fps = d[cFramesDecoded] / dt
			}
		}
	case stOutbound:
		smp.cpuPct = clamp(100*d[cQLCPU]/dt, 0, 100)
		smp.bwPct = clamp(100*d[cQLBandwidth]/dt, 0, 100)
	case stMediaSource:
		if d[cSamplesDur] > 0 && !math.IsNaN(d[cEnergy]) {
			smp.level = math.Sqrt(d[cEnergy] / d[cSamplesDur])
		}
	}
}

// pliRate is keyframe requests per second over the last 30 to 45 seconds:
// anchors are taken at least 15 s apart and the rate runs from the oldest,
// so the window slides without gaps (one burst is one episode); NaN until
// 30 s of data exist.
func (st *stream) pliRate(ts float64) float64 {
	c := float32(st.value(cPli))
	n := len(st.pliT)
	switch {
	case st.pliT[n-1] == 0 || c < st.pliC[n-1]: // first sample, or the count restarted
		st.pliT, st.pliC = [3]float64{}, [3]float32{}
		st.pliT[n-1], st.pliC[n-1] = ts, c
	case ts-st.pliT[n-1] >= 15000:
		copy(st.pliT[:], st.pliT[1:])
		copy(st.pliC[:], st.pliC[1:])
		st.pliT[n-1], st.pliC[n-1] = ts, c
	}
	for i := range n {
		if t0 := st.pliT[i]; t0 != 0 && ts-t0 >= 30000 {
			return float64(c-st.pliC[i]) / ((ts - t0) / 1000)
		}
	}
	return math.NaN()
}

// clamp limits v to [lo, hi]; NaN stays NaN. lo and hi are finite, so the
// builtin min and max (inlined) give what math.Min and math.Max would:
// they differ only on a NaN paired with an infinity.
func clamp(v, lo, hi float64) float64 { return min(max(v, lo), hi) }
