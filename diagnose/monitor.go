package diagnose

import (
	"math"
	"time"

	"github.com/calltop/calltop/feed"
)

// Options configure a Monitor. Zero values take the defaults.
type Options struct {
	// History is how much sparkline history the focused call keeps
	// (default 15 minutes, at one point per stats sample).
	History time.Duration
	// Linger is how long an ended call stays in snapshots (default 1 minute
	// of data time).
	Linger time.Duration
	// KeepEnded keeps ended calls (and calls dropped by a snapshot) for
	// Report after they leave the snapshot; `calltop report` sets it.
	KeepEnded bool
	// MaxCalls bounds the calls tracked at once (default 200,000); calls
	// beyond it are ignored and counted as DQTooMany.
	MaxCalls int
}

// Monitor applies calltop.v1 messages and keeps, per call, participant,
// connection and stream, the derived metrics, the rule state and the
// findings. It is not safe for concurrent use: one goroutine owns it.
// All time comes from the data (Message.TS, Stat.Timestamp).
type Monitor struct {
	opts      Options
	now       int64
	calls     map[string]*call
	archive   []*call
	open      map[string]*Finding
	dq        map[string]int
	focus     *call
	lastSweep int64
	pending   map[*connection]struct{}
	live      liveList // the live calls' summaries, for Snapshot
	parts     feed.SnapshotAssembler
	// retired remembers calls that ended and left the live set (data time
	// they left), so a late stats message does not bring one back as a
	// ghost; entries expire after retiredMemory.
	retired map[string]int64
	// sustainedSample is evalSustained's copy of a connection's sample at
	// the time of the check (kept here so it is not allocated per call).
	sustainedSample connSample
}

// retiredMemory is how long a retired call id is remembered, and
// maxRetired bounds how many are.
const (
	retiredMemory = 10 * 60 * 1000
	maxRetired    = 100000
)

// NewMonitor returns an empty Monitor.
func NewMonitor(opts Options) *Monitor {
	if opts.History <= 0 {
		opts.History = defaultHistory
	}
	if opts.Linger <= 0 {
		opts.Linger = defaultLinger
	}
	if opts.MaxCalls <= 0 {
		opts.MaxCalls = defaultMaxCalls
	}
	return &Monitor{opts: opts, calls: map[string]*call{}, open: map[string]*Finding{},
		dq: map[string]int{}, pending: map[*connection]struct{}{}, retired: map[string]int64{}}
}

// Now returns the newest data time seen (zero before any).
func (m *Monitor) Now() time.Time { return msTime(m.now) }

func (m *Monitor) mark(reason string) {
	if reason != "" {
		m.dq[reason]++
	}
}

// epochMs converts a feed time (ms since the epoch) to int64, 0 when it is
// absent or implausible.
func epochMs(v float64) int64 {
	if math.IsNaN(v) || v <= 0 || v > maxEpochMs {
		return 0
	}
	return int64(v)
}

// Apply applies one decoded calltop.v1 message. It never panics: nil,
// unknown or inconsistent messages are ignored or counted as data-quality
// notes.
func (m *Monitor) Apply(msg *feed.Message) {
	if msg == nil {
		return
	}
	t := epochMs(msg.TS)
	if t == 0 && msg.TS != 0 {
		m.mark(DQBadTime)
	}
	if t > m.now {
		m.now = t
	}
	if t == 0 {
		t = m.now
	}
	switch msg.Type {
	case feed.TypeSnapshot:
		// A split snapshot is authoritative only once all its parts are in.
		full, err := m.parts.Add(msg)
		if err != nil {
			m.mark(DQSnapshotParts)
		}
		if full != nil {
			m.applySnapshot(full.Calls, t)
		}
	case feed.TypeCallStart, feed.TypeCallUpdate:
		if msg.Call != nil && msg.Call.ID != "" {
			start := msg.Type == feed.TypeCallStart
			m.upsertCall(msg.Call, t, start, start)
		}
	case feed.TypeCallEnd:
		if c := m.calls[msg.CallID]; c != nil {
			m.endCall(c, t, Clean(msg.Reason))
		}
	case feed.TypeParticipantJoin, feed.TypeParticipantUpdate:
		if c := m.callFor(msg.CallID, t); c != nil && msg.Participant != nil && msg.Participant.ID != "" {
			m.upsertParticipant(c, msg.Participant, t)
		}
	case feed.TypeParticipantLeave:
		if c := m.calls[msg.CallID]; c != nil {
			if p := c.participant(msg.ParticipantID); p != nil {
				m.leave(c, p, t, Clean(msg.Reason))
			}
		}
	case feed.TypeStats:
		m.applyStats(msg, t)
	case feed.TypeConnectionEvent:
		m.applyEvent(msg, t)
	}
	if m.now-m.lastSweep >= lingerSweepInterval {
		m.sweep()
	}
}

// callFor returns the call, creating it (started at t) if it is unknown.
// A call that recently ended and left is not brought back by a late
// message; only a call.start or a snapshot starts that id again.
func (m *Monitor) callFor(id string, t int64) *call {
	if id == "" {
		return nil
	}
	if c := m.calls[id]; c != nil {
		return c
	}
	if _, gone := m.retired[id]; gone {
		return nil
	}
	return m.newCall(id, t)
}

func (m *Monitor) newCall(id string, t int64) *call {
	delete(m.retired, id)
	if len(m.calls) >= m.opts.MaxCalls {
		m.mark(DQTooMany)
		return nil
	}
	c := &call{id: id, start: t} // the key stays exact; summaries show it cleaned
	m.calls[id] = c
	m.live.add(c)
	return c
}

// upsertCall adds or updates a call. start (a call.start) or revive (a
// snapshot listing it as ongoing) may start an id that recently ended.
func (m *Monitor) upsertCall(fc *feed.Call, t int64, start, revive bool) *call {
	if old := m.calls[fc.ID]; old != nil && old.end != 0 && start {
		m.retire(old) // the id is reused: the ended call goes, a new one starts
	}
	c := m.calls[fc.ID]
	if c == nil && (start || revive) {
		c = m.newCall(fc.ID, t)
	} else if c == nil {
		c = m.callFor(fc.ID, t)
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
	if s := epochMs(fc.Start); s != 0 {
		c.start = s
	}
	c.markDirty()
	return c
}

func (m *Monitor) upsertParticipant(c *call, fp *feed.Participant, t int64) *participant {
	if c.end != 0 {
		return nil
	}
	p := c.participant(fp.ID)
	if p == nil {
		if len(c.parts) >= maxParticipants {
			m.mark(DQTooMany)
			return nil
		}
		joined := epochMs(fp.Joined)
		if joined == 0 {
			joined = t
		}
		p = &participant{id: fp.ID, c: c, joined: joined, hist: newHistory(joined), mosLast: math.NaN(), mosMin: math.NaN()}
		if c.focused {
			p.hist.fine.resize(m.fineCap())
		}
		c.parts = append(c.parts, p)
		c.addTimeline(TimelineEvent{Time: msTime(t), ParticipantID: p.id, Kind: "joined"})
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
	c.markDirty()
	c.namesChanged = true
	return p
}

// leave marks p as gone and closes its findings.
func (m *Monitor) leave(c *call, p *participant, t int64, reason string) {
	if p.left {
		return
	}
	p.left, p.leftAt = true, t
	for _, cn := range p.conns {
		m.closeConnection(c, cn, t)
	}
	c.addTimeline(TimelineEvent{Time: msTime(t), ParticipantID: p.id, Kind: "left", Text: reason})
}

// endCall marks c ended at t and closes every open finding.
func (m *Monitor) endCall(c *call, t int64, reason string) {
	if c.end != 0 {
		return
	}
	for _, p := range c.parts {
		for _, cn := range p.conns {
			m.closeConnection(c, cn, t)
		}
	}
	c.end, c.endedAt = max(t, c.start), m.now
	text := "call ended"
	if reason != "" {
		text += ": " + reason
	}
	c.addTimeline(TimelineEvent{Time: msTime(t), Kind: "ended", Text: text})
}

// retire removes c from the live set, keeping it for Report if asked.
func (m *Monitor) retire(c *call) {
	if c.end == 0 {
		m.endCall(c, m.now, "")
	}
	delete(m.calls, c.id)
	m.live.remove(c)
	if len(m.retired) < maxRetired {
		m.retired[c.id] = m.now
	}
	if m.focus == c {
		m.focus = nil
	}
	if m.opts.KeepEnded {
		m.archive = append(m.archive, c)
	}
}

// applySnapshot makes the live set match a snapshot: calls absent from it
// end and leave at once (no ghosts after a reconnect), the others are
// added or updated, keeping their history.
func (m *Monitor) applySnapshot(calls []feed.Call, t int64) {
	in := make(map[string]*feed.Call, len(calls))
	for i := range calls {
		if calls[i].ID != "" {
			in[calls[i].ID] = &calls[i]
		}
	}
	for id, c := range m.calls {
		if _, ok := in[id]; !ok {
			m.endCall(c, t, "absent from the feed's snapshot")
			m.retire(c)
		}
	}
	for i := range calls {
		fc := &calls[i]
		if fc.ID == "" {
			continue
		}
		c := m.upsertCall(fc, t, false, true)
		if c == nil {
			continue
		}
		present := map[string]bool{}
		for j := range fc.Participants {
			if fp := &fc.Participants[j]; fp.ID != "" {
				present[fp.ID] = true
				m.upsertParticipant(c, fp, t)
			}
		}
		for _, p := range c.parts {
			if !present[p.id] {
				m.leave(c, p, t, "absent from the feed's snapshot")
			}
		}
	}
}

// sweep runs once per second of data time: sustained rules whose
// condition is pending (a connection stuck in "disconnected" that stopped
// reporting), and ended calls whose linger is over.
func (m *Monitor) sweep() {
	m.lastSweep = m.now
	for cn := range m.pending {
		m.evalSustained(cn, m.now, true)
	}
	linger := m.opts.Linger.Milliseconds()
	for _, c := range m.calls {
		if c.end != 0 && m.now-c.endedAt >= linger && m.now-c.end >= linger {
			m.retire(c)
		}
	}
	if m.now%10000 < lingerSweepInterval || len(m.retired) >= maxRetired { // every ~10 s
		for id, at := range m.retired {
			if m.now-at >= retiredMemory {
				delete(m.retired, id)
			}
		}
	}
}
