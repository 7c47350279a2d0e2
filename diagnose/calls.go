package diagnose

import (
	"math"
	"time"

	"github.com/calltop/calltop/feed"
)

// callSet is the call model: every live call with its participants and
// their connections, the ended calls kept for a report, the ids of calls
// that recently left, the focused call and the newest data time. It
// decides what exists; the metrics, rules and views read it.
type callSet struct {
	now     int64 // the newest data time seen (ms)
	byID    map[string]*call
	archive []*call
	live    liveList // the live calls' summaries, for Snapshot
	focus   *call
	// retired remembers calls that ended and left the live set (data time
	// they left), so a late stats message does not bring one back as a
	// ghost; entries expire after retiredMemory.
	retired   map[string]int64
	maxCalls  int
	keepEnded bool
	fineCap   int // the focused call's fine-ring size
	dq        dataQuality
	// findings closes a connection's findings when it, its participant or
	// its call goes.
	findings *ruleSet
	// fleet is told when a call leaves the live set.
	fleet *fleetState
	// ended holds calls that left the live set, for Monitor.TakeEnded
	// (only with Options.CollectEnded).
	ended      []*call
	collecting bool
}

// retiredMemory is how long a retired call id is remembered, and
// maxRetired bounds how many are.
const (
	retiredMemory = 10 * 60 * 1000
	maxRetired    = 100000
)

func newCallSet(opts Options, dq dataQuality, findings *ruleSet) callSet {
	return callSet{byID: map[string]*call{}, retired: map[string]int64{}, maxCalls: opts.MaxCalls,
		keepEnded: opts.KeepEnded, collecting: opts.CollectEnded, fineCap: max(fineShort, int(opts.History/time.Second)), dq: dq, findings: findings}
}

// callFor returns the call, creating it (started at t) if it is unknown.
// A call that recently ended and left is not brought back by a late
// message; only a call.start or a snapshot starts that id again.
func (cs *callSet) callFor(id string, t int64) *call {
	if id == "" {
		return nil
	}
	if c := cs.byID[id]; c != nil {
		return c
	}
	if _, gone := cs.retired[id]; gone {
		return nil
	}
	return cs.newCall(id, t)
}

func (cs *callSet) newCall(id string, t int64) *call {
	delete(cs.retired, id)
	if len(cs.byID) >= cs.maxCalls {
		cs.dq.mark(DQTooMany)
		return nil
	}
	c := &call{id: id, start: t} // the key stays exact; summaries show it cleaned
	cs.byID[id] = c
	cs.live.add(c)
	return c
}

// upsertCall adds or updates a call. start (a call.start) or revive (a
// snapshot listing it as ongoing) may start an id that recently ended.
func (cs *callSet) upsertCall(fc *feed.Call, t int64, start, revive bool) *call {
	if old := cs.byID[fc.ID]; old != nil && old.end != 0 && (start || revive) {
		cs.retire(old) // the id is reused: the ended call goes, a new one starts
	}
	c := cs.byID[fc.ID]
	if c == nil && (start || revive) {
		c = cs.newCall(fc.ID, t)
	} else if c == nil {
		c = cs.callFor(fc.ID, t)
	}
	if c == nil {
		return nil
	}
	if fc.Room != "" {
		c.room = Clean(fc.Room)
	}
	if fc.Tags != nil {
		c.tags = cleanTags(fc.Tags)
	}
	c.source = Clean(fc.Source) // not merged: an update without it says the source is live
	if s := epochMs(fc.Start); s != 0 {
		c.start = s
	}
	c.markDirty()
	return c
}

func (cs *callSet) upsertParticipant(c *call, fp *feed.Participant, t int64) *participant {
	if c.end != 0 {
		return nil
	}
	p := c.participant(fp.ID)
	if p == nil {
		if len(c.parts) >= maxParticipants {
			cs.dq.mark(DQTooMany)
			return nil
		}
		joined := epochMs(fp.Joined)
		if joined == 0 {
			joined = t
		}
		p = &participant{id: fp.ID, c: c, joined: joined, hist: newHistory(joined), mosLast: math.NaN(), mosMin: math.NaN()}
		if c.focused {
			p.hist.focus(cs.fineCap)
		}
		c.parts = append(c.parts, p)
		c.addTimeline(TimelineEvent{Time: msTime(joined), ParticipantID: p.id, Kind: "joined"})
	} else if p.left {
		p.left, p.leftAt = false, 0
		c.addTimeline(TimelineEvent{Time: msTime(t), ParticipantID: p.id, Kind: "joined", Text: "rejoined"})
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = Clean(v)
		}
	}
	set(&p.name, fp.Name)
	set(&p.userID, fp.UserID)
	set(&p.userAgent, fp.UserAgent)
	set(&p.networkType, fp.NetworkType)
	set(&p.region, fp.Region)
	p.groups = nil // the fleet groups are made again from what the update says
	c.markDirty()
	c.namesChanged = true
	return p
}

// participantFor finds or creates the participant a stats report or an
// event is routed to; nil when the call has ended or the participant left.
func (cs *callSet) participantFor(msg *feed.Message, t int64) (*call, *participant) {
	c := cs.callFor(msg.CallID, t)
	if c == nil || c.end != 0 || msg.ParticipantID == "" {
		return nil, nil
	}
	p := c.participant(msg.ParticipantID)
	if p == nil {
		p = cs.upsertParticipant(c, &feed.Participant{ID: msg.ParticipantID}, t)
	}
	if p == nil || p.left {
		return nil, nil
	}
	return c, p
}

// connectionFor finds or creates p's connection id (its rule state made
// again if it had closed); nil beyond maxConnections.
func (cs *callSet) connectionFor(p *participant, id string) *connection {
	if id == "" {
		return nil
	}
	if cn := p.connection(id); cn != nil {
		if cn.rules == nil {
			cn.rules = make([]ruleState, len(rules))
		}
		return cn
	}
	if len(p.conns) >= maxConnections {
		cs.dq.mark(DQTooMany)
		return nil
	}
	cn := &connection{id: id, idx: uint8(len(p.conns)), p: p, rules: make([]ruleState, len(rules)), rttLast: math.NaN(),
		lossInAvg: math.NaN(), lossOutAvg: math.NaN()}
	p.conns = append(p.conns, cn)
	return cn
}

// leave marks p as gone and closes its findings.
func (cs *callSet) leave(c *call, p *participant, t int64, reason string) {
	if p.left {
		return
	}
	p.left, p.leftAt = true, t
	for _, cn := range p.conns {
		cs.findings.closeConnection(c, cn, t)
	}
	c.addTimeline(TimelineEvent{Time: msTime(t), ParticipantID: p.id, Kind: "left", Text: reason})
}

// endCall marks c ended at t and closes every open finding.
func (cs *callSet) endCall(c *call, t int64, reason string) {
	if c.end != 0 {
		return
	}
	for _, p := range c.parts {
		for _, cn := range p.conns {
			cs.findings.closeConnection(c, cn, t)
		}
	}
	c.end, c.endedAt = max(t, c.start), cs.now
	text := "call ended"
	if reason != "" {
		text += ": " + reason
	}
	c.addTimeline(TimelineEvent{Time: msTime(t), Kind: "ended", Text: text})
}

// retire removes c from the live set, keeping it for Report if asked.
func (cs *callSet) retire(c *call) {
	if c.end == 0 {
		cs.endCall(c, cs.now, "")
	}
	delete(cs.byID, c.id)
	cs.live.remove(c)
	cs.fleet.drop(c)
	if len(cs.retired) < maxRetired {
		cs.retired[c.id] = cs.now
	}
	if cs.focus == c {
		cs.focus = nil
	}
	if cs.keepEnded {
		cs.archive = append(cs.archive, c)
	}
	cs.collectEnded(c)
}

// applySnapshot makes the live set match a snapshot: calls absent from it
// end and leave at once (no ghosts after a reconnect), the others are
// added or updated, keeping their history.
func (cs *callSet) applySnapshot(calls []feed.Call, t int64) {
	in := make(map[string]*feed.Call, len(calls))
	for i := range calls {
		if calls[i].ID != "" {
			in[calls[i].ID] = &calls[i]
		}
	}
	for id, c := range cs.byID {
		if _, ok := in[id]; !ok {
			cs.endCall(c, t, "absent from the feed's snapshot")
			cs.retire(c)
		}
	}
	for i := range calls {
		fc := &calls[i]
		if fc.ID == "" {
			continue
		}
		c := cs.upsertCall(fc, t, false, true)
		if c == nil {
			continue
		}
		present := map[string]bool{}
		for j := range fc.Participants {
			if fp := &fc.Participants[j]; fp.ID != "" {
				present[fp.ID] = true
				cs.upsertParticipant(c, fp, t)
			}
		}
		for _, p := range c.parts {
			if !present[p.id] {
				cs.leave(c, p, t, "absent from the feed's snapshot")
			}
		}
	}
}

// restart begins a new epoch of data time at t (a replay started over):
// ended calls leave now, retired ids are forgotten (the replay starts them
// again), and the clock goes back to t.
func (cs *callSet) restart(t int64) {
	for _, c := range cs.byID {
		if c.end != 0 {
			cs.retire(c)
		}
	}
	clear(cs.retired)
	cs.now = t
}

// sweep retires ended calls whose linger (ms) is over and, about every
// 10 s, forgets retired ids older than retiredMemory.
func (cs *callSet) sweep(linger int64) {
	for _, c := range cs.byID {
		if c.end != 0 && cs.now-c.endedAt >= linger && cs.now-c.end >= linger {
			cs.retire(c)
		}
	}
	if cs.now%10000 < lingerSweepInterval || len(cs.retired) >= maxRetired { // every ~10 s
		for id, at := range cs.retired {
			if cs.now-at >= retiredMemory {
				delete(cs.retired, id)
			}
		}
	}
}

// setFocus follows c (nil: none): its participants keep the full
// sparkline history, the previously focused call's shrink back.
func (cs *callSet) setFocus(c *call) {
	if cs.focus == c {
		return
	}
	if old := cs.focus; old != nil {
		old.focused = false
		for _, p := range old.parts {
			p.hist.unfocus()
		}
	}
	cs.focus = c
	if c != nil {
		c.focused = true
		for _, p := range c.parts {
			p.hist.focus(cs.fineCap)
		}
	}
}
