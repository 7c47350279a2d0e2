package diagnose

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// views builds what readers see from the call model: the snapshot for
// the TUI (with the live list's cached summaries, live.go), the report
// (report.go), the stale participants and the calls' setup states. Only
// focusing a call changes the model (its history length).
type views struct {
	calls *callSet
	fleet *fleetState // the fleet view's table, fed by summary
}

// snapshot builds the Snapshot of Monitor.Snapshot.
func (v views) snapshot(focusCallID string, dq dataQuality) Snapshot {
	cs := v.calls
	cs.setFocus(cs.byID[focusCallID])
	v.refreshLive()
	snap := Snapshot{FeedTime: msTime(cs.now), Calls: append([]*CallSummary(nil), cs.live.summaries...),
		DataQuality: make(map[string]int, len(dq))}
	for k, n := range dq {
		snap.DataQuality[k] = n
	}
	if cs.focus != nil {
		snap.Focus = v.detail(cs.focus)
	}
	if v.fleet != nil {
		snap.Fleet = v.fleet.view(fleetPerFrame)
	}
	return snap
}

// summary returns c's CallSummary, rebuilding it only when c changed.
func (v views) summary(c *call) *CallSummary {
	if c.summary != nil && !c.dirty {
		return c.summary
	}
	c.version++
	s := &CallSummary{Key: c.id, Room: c.room, Tags: c.tags, Source: c.source, Start: msTime(c.start), End: msTime(c.end),
		Ended: c.end != 0, WorstMOS: math.NaN(), WorstLoss: math.NaN(), WorstRTTMs: math.NaN(), Version: c.version}
	if old := c.summary; old != nil && !c.namesChanged {
		s.ID, s.People = old.ID, old.People // unchanged: share them
	} else {
		s.ID, s.People = Clean(c.id), c.people()
		c.namesChanged = false
	}
	bitrate := math.NaN()
	var first int64
	for _, p := range c.parts {
		for _, cn := range p.conns {
			if cn.first != 0 && (first == 0 || cn.first < first) {
				first = cn.first
			}
		}
		if p.left {
			continue
		}
		s.Participants++
		s.WorstMOS = minNaN(s.WorstMOS, p.mosLast)
		for _, cn := range p.conns {
			s.WorstLoss = maxNaN(s.WorstLoss, maxNaN(cn.lossInAvg, cn.lossOutAvg))
			s.WorstRTTMs = maxNaN(s.WorstRTTMs, cn.cur.rttMs)
			bitrate = addNaN(bitrate, cn.cur.bitrateOut)
		}
	}
	s.BitrateKbps = bitrate
	if first != 0 {
		s.FirstStats = msTime(first)
	}
	if top := worstOpen(c.findings); top != nil {
		s.Severity, s.TopFinding, s.TopRule = top.Severity, top.Message, top.Rule
	}
	if s.Ended {
		s.WorstMOS = worstMeanMOS(c)
	}
	if s.Ended && c.summary != nil {
		keepLast(s, c.summary, hasRule(c.findings, c.summary.TopRule))
	}
	v.fleet.set(c, c.summary, s)
	c.summary, c.dirty = s, false
	if c.live != nil {
		c.live.summaries[c.slot] = s
	}
	return s
}

// worstMeanMOS is an ended call's MOS in the calls list: the lowest of
// its participants' means over the call (as the report and history give
// them), not whatever the last sample before the hang-up said. NaN with no
// audio.
func worstMeanMOS(c *call) float64 {
	worst := math.NaN()
	for _, p := range c.parts {
		if p.mosN > 0 {
			worst = minNaN(worst, p.mosSum/float64(p.mosN))
		}
	}
	return worst
}

// keepLast gives an ended call's summary the worst finding and figures it
// had while it ran (its findings closed and its participants left with
// the end): the calls list shows how the call ended, not "ok".
// A worst finding the teardown retracted (media stopping at the hang-up)
// is not kept: the call's findings no longer hold it.
func keepLast(s, old *CallSummary, stillFound bool) {
	if s.Severity == None && old.Severity > None && stillFound {
		s.Severity, s.TopFinding, s.TopRule = old.Severity, old.TopFinding, old.TopRule
	}
	if s.Participants == 0 {
		s.Participants = old.Participants
	}
	for _, f := range []struct{ cur, last *float64 }{
		{&s.WorstMOS, &old.WorstMOS}, {&s.WorstLoss, &old.WorstLoss}, {&s.WorstRTTMs, &old.WorstRTTMs}, {&s.BitrateKbps, &old.BitrateKbps},
	} {
		if math.IsNaN(*f.cur) {
			*f.cur = *f.last
		}
	}
}

// people lists the participants by id, display name and user id, cleaned.
func (c *call) people() []Person {
	out := make([]Person, 0, len(c.parts))
	for _, p := range c.parts {
		out = append(out, Person{ID: Clean(p.id), Name: Clean(p.displayName()), UserID: Clean(p.userID)})
	}
	return out
}

// worstOpen returns the open finding of highest severity, the oldest on
// a tie.
func worstOpen(fs []*Finding) *Finding {
	var top *Finding
	for _, f := range fs {
		if f.Open() && (top == nil || f.Severity > top.Severity) {
			top = f
		}
	}
	return top
}

// hasRule reports whether one of fs is of rule.
func hasRule(fs []*Finding, rule string) bool {
	return slices.ContainsFunc(fs, func(f *Finding) bool { return f.Rule == rule })
}

// detail builds the focused call's drill-down.
func (v views) detail(c *call) *CallDetail {
	d := &CallDetail{Summary: v.summary(c), Participants: make([]ParticipantDetail, 0, len(c.parts))}
	for _, f := range c.findings {
		d.Findings = append(d.Findings, *f)
	}
	sort.SliceStable(d.Findings, func(i, j int) bool {
		a, b := &d.Findings[i], &d.Findings[j]
		if a.Open() != b.Open() {
			return a.Open()
		}
		if a.Open() && a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		return a.Start.After(b.Start)
	})
	for _, p := range c.parts {
		d.Participants = append(d.Participants, v.participantDetail(c, p))
	}
	d.Timeline = c.timelineEvents()
	return d
}

func (v views) participantDetail(c *call, p *participant) ParticipantDetail {
	pd := ParticipantDetail{ID: Clean(p.id), Name: p.displayName(), UserID: p.userID, UserAgent: p.userAgent,
		Browser: Browser(p.userAgent), NetworkType: p.networkType, Region: p.region, Left: p.left, MOS: p.mosLast}
	var worst *Finding
	for _, f := range c.findings {
		if f.Open() && f.Subject.ParticipantID == p.id && (worst == nil || f.Severity > worst.Severity) {
			worst = f
		}
	}
	if worst != nil {
		w := *worst
		pd.Worst = &w
	}
	for _, cn := range p.conns {
		pd.Connections = append(pd.Connections, ConnectionDetail{ID: Clean(cn.id), ICEState: cn.ice, ConnectionState: cn.state,
			LocalCandidateType: cn.local.typ, RelayProtocol: cn.local.relayProtocol, Protocol: cn.local.protocol})
	}
	ser := p.hist.series()
	pd.BitrateIn, pd.BitrateOut = ser[seriesBitrateIn], ser[seriesBitrateOut]
	pd.LossIn, pd.LossOut, pd.RTT = ser[seriesLossIn], ser[seriesLossOut], ser[seriesRTT]
	x := p.hist.extraSeries()
	pd.JitterIn, pd.FrameRateIn, pd.FrameHeightIn = x[0], x[1], x[2]
	return pd
}

// staleParticipants builds Monitor.StaleParticipants.
func (v views) staleParticipants(after time.Duration) []Subject {
	var out []Subject
	lim := after.Milliseconds()
	now := v.calls.now
	for _, c := range v.calls.byID {
		if c.end != 0 || c.source != "" { // a lost source explains the silence: its hub is gone, not its people
			continue
		}
		for _, p := range c.parts {
			if !p.left && p.lastStats != 0 && now-p.lastStats >= lim {
				out = append(out, Subject{CallID: c.id, ParticipantID: p.id})
			}
		}
	}
	// Ordered by call, then participant (no Key: formatting a key per
	// comparison dominated this with thousands of stale participants).
	slices.SortFunc(out, func(a, b Subject) int {
		return cmp.Or(strings.Compare(a.CallID, b.CallID), strings.Compare(a.ParticipantID, b.ParticipantID))
	})
	return out
}

// Browser shortens a user agent to "Chrome 131", "Firefox 145", "Safari
// 18.6", "Edge 142" (or "" when unknown).
func Browser(ua string) string {
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Version/", "Safari"},
	} {
		i := strings.Index(ua, b.token)
		if i < 0 {
			continue
		}
		v := ua[i+len(b.token):]
		if j := strings.IndexAny(v, " ;)"); j >= 0 {
			v = v[:j]
		}
		if b.name != "Safari" {
			if j := strings.IndexByte(v, '.'); j >= 0 {
				v = v[:j]
			}
		}
		return Clean(b.name + " " + v)
	}
	return ""
}

// allCalls returns live and archived calls, oldest start first.
func (v views) allCalls() []*call {
	cs := v.calls
	out := make([]*call, 0, len(cs.byID)+len(cs.archive))
	out = append(out, cs.archive...)
	for _, c := range cs.byID {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].start != out[j].start {
			return out[i].start < out[j].start
		}
		return out[i].id < out[j].id
	})
	return out
}
