package diagnose

import (
	"math"

	"github.com/calltop/calltop/feed"
)

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

// How a stream applies the verdicts (stream.update calls these).

// firstFault is the first of two data-quality reasons ("" is none).
func firstFault(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// counterLimit is the plausibility bound of counter i's value.
func counterLimit(i int) float64 {
	if i == cBytes {
		return maxBytes
	}
	return maxCounter
}

// judge runs checkCounter on the counters in slow (bits by slot) and
// applies each verdict; it returns the first fault.
func (st *stream) judge(slow uint16, cur, d *[nCounters]float64) (reason string) {
	for j, i := range countersOf[st.typ] {
		if slow&(1<<j) == 0 {
			continue
		}
		prev := st.c[j]
		chk := checkCounter(prev, cur[i], counterLimit(i), i == cLost)
		if chk.reason == DQCounterReset && st.twice {
			chk = counterCheck{reason: DQOutOfOrder} // the other copy, not a restart
		}
		if chk.reason == "" {
			d[i] = chk.delta
			continue
		}
		reason = firstFault(reason, st.fault(i, prev, chk, cur, d))
	}
	return reason
}

// fault applies a marked counter's verdict: no delta this sample, and
// either a new baseline (rebase) or the old one kept.
func (st *stream) fault(i int, prev float64, chk counterCheck, cur, d *[nCounters]float64) string {
	d[i] = math.NaN()
	if chk.rebase {
		st.rebase(i, prev, cur[i], chk.reason)
	} else {
		cur[i] = prev // keep the baseline: the next sample covers both intervals
	}
	return chk.reason
}

// again judges a second object for the stream in the report that already
// updated it: the same object repeated is no fault; a different one (say
// the same stats id twice with other counters) is a duplicate, and taking
// it would make every report a reset.
func (st *stream) again(s *feed.Stat, ts float64) string {
	if ts == st.lastTS && readCounters(s) == st.full() {
		return ""
	}
	st.twice = true
	return DQDuplicateTimestamp
}

// firstCheck validates a stream's first counters: a bad one starts from a
// zero baseline, and the first fault is returned.
func (st *stream) firstCheck(cur *[nCounters]float64) (reason string) {
	for _, i := range countersOf[st.typ] {
		if chk := checkCounter(0, cur[i], counterLimit(i), i == cLost); chk.reason != "" && chk.reason != DQMissingField {
			cur[i] = 0
			reason = firstFault(reason, chk.reason)
		}
	}
	return reason
}

// rebase takes c as counter i's new baseline after a reset, a wrap or an
// absurd jump from prev, keeping its total continuous (bytes, packets and
// lost keep totals): a wrap adds 2^32, a restart from zero keeps what was
// counted before it, a jump is not counted.
func (st *stream) rebase(i int, prev, c float64, reason string) {
	if i >= len(st.off) {
		return
	}
	switch {
	case reason == DQCounterWrap:
		st.off[i] += wrap32
	case c < prev:
		st.off[i] += prev // the counter restarted from zero
	default:
		st.off[i] += prev - c // do not count the jump
	}
}

// countFreezes takes a received video stream's freezeCount and returns
// the freezes since the previous sample: NaN when the count is not a
// plausible counter or went back (it is re-based silently: freezeDuration
// carries the data-quality marks).
func (st *stream) countFreezes(v float64) float64 {
	prev := float64(st.freezeCount)
	if !(v >= 0 && v <= maxCounter) { // false for NaN
		return math.NaN()
	}
	st.freezeCount = float32(v)
	if v < prev {
		return math.NaN()
	}
	return v - prev
}
