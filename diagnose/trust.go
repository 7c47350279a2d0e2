package diagnose

import "math"

// Data-quality reasons: why a sample (or one value of it) was marked
// untrustworthy and left out of every rate, rule and aggregate. They are
// the keys of Snapshot.DataQuality.
const (
	DQDuplicateTimestamp = "duplicate-timestamp" // same timestamp as the previous sample of the stream
	DQOutOfOrder         = "out-of-order"        // older than the previous sample of the stream
	DQMissingTimestamp   = "missing-timestamp"   // neither the stats object nor the message had a time
	DQMissingField       = "missing-field"       // a counter dropped to exactly 0: absent in this report
	DQCounterReset       = "counter-reset"       // a counter went backwards: renegotiation or a restarted sender
	DQCounterWrap        = "counter-wrap"        // a counter wrapped around 2^32
	DQNotANumber         = "not-a-number"        // NaN, infinity or a negative count
	DQAbsurdValue        = "absurd-value"        // a value no real call produces (a billion packets, loss over 100 %)
	DQTooMany            = "too-many-objects"    // a bound (calls, participants, connections, streams) was reached
	DQBadTime            = "bad-message-time"    // a message time that is not a plausible epoch time
	DQSnapshotParts      = "snapshot-parts"      // a split snapshot's parts arrived out of sequence
)

// Plausibility bounds for counters and gauges. They are far beyond any
// real WebRTC session, so they only catch garbage and wraps.
const (
	maxCounter      = 1e9   // packets, frames or samples: "no billion-packet totals"
	maxBytes        = 1e13  // 10 TB sent or received on one stream
	maxBytesPerSec  = 125e6 // 1 Gbit/s on one RTP stream
	maxPacketsPerS  = 1e5   // packets per second on one RTP stream
	maxGaugeSeconds = 60    // jitter, RTT, jitter-buffer delay (seconds)
	maxFPS          = 1000
	maxFrameHeight  = 16384 // px: beyond any camera or screen share
	maxEpochMs      = 4e12  // year 2096
	wrap32          = 1 << 32
	lostSlack       = 10 // packetsLost may go down this much (duplicates), silently
)

// counterCheck is the verdict on one cumulative counter between two
// samples.
type counterCheck struct {
	delta  float64
	reason string // "" when trustworthy
	rebase bool   // take the new value as the baseline (reset, wrap)
}

// checkCounter judges a cumulative counter going from prev to cur. limit
// is the plausibility bound for the counter's value. signed counters
// (packetsLost) may dip slightly without being marked. The order matters:
// a small dip of a signed counter is news even when it lands on 0 (lost
// 2 -> 0); a drop to exactly 0 is then a field absent from the report,
// a drop from the top of 2^32 to the bottom a wrap, a drop to less than
// half a restart from zero (re-based), and any other drop an older value
// (a stale copy of the object: marked, the baseline kept).
func checkCounter(prev, cur, limit float64, signed bool) counterCheck {
	switch {
	case math.IsNaN(cur) || math.IsInf(cur, 0) || (cur < 0 && !signed):
		return counterCheck{reason: DQNotANumber}
	case math.Abs(cur) > limit:
		return counterCheck{reason: DQAbsurdValue}
	case cur >= prev:
		return counterCheck{delta: cur - prev}
	case signed && prev-cur <= lostSlack:
		return counterCheck{delta: 0}
	case cur == 0:
		return counterCheck{reason: DQMissingField}
	case prev >= wrap32*0.75 && cur < wrap32*0.25:
		return counterCheck{reason: DQCounterWrap, rebase: true}
	case cur >= prev/2:
		return counterCheck{reason: DQOutOfOrder}
	}
	return counterCheck{reason: DQCounterReset, rebase: true}
}

// gauge returns v if it is a plausible non-negative value up to limit (a
// finite bound), else NaN and the reason.
func gauge(v, limit float64) (float64, string) {
	if v >= 0 && v <= limit { // false for NaN; limit is finite, so for ±Inf too
		return v, ""
	}
	return math.NaN(), gaugeFault(v)
}

// gaugeFault is why v is not a plausible gauge (kept out of gauge, so that
// gauge is small enough to inline).
func gaugeFault(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return DQNotANumber
	}
	return DQAbsurdValue
}
