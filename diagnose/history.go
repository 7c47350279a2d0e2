package diagnose

import (
	"math"
	"time"
)

// Series kept per participant for sparklines, in this order.
const (
	seriesBitrateIn = iota
	seriesBitrateOut
	seriesLossIn
	seriesLossOut
	seriesRTT
	nSeries
)

// Series kept only for the focused call's participants (the memory budget
// has no room for them on every call), so their graphs start when the call
// is opened: indexes into seriesNames after the nSeries kept always.
const (
	seriesJitterIn = nSeries + iota
	seriesFPSIn
	seriesHeightIn
	nAllSeries
	nExtra = nAllSeries - nSeries
)

var seriesNames = [nAllSeries]struct {
	name, unit string
	scale      float64 // stored as uint16(value × scale): 1 kbps, 0.01 %, 1 ms
}{
	{"bitrate in", "kbps", 1},
	{"bitrate out", "kbps", 1},
	{"loss in", "%", 100},
	{"loss out", "%", 100},
	{"rtt", "ms", 1},
	{"jitter in", "ms", 10},
	{"frame rate in", "fps", 10},
	{"resolution in", "px", 1}, // the received video's frame height
}

// noValue is the stored form of NaN (an unknown or untrusted sample).
const noValue = math.MaxUint16

// quantize stores v in 16 bits at the series' resolution.
func quantize(s int, v float64) uint16 {
	if math.IsNaN(v) || v < 0 {
		return noValue
	}
	return uint16(min(math.Round(v*seriesNames[s].scale), noValue-1))
}

func unquantize(s int, q uint16) float64 {
	if q == noValue {
		return math.NaN()
	}
	return float64(q) / seriesNames[s].scale
}

// History sizes. Every participant keeps a short fine ring (one point per
// stats sample) and a coarse ring of 20-second means covering 15 minutes;
// the focused call's participants grow their fine ring to the full
// history (900 points at 1 sample/s) and shrink back when unfocused.
const (
	fineShort     = 30
	coarseStep    = 20 * time.Second
	coarsePoints  = 45
	mergeWithinMs = 500
)

// point is one stored sample: nSeries values in 16 bits each.
type point [nSeries]uint16

// extraPoint is one stored sample of the focused-only series.
type extraPoint [nExtra]uint16

// ring is a bounded ring of points with their times (ms after a base):
// 14 bytes a point.
type ring[P any] struct {
	t          []uint32
	v          []P
	head, size int
}

func newRing[P any](capacity int) ring[P] {
	return ring[P]{t: make([]uint32, capacity), v: make([]P, capacity)}
}

func (r *ring[P]) cap() int { return len(r.t) }

func (r *ring[P]) push(t uint32, v P) {
	if r.cap() == 0 {
		return
	}
	i := (r.head + r.size) % r.cap()
	if r.size == r.cap() {
		r.head = (r.head + 1) % r.cap()
	} else {
		r.size++
	}
	r.t[i], r.v[i] = t, v
}

// last returns the index of the newest point, or -1.
func (r *ring[P]) last() int {
	if r.size == 0 {
		return -1
	}
	return (r.head + r.size - 1) % r.cap()
}

func (r *ring[P]) at(k int) (uint32, P) {
	i := (r.head + k) % r.cap()
	return r.t[i], r.v[i]
}

// resize keeps the newest min(size, capacity) points.
func (r *ring[P]) resize(capacity int) {
	if capacity == r.cap() {
		return
	}
	nr := newRing[P](capacity)
	from := max(0, r.size-capacity)
	for k := from; k < r.size; k++ {
		nr.push(r.at(k))
	}
	*r = nr
}

// history is a participant's sparkline data.
type history struct {
	base   int64 // ms since epoch that offsets count from
	fine   ring[point]
	coarse ring[point]
	extra  *ring[extraPoint] // beside fine, while the call is focused
	// the coarse bucket being filled
	bucketStart int64
	bucketSum   [nSeries]float64
	bucketN     [nSeries]uint16
	lastConn    int
}

func newHistory(base int64) history {
	return history{base: base, fine: newRing[point](fineShort), coarse: newRing[point](coarsePoints), lastConn: -1}
}

// focus grows the fine ring to capacity and starts the focused-only
// series; unfocus shrinks it back and drops them.
func (h *history) focus(capacity int) {
	h.fine.resize(capacity)
	if h.extra == nil {
		r := newRing[extraPoint](capacity)
		h.extra = &r
	}
	h.extra.resize(capacity)
}

func (h *history) unfocus() {
	h.fine.resize(fineShort)
	h.extra = nil
}

// add records one point at data time t (ms). Points within 500 ms of the
// previous one from another connection of the same participant are merged
// into it (bitrates add up, loss and RTT keep the worse), so a participant
// with two peer connections still gets one point per poll.
func (h *history) add(t int64, conn int, v [nSeries]float64, x [nExtra]float64) {
	if t < h.base {
		return
	}
	defer h.addExtra(conn != h.lastConn, x) // the arguments are taken now, before lastConn moves
	off := uint32(min(t-h.base, math.MaxUint32))
	if li := h.fine.last(); li >= 0 && int64(off)-int64(h.fine.t[li]) < mergeWithinMs && int64(off) >= int64(h.fine.t[li]) {
		if conn != h.lastConn {
			old := h.fine.v[li]
			for _, s := range []int{seriesBitrateIn, seriesBitrateOut} {
				v[s] = addNaN(unquantize(s, old[s]), v[s])
			}
			for _, s := range []int{seriesLossIn, seriesLossOut, seriesRTT} {
				v[s] = maxNaN(unquantize(s, old[s]), v[s])
			}
		}
		for s := range v {
			h.fine.v[li][s] = quantize(s, v[s])
		}
		h.lastConn = conn
		return
	}
	h.lastConn = conn
	var p point
	for s := range v {
		p[s] = quantize(s, v[s])
	}
	h.fine.push(off, p)
	h.addCoarse(t, v)
}

// addExtra records the focused-only series beside the fine ring's newest
// point, merged into it the same way when that point already holds
// another connection's sample (otherConn).
func (h *history) addExtra(otherConn bool, x [nExtra]float64) {
	fi := h.fine.last()
	if h.extra == nil || fi < 0 {
		return
	}
	off := h.fine.t[fi]
	if li := h.extra.last(); li >= 0 && h.extra.t[li] == off {
		old := h.extra.v[li]
		if otherConn {
			x[0] = maxNaN(unquantize(seriesJitterIn, old[0]), x[0])
			x[1] = minNaN(unquantize(seriesFPSIn, old[1]), x[1])
			x[2] = maxNaN(unquantize(seriesHeightIn, old[2]), x[2])
		}
		h.extra.v[li] = quantizeExtra(x)
		return
	}
	h.extra.push(off, quantizeExtra(x))
}

func quantizeExtra(x [nExtra]float64) extraPoint {
	var p extraPoint
	for i, v := range x {
		p[i] = quantize(nSeries+i, v)
	}
	return p
}

func (h *history) addCoarse(t int64, v [nSeries]float64) {
	if h.bucketStart == 0 {
		h.bucketStart = t
	}
	if t-h.bucketStart >= coarseStep.Milliseconds() {
		h.flushBucket()
		h.bucketStart = t
	}
	for s, x := range v {
		if !math.IsNaN(x) {
			h.bucketSum[s] += x
			h.bucketN[s]++
		}
	}
}

func (h *history) flushBucket() {
	var p point
	for s := range p {
		p[s] = noValue
		if h.bucketN[s] > 0 {
			p[s] = quantize(s, h.bucketSum[s]/float64(h.bucketN[s]))
		}
	}
	h.coarse.push(uint32(min(h.bucketStart-h.base, math.MaxUint32)), p)
	h.bucketSum, h.bucketN = [nSeries]float64{}, [nSeries]uint16{}
}

// series returns the sparkline data: coarse points older than the fine
// ring's first point, then every fine point.
func (h *history) series() [nSeries]Series {
	var out [nSeries]Series
	firstFine := uint32(math.MaxUint32)
	if h.fine.size > 0 {
		firstFine, _ = h.fine.at(0)
	}
	n := h.fine.size
	for k := 0; k < h.coarse.size; k++ {
		if t, _ := h.coarse.at(k); t < firstFine {
			n++
		}
	}
	times := make([]time.Time, 0, n)
	for s := range out {
		out[s] = Series{Name: seriesNames[s].name, Unit: seriesNames[s].unit, Values: make([]float64, 0, n)}
	}
	emit := func(t uint32, v point) {
		times = append(times, time.UnixMilli(h.base+int64(t)).UTC())
		for s := range out {
			out[s].Values = append(out[s].Values, unquantize(s, v[s]))
		}
	}
	for k := 0; k < h.coarse.size; k++ {
		if t, v := h.coarse.at(k); t < firstFine {
			emit(t, v)
		}
	}
	for k := 0; k < h.fine.size; k++ {
		emit(h.fine.at(k))
	}
	for s := range out {
		out[s].Times = times // shared, never mutated
	}
	return out
}

// extraSeries returns the focused-only series (empty when not focused).
func (h *history) extraSeries() [nExtra]Series {
	var out [nExtra]Series
	n := 0
	if h.extra != nil {
		n = h.extra.size
	}
	times := make([]time.Time, 0, n)
	for i := range out {
		s := nSeries + i
		out[i] = Series{Name: seriesNames[s].name, Unit: seriesNames[s].unit, Values: make([]float64, 0, n)}
	}
	for k := 0; k < n; k++ {
		t, v := h.extra.at(k)
		times = append(times, time.UnixMilli(h.base+int64(t)).UTC())
		for i := range out {
			out[i].Values = append(out[i].Values, unquantize(nSeries+i, v[i]))
		}
	}
	for i := range out {
		out[i].Times = times
	}
	return out
}
