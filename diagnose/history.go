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

var seriesNames = [nSeries]struct{ name, unit string }{
	{"bitrate in", "kbps"},
	{"bitrate out", "kbps"},
	{"loss in", "%"},
	{"loss out", "%"},
	{"rtt", "ms"},
}

// History sizes. Every participant keeps a short fine ring (one point per
// stats sample) and a coarse ring of 10-second means covering 15 minutes;
// the focused call's participants grow their fine ring to the full
// history (900 points at 1 sample/s) and shrink back when unfocused.
const (
	fineShort     = 60
	coarseStep    = 10 * time.Second
	coarsePoints  = 90
	mergeWithinMs = 500
)

// ring is a bounded ring of points: a time (ms after a base) and nSeries
// float32 values. float32 keeps memory at 24 bytes a point.
type ring struct {
	t          []uint32
	v          [][nSeries]float32
	head, size int
}

func newRing(capacity int) ring {
	return ring{t: make([]uint32, capacity), v: make([][nSeries]float32, capacity)}
}

func (r *ring) cap() int { return len(r.t) }

func (r *ring) push(t uint32, v [nSeries]float32) {
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
func (r *ring) last() int {
	if r.size == 0 {
		return -1
	}
	return (r.head + r.size - 1) % r.cap()
}

func (r *ring) at(k int) (uint32, [nSeries]float32) {
	i := (r.head + k) % r.cap()
	return r.t[i], r.v[i]
}

// resize keeps the newest min(size, capacity) points.
func (r *ring) resize(capacity int) {
	if capacity == r.cap() {
		return
	}
	nr := newRing(capacity)
	from := max(0, r.size-capacity)
	for k := from; k < r.size; k++ {
		nr.push(r.at(k))
	}
	*r = nr
}

// history is a participant's sparkline data.
type history struct {
	base   int64 // ms since epoch that offsets count from
	fine   ring
	coarse ring
	// the coarse bucket being filled
	bucketStart int64
	bucketSum   [nSeries]float64
	bucketN     [nSeries]uint16
	lastConn    int
}

func newHistory(base int64) history {
	return history{base: base, fine: newRing(fineShort), coarse: newRing(coarsePoints), lastConn: -1}
}

func f32(v float64) float32 { return float32(v) }

// add records one point at data time t (ms). Points within 500 ms of the
// previous one from another connection of the same participant are merged
// into it (bitrates add up, loss and RTT keep the worse), so a participant
// with two peer connections still gets one point per poll.
func (h *history) add(t int64, conn int, v [nSeries]float64) {
	if t < h.base {
		return
	}
	off := uint32(min(t-h.base, math.MaxUint32))
	if li := h.fine.last(); li >= 0 && int64(off)-int64(h.fine.t[li]) < mergeWithinMs && int64(off) >= int64(h.fine.t[li]) {
		if conn != h.lastConn {
			old := h.fine.v[li]
			v[seriesBitrateIn] = addNaN(float64(old[seriesBitrateIn]), v[seriesBitrateIn])
			v[seriesBitrateOut] = addNaN(float64(old[seriesBitrateOut]), v[seriesBitrateOut])
			for _, s := range []int{seriesLossIn, seriesLossOut, seriesRTT} {
				v[s] = maxNaN(float64(old[s]), v[s])
			}
		}
		for s := range v {
			h.fine.v[li][s] = f32(v[s])
		}
		h.lastConn = conn
		return
	}
	h.lastConn = conn
	var p [nSeries]float32
	for s := range v {
		p[s] = f32(v[s])
	}
	h.fine.push(off, p)
	h.addCoarse(t, v)
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
	var p [nSeries]float32
	for s := range p {
		p[s] = float32(math.NaN())
		if h.bucketN[s] > 0 {
			p[s] = float32(h.bucketSum[s] / float64(h.bucketN[s]))
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
	emit := func(t uint32, v [nSeries]float32) {
		times = append(times, time.UnixMilli(h.base+int64(t)).UTC())
		for s := range out {
			out[s].Values = append(out[s].Values, float64(v[s]))
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

func addNaN(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return a + b
}

func maxNaN(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return math.Max(a, b)
}
