package diagnose

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// raise opens a finding for def on cn, starting at start.
func (r *ruleSet) raise(c *call, p *participant, cn *connection, def *ruleDef, rs *ruleState, start int64, a msgArgs) {
	f := &Finding{
		Rule:     def.id,
		Severity: def.severity,
		Subject:  Subject{CallID: c.id, ParticipantID: p.id, ConnectionID: cn.id},
		Start:    msTime(start),
		Advice:   def.advice,
	}
	rs.open = f
	cn.openRules |= ruleBit(def)
	r.fill(f, p, cn, def, rs, a)
	if len(c.findings) >= maxFindingsPerCall {
		r.dropOldestCleared(c)
	}
	c.findings = append(c.findings, f)
	r.open[f.Key()] = f
	c.addTimeline(TimelineEvent{Time: f.Start, ParticipantID: p.id, Kind: "finding-raised", Text: f.Message, Severity: f.Severity})
}

// refresh updates an open finding. A windowed rule keeps the episode's
// worst numbers in its message and evidence (a report then says how bad it
// got, not how it looked as it cleared) and only escalates its severity;
// a sustained rule updates how long the condition has held.
func (r *ruleSet) refresh(p *participant, cn *connection, def *ruleDef, rs *ruleState, a msgArgs) {
	f := rs.open
	// The message states the window mean and the evidence the figure that
	// decided: either getting worse refreshes the finding.
	if def.mode == windowed && def.threshold == nil && len(f.Evidence) > 0 && !def.op.crosses(a.decided, f.Evidence[0].Value) &&
		!def.op.crosses(a.v, float64(rs.msgV)/def.scale) && !(def.burst.leads(def, a.v, a.s) && def.burst.worse(f.Evidence, a.s)) {
		if def.crit != 0 && f.Severity < Critical && def.op.crosses(rs.mean(int(def.critN), def.scale), def.crit) {
			r.fill(f, p, cn, def, rs, a)
			p.c.markDirty()
		}
		return
	}
	r.fill(f, p, cn, def, rs, a)
	p.c.markDirty()
}

// fill writes message, evidence and severity. Findings handed out earlier
// are copies, so replacing the Evidence slice is safe.
func (r *ruleSet) fill(f *Finding, p *participant, cn *connection, def *ruleDef, rs *ruleState, a msgArgs) {
	a.name, a.cn = p.displayName(), cn
	a.burst = def.burst.leads(def, a.v, a.s)
	f.ParticipantName = a.name
	f.Message = endSentence(def.message(a))
	rs.msgV = uint16(clamp(math.Round(a.v*def.scale), 0, math.MaxUint16))
	ev := Evidence{Metric: def.metric, Value: round2(a.v), Threshold: def.raise, Unit: def.unit}
	if def.mode == windowed && !math.IsNaN(a.decided) {
		ev.Value = round2(a.decided)
	}
	if def.threshold != nil && a.s != nil {
		ev.Value, ev.Threshold = round2(a.s.availOutKbps), round2(def.threshold(a.s))
	}
	evs := []Evidence{ev}
	if def.mode == sustained && def.duration > 0 {
		evs = append(evs, Evidence{Metric: "held", Value: round2(a.held), Threshold: def.duration.Seconds(), Unit: "s"})
	}
	if def.crit != 0 {
		cm := rs.mean(int(def.critN), def.scale)
		if def.op.crosses(cm, def.crit) {
			f.Severity = max(f.Severity, Critical)
		}
		if !math.IsNaN(cm) {
			evs = append(evs, Evidence{Metric: def.metric + " (" + strconv.Itoa(int(def.critN)) + "-sample mean)", Value: round2(cm), Threshold: def.crit, Unit: def.unit})
		}
	}
	if a.burst {
		evs = append(evs, def.burst.evidence(a.s)...)
	}
	f.Evidence = evs
}

// clear closes rs's open finding at t.
func (r *ruleSet) clear(c *call, rs *ruleState, t int64) {
	f := rs.open
	rs.open = nil
	if f == nil {
		return
	}
	f.End = msTime(max(t, f.Start.UnixMilli()))
	delete(r.open, f.Key())
	c.addTimeline(TimelineEvent{Time: f.End, ParticipantID: f.Subject.ParticipantID, Kind: "finding-cleared",
		Text: f.ParticipantName + ": " + strings.ReplaceAll(f.Rule, "-", " ") + " cleared", Severity: Info})
}

// closeConnection ends every open finding of cn at t (the participant
// left, the call ended, the connection closed).
func (r *ruleSet) closeConnection(c *call, cn *connection, t int64) {
	for i := range cn.rules {
		cn.rules[i].since = 0
		f := cn.rules[i].open
		switch {
		case f == nil:
		case teardownRule[rules[i].id] && t-f.Start.UnixMilli() <= teardownGrace:
			r.retract(c, &cn.rules[i])
		default:
			r.clear(c, &cn.rules[i], t)
		}
	}
	delete(r.pending, cn)
	cn.openRules = 0
	// Nothing more is evaluated on a closed connection: free its rule and
	// path state (connectionFor makes them again if it comes back).
	cn.rules, cn.pairs, cn.locals = nil, nil, nil
}

// teardownGrace is how soon before a connection closes (or its
// participant leaves, or the call ends) a media-stopped finding is taken
// as the hang-up itself rather than a problem: media stops a moment before
// the close is signalled.
const teardownGrace = 5000 // ms

// teardownRule marks the rules whose symptom is media stopping or
// thinning out, which every hang-up produces.
var teardownRule = map[string]bool{RuleNoMediaInbound: true, RuleNoMediaOutbound: true, RuleVideoPoor: true, RuleVideoFreeze: true}

// retract withdraws rs's open finding: it was raised by the call's own
// teardown. It leaves the call's findings and timeline as if never raised.
func (r *ruleSet) retract(c *call, rs *ruleState) {
	f := rs.open
	rs.open = nil
	delete(r.open, f.Key())
	for i, g := range c.findings {
		if g == f {
			c.findings = append(c.findings[:i], c.findings[i+1:]...)
			break
		}
	}
	start := f.Start.UnixMilli()
	for i, e := range c.timeline {
		if e.t == start && e.pid == f.Subject.ParticipantID && eventKinds[e.kind] == "finding-raised" && e.text == f.Message {
			c.timeline = append(c.timeline[:i], c.timeline[i+1:]...)
			break
		}
	}
	c.markDirty()
}

// dropOldestCleared makes room in a call's finding list by removing its
// oldest cleared finding (open ones are never dropped).
func (r *ruleSet) dropOldestCleared(c *call) {
	for i, f := range c.findings {
		if !f.Open() {
			c.findings = append(c.findings[:i], c.findings[i+1:]...)
			return
		}
	}
}

// openFindings returns a copy of every open finding, oldest first.
func (r *ruleSet) openFindings() []Finding {
	out := make([]Finding, 0, len(r.open))
	for _, f := range r.open {
		out = append(out, *f)
	}
	sortFindings(out)
	return out
}

func sortFindings(fs []Finding) {
	sort.Slice(fs, func(i, j int) bool {
		if !fs[i].Start.Equal(fs[j].Start) {
			return fs[i].Start.Before(fs[j].Start)
		}
		return fs[i].Key() < fs[j].Key()
	})
}

func round2(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v*100) / 100
}
