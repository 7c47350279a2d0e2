package diagnose

import (
	"math"
	"math/bits"
	"slices"
)

// ruleState is one rule's memory for one connection: bit windows of the
// last 8 samples (1 = crossed), the last 8 values in 16 bits at the rule's
// resolution, and the open finding. 40 bytes, 20 per connection.
type ruleState struct {
	open                 *Finding
	since                int64 // sustained: when the condition began (0: not holding)
	vals                 [8]uint16
	raiseBits, clearBits uint8
	n, vi, vn            uint8  // samples seen (saturating), next slot, values held
	msgV                 uint16 // the window mean the open finding's message states, scaled as vals
}

func (rs *ruleState) push(raise, clear bool, v, scale float64) {
	rs.raiseBits = rs.raiseBits<<1 | uint8(boolf(raise))
	rs.clearBits = rs.clearBits<<1 | uint8(boolf(clear))
	if rs.n < 8 {
		rs.n++
	}
	rs.vals[rs.vi] = uint16(clamp(math.Round(v*scale), 0, math.MaxUint16))
	rs.vi = (rs.vi + 1) % uint8(len(rs.vals))
	if int(rs.vn) < len(rs.vals) {
		rs.vn++
	}
}

// count returns how many of the last k samples have their bit set.
func count(b uint8, k int) int {
	return bits.OnesCount8(b & uint8(1<<uint(k)-1))
}

// mean returns the mean of the last k values.
func (rs *ruleState) mean(k int, scale float64) float64 {
	k = min(k, int(rs.vn))
	if k == 0 {
		return math.NaN()
	}
	sum := 0.0
	for j := 1; j <= k; j++ {
		sum += float64(rs.vals[uint(int(rs.vi)-j+len(rs.vals))%uint(len(rs.vals))])
	}
	return sum / float64(k) / scale
}

// decided is the figure that decided a windowed rule: the need-th worst
// of the last window values (at least need samples were this bad), so the
// evidence of a raised finding always crosses its threshold.
func (rs *ruleState) decided(def *ruleDef) float64 {
	k := min(int(def.window), int(rs.vn))
	if k == 0 || def.need <= 0 {
		return math.NaN()
	}
	var vals [8]float64
	for j := 1; j <= k; j++ {
		vals[j-1] = float64(rs.vals[uint(int(rs.vi)-j+len(rs.vals))%uint(len(rs.vals))]) / def.scale
	}
	w := vals[:k]
	slices.Sort(w)
	if def.op == below {
		return w[min(def.need, k)-1] // the need-th lowest
	}
	return w[k-min(def.need, k)] // the need-th highest
}

// ruleSet is the rules step: it runs the rule table (rules.go) on each
// connection sample, keeps every connection's rule state, and raises and
// clears findings (findings.go). open indexes the open findings by key;
// pending holds the connections the sweep must re-check.
type ruleSet struct {
	open    map[string]*Finding
	pending map[*connection]struct{}
	// sustainedSample is evalSustained's copy of a connection's sample at
	// the time of the check (kept here so it is not allocated per call).
	sustainedSample connSample
}

func newRuleSet() ruleSet {
	return ruleSet{open: map[string]*Finding{}, pending: map[*connection]struct{}{}}
}

// eval runs every rule on a connection's new sample at data time t.
func (r *ruleSet) eval(c *call, p *participant, cn *connection, s *connSample, t int64) {
	defs, states := rules, cn.rules[:len(rules)] // locals: no reload or bounds check per rule
	// Burst conditions (video-freeze's repeated freezes, the only one) need
	// at least two freezes: tested once here, not for every rule.
	bursty := s.freezes >= 2
	for i := range defs {
		def, rs := &defs[i], &states[i]
		v := def.value(cn, s)
		if def.mode == sustained {
			r.evalSustainedRule(c, p, cn, def, rs, v, t)
			continue
		}
		if math.IsNaN(v) {
			continue // no decision on a missing or untrusted sample
		}
		raise, clear := def.op.crosses(v, def.raise), def.op.crosses(v, def.clear)
		burst := false
		if bursty {
			burst = def.burst != nil && def.burst.holds(s)
			raise, clear = raise || burst, clear || burst
		}
		rs.push(raise, clear, v, def.scale)
		// The window mean goes into messages only: computed when a finding
		// is raised or open, not for every rule on every sample.
		if rs.open == nil {
			// A burst is already a condition over a window: it needs no
			// further samples to confirm it.
			if (burst || count(rs.raiseBits, def.window) >= def.need) && t-cn.first >= def.warmup.Milliseconds() && !r.suppressed(p, def) {
				r.raise(c, p, cn, def, rs, t, msgArgs{v: rs.mean(def.window, def.scale), decided: rs.decided(def), s: s})
			}
		} else if count(rs.clearBits, def.clearWindow) == 0 && t-rs.open.Start.UnixMilli() >= def.hold.Milliseconds() {
			r.clear(c, rs, t)
			cn.openRules &^= ruleBit(def)
		}
		if rs.open != nil {
			r.refresh(p, cn, def, rs, msgArgs{v: rs.mean(def.window, def.scale), decided: rs.decided(def), s: s})
		}
	}
	r.trackPending(cn)
}

// evalSustained re-checks a connection's sustained rules at time t (on a
// connection event, or from the sweep when only onSweep rules apply).
func (r *ruleSet) evalSustained(cn *connection, t int64, sweepOnly bool) {
	p := cn.p
	if p == nil || p.left || p.c == nil || p.c.end != 0 || len(cn.rules) == 0 {
		delete(r.pending, cn)
		return
	}
	for i := range rules {
		def := &rules[i]
		if def.mode != sustained || (sweepOnly && !def.onSweep) {
			continue
		}
		s := &r.sustainedSample // a local would escape through def.value
		*s = cn.cur
		s.t = t
		r.evalSustainedRule(p.c, p, cn, def, &cn.rules[i], def.value(cn, s), t)
	}
	r.trackPending(cn)
}

func (r *ruleSet) evalSustainedRule(c *call, p *participant, cn *connection, def *ruleDef, rs *ruleState, v float64, t int64) {
	if math.IsNaN(v) {
		return
	}
	if rs.open != nil {
		if !def.op.crosses(v, def.clear) && t-rs.open.Start.UnixMilli() >= def.hold.Milliseconds() {
			rs.since = 0
			r.clear(c, rs, t)
			cn.openRules &^= ruleBit(def)
			return
		}
		r.refresh(p, cn, def, rs, msgArgs{v: v, held: float64(t-rs.since) / msPerSecond, s: &cn.cur})
		return
	}
	if !def.op.crosses(v, def.raise) {
		rs.since = 0
		return
	}
	if rs.since == 0 || rs.since > t {
		rs.since = t
	}
	warm := cn.first == 0 || t-cn.first >= def.warmup.Milliseconds()
	if def.warmup == 0 {
		warm = true
	}
	if t-rs.since >= def.duration.Milliseconds() && warm && !r.suppressed(p, def) {
		r.raise(c, p, cn, def, rs, rs.since, msgArgs{v: v, held: float64(t-rs.since) / msPerSecond, s: &cn.cur})
	}
}

// sweep re-checks the pending connections' sustained rules at now.
func (r *ruleSet) sweep(now int64) {
	for cn := range r.pending {
		r.evalSustained(cn, now, true)
	}
}

// trackPending keeps cn in the sweep set while one of its onSweep rules
// has a condition holding without a finding yet, or an open finding.
func (r *ruleSet) trackPending(cn *connection) {
	for i := range cn.rules {
		if rules[i].onSweep && (cn.rules[i].since != 0 || cn.rules[i].open != nil) {
			r.pending[cn] = struct{}{}
			return
		}
	}
	delete(r.pending, cn)
}

// suppressed reports whether a root cause silences def for p.
func (r *ruleSet) suppressed(p *participant, def *ruleDef) bool {
	if def.perParticipant {
		i := ruleIndex[def.id]
		for _, cn := range p.conns {
			if len(cn.rules) > i && cn.rules[i].open != nil {
				return true // already raised on another connection
			}
		}
	}
	if def.suppress == notSuppressed {
		return false
	}
	for _, cn := range p.conns {
		if len(cn.rules) == 0 {
			continue // closed
		}
		if cn.rules[idxICEDisconnected].open != nil || cn.rules[idxICEFailed].open != nil ||
			stateIs(cn, disconnectedState) == 1 || stateIs(cn, failedState) == 1 {
			return true // the connection is down: its silence is not a separate problem
		}
		if def.suppress == byRootCause {
			for _, i := range []int{idxLossIn, idxLossOut} {
				if f := cn.rules[i].open; f != nil && f.Severity == Critical {
					return true
				}
			}
		}
	}
	return false
}

var (
	idxICEDisconnected = ruleIndex[RuleICEDisconnected]
	idxICEFailed       = ruleIndex[RuleICEFailed]
	idxLossIn          = ruleIndex[RuleLossInbound]
	idxLossOut         = ruleIndex[RuleLossOutbound]
)
