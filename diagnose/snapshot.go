package diagnose

import (
	"time"

	"github.com/calltop/calltop/diagnose/fleet"
)

// Rule ids, the contract of DESIGN.md: findings carry one of these.
const (
	RuleLossInbound      = "loss-inbound"
	RuleLossOutbound     = "loss-outbound"
	RuleRTTHigh          = "rtt-high"
	RuleJitterHigh       = "jitter-high"
	RuleMOSLow           = "mos-low"
	RuleConcealmentHigh  = "concealment-high"
	RuleNoMediaInbound   = "no-media-inbound"
	RuleNoMediaOutbound  = "no-media-outbound"
	RuleMicSilent        = "mic-silent"
	RuleICEDisconnected  = "ice-disconnected"
	RuleICEFailed        = "ice-failed"
	RuleSlowSetup        = "slow-setup"
	RulePathFlapping     = "path-flapping"
	RuleRelayTCP         = "relay-tcp"
	RuleBandwidthLow     = "bandwidth-low"
	RuleBandwidthLimited = "bandwidth-limited"
	RuleCPULimited       = "cpu-limited"
	RuleVideoFreeze      = "video-freeze"
	RuleVideoPoor        = "video-poor"
	RuleKeyframeStorm    = "keyframe-storm"
)

// Snapshot is an immutable picture of every call at one feed time, handed
// to the TUI. The Monitor publishes a new Snapshot value; it never changes
// one it has handed out, and unchanged CallSummary pointers are shared
// between successive snapshots so that building one is cheap.
type Snapshot struct {
	// FeedTime is the newest data timestamp seen.
	FeedTime time.Time
	// Calls holds ongoing calls and calls that ended within the last
	// minute (Ended set), in no particular order.
	Calls []*CallSummary
	// Focus is the detail of the call the TUI asked to follow (nil if none).
	Focus *CallDetail
	// DataQuality counts samples that were marked and skipped (counter
	// resets, NaN, absurd values), by reason.
	DataQuality map[string]int
	// Fleet groups the live calls' participants (docs/fleet.md); shared
	// between snapshots while nothing it counts changed.
	Fleet *fleet.View
}

// CallSummary is one row of the calls screen. Unknown numbers are NaN.
type CallSummary struct {
	ID   string // cleaned for display
	Key  string // the id as the feed sent it: Snapshot's focus and findings' subjects use it
	Room string
	Tags map[string]string
	// Source is "" while the call's source is live, "lost" (feed.SourceLost)
	// while the hub producing it is gone: the call is kept, not ended.
	Source string
	Start  time.Time
	End    time.Time // zero while ongoing
	Ended  bool
	// FirstStats is when the Monitor first had stats for the call (zero
	// before any): until its rules have seen a few samples, no finding
	// does not mean ok.
	FirstStats   time.Time
	Participants int
	// Severity and TopFinding describe the worst open finding.
	Severity   Severity
	TopFinding string // the finding's message, or "" when none
	TopRule    string
	WorstMOS   float64
	WorstLoss  float64 // percent, inbound or outbound, the worse of the two, smoothed over about 5 samples
	WorstRTTMs float64
	// BitrateKbps is the sum of every participant's outbound bitrate.
	BitrateKbps float64
	// People lists the participants (those who left too), to find one by
	// name or user id and open the call on them.
	People []Person
	// Version increases whenever anything in the summary changes.
	Version uint64
	// FleetGroups are the fleet view's groups of each participant still
	// in the call (browser, version, OS, network, region, ICE path), to
	// narrow the calls to a group; shared while unchanged.
	FleetGroups []*fleet.Groups
}

// Person is a participant as the calls list knows it, cleaned: ID is the
// ParticipantDetail's id; Name the display name (the user id, else the id,
// when the feed sent none).
type Person struct {
	ID, Name, UserID string
}

// CallDetail is the drill-down of one call: facts, participants with
// their series, findings (open and cleared) and the event timeline.
type CallDetail struct {
	Summary      *CallSummary
	Participants []ParticipantDetail
	Findings     []Finding // open first, then cleared, newest first
	Timeline     []TimelineEvent
}

// ParticipantDetail is one participant on the call screen.
type ParticipantDetail struct {
	ID          string
	Name        string
	UserID      string
	UserAgent   string
	Browser     string // short form of UserAgent, e.g. "Chrome 131"
	NetworkType string
	Region      string
	Left        bool
	MOS         float64 // NaN when no audio
	Worst       *Finding
	// Connections: selected candidate types, relay protocol, ICE state.
	Connections []ConnectionDetail
	// Series for sparklines, one point per stats sample, oldest first, up
	// to 15 minutes.
	BitrateIn  Series
	BitrateOut Series
	LossIn     Series
	LossOut    Series
	RTT        Series
	// JitterIn (the worst inbound audio jitter), FrameRateIn and
	// FrameHeightIn (the video received: the lowest frame rate, the tallest
	// frame) are kept only while the call is focused, so they start when
	// it is opened; the video ones hold no known value without video.
	JitterIn      Series
	FrameRateIn   Series
	FrameHeightIn Series
}

// ConnectionDetail describes one peer connection of a participant.
type ConnectionDetail struct {
	ID                 string
	ICEState           string
	ConnectionState    string
	LocalCandidateType string
	RelayProtocol      string
	Protocol           string
}

// Series is a time series of one derived metric. Times are in data time.
// A skipped sample (marked as untrustworthy) is NaN.
type Series struct {
	Name   string
	Unit   string
	Times  []time.Time
	Values []float64
}

// TimelineEvent is one line of a call's timeline.
type TimelineEvent struct {
	Time          time.Time
	ParticipantID string
	Kind          string // "ice", "connection", "finding-raised", "finding-cleared", "joined", "left", "ended", "negotiation"
	Text          string
	Severity      Severity
}
