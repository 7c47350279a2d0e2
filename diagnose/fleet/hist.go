package fleet

import "math"

// hist is a fixed-bin histogram of one metric for one group: enough to
// read a median or a 10th percentile to within one bin (5 % of the value on
// the log scales, 0.05 on the MOS scale) without keeping samples.
type hist struct {
	counts [histBins]int32
	n      int32
}

// histBins is the number of bins of every scale.
const histBins = 82

// scale maps a metric's values to bins: linear from lo in steps of step,
// or (log) bin 0 for values under lo and then perDecade bins per decade.
type scale struct {
	log       bool
	lo, step  float64
	perDecade float64
}

var (
	// mosScale: 1.0 to 5.0 in steps of 0.05.
	mosScale = scale{lo: 1, step: 0.05}
	// lossScale: 0 (bin 0, under 0.01 %) then 0.01 % to 100 %, 20 bins a decade.
	lossScale = scale{log: true, lo: 0.01, perDecade: 20}
	// rttScale: under 1 ms (bin 0) then 1 ms to 10 s, 20 bins a decade.
	rttScale = scale{log: true, lo: 1, perDecade: 20}
)

// bin returns v's bin, or -1 for NaN.
func (s scale) bin(v float64) int {
	if math.IsNaN(v) {
		return -1
	}
	var b float64
	switch {
	case !s.log:
		b = math.Floor((v - s.lo) / s.step)
	case v < s.lo:
		return 0
	default:
		b = 1 + math.Floor(math.Log10(v/s.lo)*s.perDecade)
	}
	return int(min(max(b, 0), histBins-1))
}

// value returns the value a bin stands for: its middle (the geometric
// middle on a log scale; 0 for a log scale's bin 0).
func (s scale) value(b int) float64 {
	switch {
	case !s.log:
		return s.lo + (float64(b)+0.5)*s.step
	case b == 0:
		return 0
	}
	return s.lo * math.Pow(10, (float64(b-1)+0.5)/s.perDecade)
}

// add counts bin b (ignored when b < 0) with sign +1 or -1.
func (h *hist) add(b int, sign int32) {
	if b < 0 {
		return
	}
	h.counts[b] += sign
	h.n += sign
}

// quantile returns the value below which a share q of the counted values
// fall (NaN when nothing was counted).
func (h *hist) quantile(s scale, q float64) float64 {
	if h.n <= 0 {
		return math.NaN()
	}
	rank := int32(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen int32
	for b, c := range h.counts {
		seen += c
		if seen >= rank {
			return s.value(b)
		}
	}
	return s.value(histBins - 1)
}
