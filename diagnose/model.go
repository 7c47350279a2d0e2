package diagnose

import (
	"math"
	"time"

	"github.com/calltop/calltop/diagnose/fleet"
)

// Bounds on what one call may hold; objects beyond them are dropped and
// counted as DQTooMany.
const (
	maxTags             = 32
	maxParticipants     = 256
	maxConnections      = 16
	maxStreams          = 32
	maxCandidates       = 64
	maxFindingsPerCall  = 512
	maxTimelinePerCall  = 64
	connectedICE        = "connected"
	completedICE        = "completed"
	disconnectedState   = "disconnected"
	failedState         = "failed"
	closedState         = "closed"
	checkingICE         = "checking"
	connectingState     = "connecting"
	relayCandidate      = "relay"
	defaultLinger       = time.Minute
	defaultHistory      = 15 * time.Minute
	defaultMaxCalls     = 200000
	msPerSecond         = 1000.0
	lingerSweepInterval = 1000 // ms of data time between sweeps of ended calls
)

// call is the Monitor's state of one call.
type call struct {
	id, room string
	tags     map[string]string
	source   string // feed.Call.Source: "" while live, "lost" while its hub is gone
	start    int64  // ms
	end      int64  // ms, 0 while ongoing
	endedAt  int64  // when the Monitor learned it ended
	parts    []*participant
	findings []*Finding
	timeline []event
	summary  *CallSummary
	dirty    bool
	// live is the Monitor's live list while the call is in it, and slot
	// its index there (-1 once retired).
	live *liveList
	slot int
	// namesChanged: a participant joined or was renamed since the last
	// summary (the names slice is rebuilt only then).
	namesChanged bool
	version      uint64
	focused      bool
	fleet        fleet.Entry // what the fleet table counts of the call
	fleetQueued  bool        // in the fleet queue, to be counted again
}

// participant is one person in a call.
type participant struct {
	id, name, userID, userAgent, networkType, region string
	c                                                *call
	joined, leftAt                                   int64
	left                                             bool
	conns                                            []*connection
	lastStats                                        int64
	hist                                             history
	mosLast, mosSum, mosMin                          float64
	mosN                                             int
	// groups are the fleet view's groups of the participant, shared by
	// summaries; nil once what they are made of changed (user agent,
	// network, region, ICE path), to be made again.
	groups *fleet.Groups
}

// connection is one peer connection of a participant.
type connection struct {
	id            string
	p             *participant
	ice, state    string
	everConnected bool
	failed        bool
	idx           uint8  // its index in the participant's connections
	reports       uint32 // stats reports aggregated (stream.seen)
	first, last   int64  // first and last stats sample (ms)
	streams       []*stream
	pairs         []pairInfo
	locals        []candidate
	selPair       string
	local         candidate // of the selected pair
	pairChanges   [4]int64
	rttLast       float64
	// the rules' RTT (remote-inbound, else the selected pair) summed over
	// samples, and each source on its own, for the report
	rttSum, pairRTTSum, remoteRTTSum float64
	rttN                             int
	pairRTTN, remoteRTTN             uint32
	rules                            []ruleState
	cur                              connSample
	freezes                          *freezeLog
	transportSelect                  string
	// last sample times at which this connection received and sent audio
	// bytes (0: never), for judging no-media per participant
	audioInAt, audioOutAt int64
	// lossInAvg and lossOutAvg smooth the per-sample loss (percent) for the
	// calls table: one lost audio packet in one second is 2 %, which is
	// noise, not the call's loss (NaN until the first sample).
	lossInAvg, lossOutAvg float64
	// openRules has bit i set while rules[i] has a finding open here (for
	// the fleet view, which must not walk every rule of every connection).
	openRules uint32
	setup     connSetup
}

// connSetup is how a connection came up and held (for the report): the
// times of its first state change, first connection and ICE gathering,
// and what went wrong on the way.
type connSetup struct {
	firstEvent, connected     int64 // ms; 0 until seen
	gatherStart, gatherDone   int64
	reconnects, iceRestarts   int
	wasDisconnected, dtlsFail bool
	// negotiation counts failed negotiation steps; the first
	// maxNegotiationErrors are kept whole.
	negotiation int
	negErrors   []ReportNegotiationError
}

type pairInfo struct {
	id, local           string
	rttMs, availOutKbps float64
	nominated, selected bool
	succeeded           bool
}

type candidate struct {
	id, typ, relayProtocol, protocol string
}

// connSample is what one stats report of a connection says, aggregated
// over its streams. Unknown values are NaN.
type connSample struct {
	t                                int64
	bitrateIn, bitrateOut            float64
	lossIn, lossOut, rttMs, jitterIn float64
	lossInKind                       string
	concealPct, mos                  float64
	noMediaIn, noMediaOut, micLevel  float64
	availOutKbps, neededOutKbps      float64
	cpuPct, bwPct, freezePct, fps    float64
	pliRate, frameHeight             float64
	// freezes and frozenSecs: received video freezes and seconds frozen
	// in the last freezeWindow (0 when none)
	freezes, frozenSecs float64
}

func newConnSample(t int64) connSample {
	n := math.NaN()
	return connSample{t: t, bitrateIn: n, bitrateOut: n, lossIn: n, lossOut: n, rttMs: n, jitterIn: n,
		concealPct: n, mos: n, noMediaIn: n, noMediaOut: n, micLevel: n, availOutKbps: n, neededOutKbps: n,
		cpuPct: n, bwPct: n, freezePct: n, fps: n, pliRate: n, frameHeight: n}
}

// displayName is how messages name a participant.
func (p *participant) displayName() string {
	switch {
	case p.name != "":
		return p.name
	case p.userID != "":
		return p.userID
	}
	return p.id
}

func (c *call) participant(id string) *participant {
	for _, p := range c.parts {
		if p.id == id {
			return p
		}
	}
	return nil
}

func (p *participant) connection(id string) *connection {
	for _, cn := range p.conns {
		if cn.id == id {
			return cn
		}
	}
	return nil
}

func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// event is a timeline event as stored: 48 bytes instead of the 80 of a
// TimelineEvent, as every call keeps up to maxTimelinePerCall of them.
type event struct {
	t        int64
	pid      string
	text     string
	kind     uint8
	severity uint8
}

// eventKinds are TimelineEvent.Kind values, indexed by event.kind.
var eventKinds = []string{"ice", "connection", "finding-raised", "finding-cleared", "joined", "left", "ended", "negotiation"}

// addTimeline appends an event, keeping the newest maxTimelinePerCall.
func (c *call) addTimeline(ev TimelineEvent) {
	k := 0
	for i, name := range eventKinds {
		if name == ev.Kind {
			k = i
		}
	}
	if len(c.timeline) >= maxTimelinePerCall {
		copy(c.timeline, c.timeline[1:])
		c.timeline = c.timeline[:len(c.timeline)-1]
	}
	c.timeline = append(c.timeline, event{t: ev.Time.UnixMilli(), pid: ev.ParticipantID, text: ev.Text,
		kind: uint8(k), severity: uint8(ev.Severity)})
	c.markDirty()
}

// timelineEvents returns the call's timeline in the snapshot's form.
func (c *call) timelineEvents() []TimelineEvent {
	out := make([]TimelineEvent, len(c.timeline))
	for i, e := range c.timeline {
		out[i] = TimelineEvent{Time: msTime(e.t), ParticipantID: Clean(e.pid), Kind: eventKinds[e.kind], Text: e.text, Severity: Severity(e.severity)}
	}
	return out
}
