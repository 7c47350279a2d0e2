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
	// CollectEnded keeps each call that leaves the live set (ended, then
	// lingered) for TakeEnded, for call history. At most MaxEndedWaiting
	// wait; beyond that the oldest is dropped and counted as DQEndedLost.
	CollectEnded bool
}

// Monitor applies calltop.v1 messages and keeps, per call, participant,
// connection and stream, the derived metrics, the rule state and the
// findings. It is not safe for concurrent use: one goroutine owns it.
// All time comes from the data (Message.TS, Stat.Timestamp).
//
// It is the spine of the pipeline and delegates each step: a message
// updates the call model (calls.go, path.go: calls, participants,
// connections, their states and network path); a stats report then
// becomes metrics (metrics.go, stream.go, trust.go, aggregate.go: trusted
// counters, a connection sample, history and MOS); the rules judge the
// sample (eval.go, findings.go); readers get views built from the model
// (snapshot_build.go, live.go, report.go, calls_setup.go).
type Monitor struct {
	opts      Options
	dq        dataQuality
	parts     feed.SnapshotAssembler
	lastSweep int64
	// restarted: a replay started over (call.end replay-restart); the
	// next message from earlier data time begins a new epoch.
	restarted bool
	epochs    int // passes begun by newEpoch
	calls     callSet
	metrics   metrics
	rules     ruleSet
	views     views
}

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
	m := &Monitor{opts: opts, dq: dataQuality{}, rules: newRuleSet()}
	m.calls = newCallSet(opts, m.dq, &m.rules)
	m.metrics = metrics{dq: m.dq}
	m.views = views{calls: &m.calls, fleet: newFleetState()}
	m.calls.fleet = m.views.fleet
	return m
}

// dataQuality counts marked samples by reason (Snapshot.DataQuality).
type dataQuality map[string]int

// mark counts one marked sample; "" is no fault.
func (dq dataQuality) mark(reason string) {
	if reason != "" {
		dq[reason]++
	}
}

// Now returns the newest data time seen (zero before any).
func (m *Monitor) Now() time.Time { return msTime(m.calls.now) }

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
		m.dq.mark(DQBadTime)
	}
	if msg.Type == feed.TypeHello {
		return // the hub's own clock, not data time (a replaying hub's is not the data's)
	}
	if m.restarted && t != 0 && t < m.calls.now && msg.Type != feed.TypeCallEnd {
		m.newEpoch(t)
	}
	if t > m.calls.now {
		m.calls.now = t
	}
	if t == 0 {
		t = m.calls.now
	}
	switch msg.Type {
	case feed.TypeSnapshot:
		// A split snapshot is authoritative only once all its parts are in.
		full, err := m.parts.Add(msg)
		if err != nil {
			m.dq.mark(DQSnapshotParts)
		}
		if full != nil {
			m.calls.applySnapshot(full.Calls, t)
		}
	case feed.TypeCallStart, feed.TypeCallUpdate:
		if msg.Call != nil && msg.Call.ID != "" {
			start := msg.Type == feed.TypeCallStart
			m.calls.upsertCall(msg.Call, t, start, start)
		}
	case feed.TypeCallEnd:
		if c := m.calls.byID[msg.CallID]; c != nil {
			m.calls.endCall(c, t, Clean(msg.Reason))
		}
		m.restarted = m.restarted || msg.Reason == feed.ReasonReplayRestart
	case feed.TypeParticipantJoin, feed.TypeParticipantUpdate:
		if c := m.calls.callFor(msg.CallID, t); c != nil && msg.Participant != nil && msg.Participant.ID != "" {
			m.calls.upsertParticipant(c, msg.Participant, t)
		}
	case feed.TypeParticipantLeave:
		if c := m.calls.byID[msg.CallID]; c != nil {
			if p := c.participant(msg.ParticipantID); p != nil {
				m.calls.leave(c, p, t, Clean(msg.Reason))
			}
		}
	case feed.TypeStats:
		m.applyStats(msg, t)
	case feed.TypeConnectionEvent:
		m.applyEvent(msg, t)
	}
	if m.calls.now-m.lastSweep >= lingerSweepInterval {
		m.sweep()
	}
}

// ReadsStat reports whether the Monitor reads stats objects of W3C type
// typ: the call model's path (candidates, pairs, transport) and the
// metrics' streams (statType). It reads no others (codecs, certificates,
// remote candidates, remote-outbound-rtp, tracks, ...), so a reader may
// leave them out of a message that has its time (dump.Visitor.Stats);
// TestReportSameWithReadStatsOnly holds the two lists to it.
func ReadsStat(typ string) bool {
	switch typ {
	case feed.StatLocalCandidate, feed.StatCandidatePair, feed.StatTransport:
		return true
	}
	return statType(typ) != 0
}

// applyStats takes one stats report through the pipeline, each step once:
// the call model finds its connection and follows its path, the metrics
// turn its counters into a trusted sample, the rules judge the sample.
func (m *Monitor) applyStats(msg *feed.Message, t int64) {
	c, p := m.calls.participantFor(msg, t)
	if p == nil {
		return
	}
	cn := m.calls.connectionFor(p, msg.ConnectionID)
	if cn == nil {
		return
	}
	t, ok := m.metrics.sampleTime(cn, msg.Stats, t)
	if !ok {
		return
	}
	m.calls.applyPath(c, p, cn, msg.Stats, t)
	m.metrics.apply(p, cn, msg.Stats, t)
	c.markDirty()
	m.rules.eval(c, p, cn, &cn.cur, t)
}

// applyEvent applies a connection.event: the state goes into the call
// model, then the sustained rules (disconnected, failed, slow set-up)
// are checked at once.
func (m *Monitor) applyEvent(msg *feed.Message, t int64) {
	c, p := m.calls.participantFor(msg, t)
	if p == nil || msg.Event == nil {
		return
	}
	cn := m.calls.connectionFor(p, msg.ConnectionID)
	if cn == nil {
		return
	}
	if msg.Event.Kind == feed.EventNegotiationFailure {
		m.calls.negotiationFailed(c, p, cn, msg.Event.State, msg.Event.Error, t)
		return
	}
	m.calls.setState(c, p, cn, msg.Event.Kind, msg.Event.State, t)
	if cn.p != nil && !p.left {
		m.rules.evalSustained(cn, t, false)
	}
}

// newEpoch starts data time again at t after a replay started over: the
// calls it ended leave at once (kept for a report), the clock and the
// sweep follow the new times instead of waiting for the old newest one.
func (m *Monitor) newEpoch(t int64) {
	m.restarted = false
	m.epochs++
	m.calls.restart(t)
	m.lastSweep = t
}

// Epoch counts the times a replay started over (a call.end with reason
// replay-restart followed by earlier data time): 0 on the first pass.
func (m *Monitor) Epoch() int { return m.epochs }

// sweep runs once per second of data time: sustained rules whose
// condition is pending (a connection stuck in "disconnected" that stopped
// reporting), and ended calls whose linger is over.
func (m *Monitor) sweep() {
	m.lastSweep = m.calls.now
	m.rules.sweep(m.calls.now)
	m.calls.sweep(m.opts.Linger.Milliseconds())
}

// Snapshot returns an immutable picture of every live call (ongoing, or
// ended within the linger) and, when focusCallID names one, its detail.
// CallSummary pointers are shared with earlier snapshots while the call is
// unchanged. Focusing a call grows its participants' sparkline history to
// the full length; the previously focused call shrinks back.
func (m *Monitor) Snapshot(focusCallID string) Snapshot {
	return m.views.snapshot(focusCallID, m.dq)
}

// Report summarises every call seen, oldest first.
func (m *Monitor) Report() Report { return m.views.report() }

// OpenFindings returns a copy of every open finding across all calls,
// oldest first.
func (m *Monitor) OpenFindings() []Finding { return m.rules.openFindings() }

// StaleParticipants returns the participants of ongoing calls whose stats
// have stopped for at least `after` of data time (for the no-data alert).
// Participants that never sent stats are not included.
func (m *Monitor) StaleParticipants(after time.Duration) []Subject {
	return m.views.staleParticipants(after)
}

// AppendCallSetups appends to dst the setup state of every call in the
// live set (ongoing, or ended and still lingering) and returns it. Order
// is unspecified.
func (m *Monitor) AppendCallSetups(dst []CallSetup) []CallSetup {
	return m.views.callSetups(dst)
}
