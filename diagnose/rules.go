package diagnose

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// ruleMode says how a rule decides.
type ruleMode uint8

const (
	// windowed: raise when `need` of the last `window` samples cross the
	// raise threshold; clear when none of the last `clearWindow` samples
	// cross the clear threshold and `hold` has passed since raising.
	windowed ruleMode = iota
	// sustained: raise when the condition has held for `duration` of data
	// time; clear as soon as a sample no longer crosses the clear
	// threshold (after `hold`).
	sustained
)

// cmpOp compares a value with a threshold.
type cmpOp uint8

const (
	above   cmpOp = iota // value > threshold
	atLeast              // value >= threshold
	below                // value < threshold
)

func (o cmpOp) crosses(v, th float64) bool {
	switch o {
	case above:
		return v > th
	case atLeast:
		return v >= th
	}
	return v < th
}

func (o cmpOp) String() string {
	return [...]string{">", ">=", "<"}[o]
}

// suppression says which root causes silence a symptom rule for the same
// participant.
type suppression uint8

const (
	notSuppressed suppression = iota
	byICE                     // ice-disconnected or ice-failed open
	byRootCause               // ICE down, or heavy (critical) packet loss
)

// ruleDef is one row of the rule table. Every number has its source in
// `source` and in docs/diagnoses.md.
type ruleDef struct {
	id       string
	severity Severity
	mode     ruleMode
	metric   string // evidence metric name
	unit     string
	value    func(cn *connection, s *connSample) float64
	op       cmpOp
	raise    float64
	clear    float64
	// crit escalates to critical while the mean of the last critN values
	// crosses it (0: never).
	crit, critN  float64
	need, window int
	clearWindow  int
	duration     time.Duration // sustained rules
	hold         time.Duration
	warmup       time.Duration
	onSweep      bool // re-checked every second of data time, even without stats
	// perParticipant: the rule describes the participant (their mic, the
	// audio they hear or send), so it is raised on one connection only.
	perParticipant bool
	suppress       suppression
	// threshold, when set, is the evidence threshold for a relative rule.
	threshold func(s *connSample) float64
	// burst, when set, is a second way a windowed rule crosses: a condition
	// over a recent window that the sample carries.
	burst *burstCond
	// scale is the resolution a windowed rule keeps its recent values at
	// (value × scale in 16 bits); set from valueScale.
	scale   float64
	message func(n msgArgs) string
	advice  string
	source  string
}

// burstCond is a windowed rule's second condition (video-freeze: repeated
// short freezes). While it holds, a sample counts as crossing both the
// raise and the clear threshold. When it is why the rule holds (the
// window mean does not cross the raise threshold), the message says so
// (msgArgs.burst), the evidence adds its count and seconds, and a larger
// count is a worse episode.
type burstCond struct {
	holds          func(s *connSample) bool
	count, seconds func(s *connSample) float64
	countMetric    string // evidence metric of the count
	secondsMetric  string // evidence metric of the seconds
	minCount       float64
	minSeconds     float64
}

// evidence is the burst's count and seconds beside their thresholds.
func (b *burstCond) evidence(s *connSample) []Evidence {
	return []Evidence{{Metric: b.countMetric, Value: round2(b.count(s)), Threshold: b.minCount},
		{Metric: b.secondsMetric, Value: round2(b.seconds(s)), Threshold: b.minSeconds, Unit: "s"}}
}

// leads reports whether the burst is why def holds on a sample whose
// window mean is v: it holds and the mean does not cross the raise
// threshold by itself.
func (b *burstCond) leads(def *ruleDef, v float64, s *connSample) bool {
	return b != nil && s != nil && b.holds(s) && !def.op.crosses(v, def.raise)
}

// worse reports whether s shows a larger burst than a finding whose
// evidence is evs (false when the finding was raised by the threshold).
func (b *burstCond) worse(evs []Evidence, s *connSample) bool {
	for _, e := range evs {
		if e.Metric == b.countMetric {
			return b.count(s) > e.Value
		}
	}
	return false
}

// msgArgs is what a message is built from.
type msgArgs struct {
	name  string
	burst bool    // the rule's burst condition is why it holds
	v     float64 // the window mean (windowed) or current value (sustained)
	// decided is the figure that decided a windowed rule (see
	// ruleState.decided); the evidence shows it. Unused by sustained rules.
	decided float64
	held    float64 // seconds the condition has held (sustained)
	s       *connSample
	cn      *connection
}

const warmup = 5 * time.Second

// digitalSilence is just under one step of 16-bit audio (1/32768 ≈
// 3.05e-5): a microphone level below it is exact zeros (a disabled,
// OS-muted or dead microphone); a live microphone in a quiet room measures
// about 1e-4.
const digitalSilence = 0.00003

// rules is the rule table, one row per rule id of DESIGN.md.
var rules = []ruleDef{
	{id: RuleLossInbound, severity: Warning, metric: "packet loss in", unit: "%",
		value: func(_ *connection, s *connSample) float64 { return s.lossIn },
		op:    above, raise: 1, clear: 1, crit: 3, critN: 7, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s reaching %s is missing %s of packets, so it may %s choppy.", kindWord(a.s.lossInKind), a.name, pct(a.v), senseWord(a.s.lossInKind))
		},
		advice: "Check this side's Wi-Fi or VPN first: move closer to the router or use a cable. If everyone receiving this sender loses packets, suspect the sender's uplink.",
		source: "TW-SDK/TW-DOC (>1 % in 3 of 5, clear after 5 s clean); crit 7-sample mean >3 % (TW-SDK packet-loss average)"},
	{id: RuleLossOutbound, severity: Warning, metric: "packet loss out", unit: "%",
		value: func(_ *connection, s *connSample) float64 { return s.lossOut },
		op:    above, raise: 1, clear: 1, crit: 3, critN: 7, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s's uplink is losing %s of packets on the way to the server.", a.name, pct(a.v))
		},
		advice: "Ask them to move closer to the router or use a cable, and to pause uploads, cloud sync or other video on their network.",
		source: "remote-inbound-rtp only (direction honesty); thresholds as loss-inbound (TW-SDK, VLP, RSKB-loss)"},
	{id: RuleRTTHigh, severity: Warning, metric: "round-trip time", unit: "ms",
		value: func(_ *connection, s *connSample) float64 { return s.rttMs },
		op:    above, raise: 300, clear: 250, crit: 400, critN: 5, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s's connection has %.0f ms round-trip delay, so people will talk over each other.", a.name, a.v)
		},
		advice: "Ask them to turn off any VPN; check that they reach the nearest media region and are not relayed far away.",
		source: "SINCH (300), TW-SDK (400 critical), clear at VLP/TRTC 250; 3 of 5 (TW-SDK)"},
	{id: RuleJitterHigh, severity: Warning, metric: "jitter in", unit: "ms",
		value: func(_ *connection, s *connSample) float64 { return s.jitterIn },
		op:    above, raise: 30, clear: 15, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup,
		message: func(a msgArgs) string {
			return fmt.Sprintf("Audio reaching %s arrives unevenly (jitter %.0f ms): busy Wi-Fi or a saturated link.", a.name, a.v)
		},
		advice: "Ask them to pause downloads and streaming, move closer to the router or use a cable.",
		source: "TW-DOC/SINCH/MS-CQD (30 ms, 3 of 5); clear at MS-NET's 15 ms (half the raise value)"},
	{id: RuleMOSLow, severity: Warning, metric: "estimated MOS", unit: "",
		value: func(_ *connection, s *connSample) float64 { return s.mos },
		op:    below, raise: 3.1, clear: 3.5, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup, suppress: byRootCause,
		message: func(a msgArgs) string {
			return fmt.Sprintf("Voice quality for %s is poor: estimated MOS %.1f out of 5.", a.name, a.v)
		},
		advice: "See the loss, delay and jitter findings for the cause; a wired connection usually helps.",
		source: "G.107 Annex B/G.109: MOS 3.1 is R 60, 'many users dissatisfied' (between TW-SDK's 3.0 and TW-DOC's 3.5), 3 of 5; clear above TW-DOC/TW-TAGS low_mos 3.5 (R ~69), a 0.4 margin against flapping (issue 16); E-model per anchors §b"},
	{id: RuleConcealmentHigh, severity: Warning, metric: "concealed audio", unit: "%",
		value: func(_ *connection, s *connSample) float64 { return s.concealPct },
		op:    above, raise: 3, clear: 1, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s of the audio %s hears is filled in, so speech sounds clipped or robotic.", pct(a.v), a.name)
		},
		advice: "Usually loss or jitter on the way to them: ask them to move closer to the router or use a cable.",
		source: "ORTC on/off 3 %/1 % (MS-CQD-OLD: 7 % = poor)"},
	{id: RuleNoMediaInbound, severity: Critical, metric: "audio streams receiving nothing", unit: "",
		value: func(_ *connection, s *connSample) float64 { return s.noMediaIn },
		op:    atLeast, raise: 1, clear: 1, need: 3, window: 3, clearWindow: 1,
		warmup: warmup, suppress: byICE, perParticipant: true,
		message: func(a msgArgs) string {
			return fmt.Sprintf("No audio is arriving at %s: not a single byte in the last 3 samples.", a.name)
		},
		advice: "From the start of the call: a firewall or NAT blocks the other side's media. Mid-call: the sender's link dropped; ask them to rejoin.",
		source: "TW-SDK (3 consecutive 1 s samples), VLP (3 polls); clear on any bytes"},
	{id: RuleNoMediaOutbound, severity: Critical, metric: "audio streams sending nothing", unit: "",
		value: func(_ *connection, s *connSample) float64 { return s.noMediaOut },
		op:    atLeast, raise: 1, clear: 1, need: 3, window: 3, clearWindow: 1,
		warmup: warmup, suppress: byICE, perParticipant: true,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s's device has stopped sending audio.", a.name)
		},
		advice: "Ask them to check that the microphone is still connected and selected, then rejoin the call.",
		source: "TW-SDK (3 of 3 s), ORTC (5 s); clear on any bytes"},
	{id: RuleMicSilent, severity: Warning, mode: sustained, metric: "microphone level", unit: "",
		value: func(_ *connection, s *connSample) float64 { return s.micLevel },
		op:    below, raise: digitalSilence, clear: digitalSilence, duration: 10 * time.Second, warmup: warmup, suppress: byICE,
		perParticipant: true,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s's microphone has sent only silence for %.0f s.", a.name, a.held)
		},
		advice: "Ask them to check the selected microphone, the browser/OS permission and any hardware mute switch.",
		source: "JIT (audio level exactly 0), over TW-SDK's 10 s window: below one 16-bit step, so a quiet room's noise floor (1e-4) is not a dead mic; clear when the level rises"},
	{id: RuleICEDisconnected, severity: Critical, mode: sustained, metric: "ICE disconnected", unit: "",
		value: func(cn *connection, _ *connSample) float64 { return stateIs(cn, disconnectedState) },
		op:    atLeast, raise: 1, clear: 1, duration: 5 * time.Second, onSweep: true,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s's media connection dropped and has been reconnecting for %.0f s.", a.name, a.held)
		},
		advice: "Ask them to check their network. If it has not recovered within 10 s, rejoin the call (an ICE restart).",
		source: "ORTC (disconnected for 5 s; Twilio raises at once); clear on connected"},
	{id: RuleICEFailed, severity: Critical, mode: sustained, metric: "ICE failed", unit: "",
		value: func(cn *connection, _ *connSample) float64 { return stateIs(cn, failedState) },
		op:    atLeast, raise: 1, clear: 1, onSweep: true,
		message: func(a msgArgs) string {
			return fmt.Sprintf("No media path could be set up for %s.", a.name)
		},
		advice: "A firewall probably blocks UDP: TURN over TCP/TLS on port 443 is needed. Ask their IT to allow UDP or the TURN server.",
		source: "ORTC, TW-TAGS ice_failure, MS-CQD, CS (immediately); clear on a successful restart"},
	{id: RuleSlowSetup, severity: Warning, mode: sustained, metric: "seconds connecting", unit: "s",
		value: func(cn *connection, _ *connSample) float64 { return connecting(cn) },
		op:    atLeast, raise: 1, clear: 1, duration: 5 * time.Second, onSweep: true,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s's connection has been setting up for %.0f s.", a.name, a.held)
		},
		advice: "Slow ICE: check firewall rules and that a TURN server is reachable.",
		source: "ORTC, CS (connecting > 5 s); clear on connected"},
	{id: RulePathFlapping, severity: Warning, mode: sustained, metric: "path changes in 30 s", unit: "",
		value: func(cn *connection, s *connSample) float64 { return pathChanges(cn, s.t) },
		op:    atLeast, raise: 3, clear: 1, hold: 5 * time.Second,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s's network path changed %.0f times in 30 s (roaming, VPN or a mobile handover).", a.name, a.v)
		},
		advice: "Ask them to stay on one network: turn off the VPN or Wi-Fi roaming, or use a cable.",
		source: "ORTC (>= 3 selected-pair changes in 30 s); clear after 30 s without a change"},
	{id: RuleRelayTCP, severity: Info, mode: sustained, metric: "relayed over TCP/TLS", unit: "",
		value: func(cn *connection, _ *connSample) float64 { return relayTCP(cn) },
		op:    atLeast, raise: 1, clear: 1,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s's media is relayed over %s because UDP is blocked, so hiccups become stalls.", a.name, upper(a.cn.local.relayProtocol))
		},
		advice: "Ask their IT to allow UDP to the media and TURN servers.",
		source: "TRTC-TCP, RSKB-relay (selected local candidate relay over tcp/tls); clear when the pair changes"},
	{id: RuleBandwidthLow, severity: Warning, metric: "available outgoing bitrate", unit: "kbps",
		value: bandwidthRatio, op: below, raise: 100, clear: 100, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup,
		threshold: func(s *connSample) float64 { return s.neededOutKbps },
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s's upload bandwidth (%.0f kbps) is too low for what they send (%.0f kbps).", a.name, a.s.availOutKbps, a.s.neededOutKbps)
		},
		advice: "Ask them to pause uploads or cloud sync, or to turn their video off.",
		source: "VLP (available < audio targetBitrate, or video on and < 100 kbps); 3 of 5"},
	{id: RuleBandwidthLimited, severity: Warning, metric: "time bandwidth-limited", unit: "%",
		value: func(_ *connection, s *connSample) float64 { return s.bwPct },
		op:    atLeast, raise: 30, clear: 10, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s's video is being downgraded because their uplink is congested (%s of the time).", a.name, pct(a.v))
		},
		advice: "Ask them to pause uploads and other video on their network, or use a cable.",
		source: "MDN/VLP qualityLimitationReason=bandwidth; share >= 30 % as ORTC's CPU rule, clear at a third"},
	{id: RuleCPULimited, severity: Warning, metric: "time CPU-limited", unit: "%",
		value: func(_ *connection, s *connSample) float64 { return s.cpuPct },
		op:    atLeast, raise: 30, clear: 10, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup, suppress: byRootCause,
		message: func(a msgArgs) string {
			return fmt.Sprintf("%s's computer is overloaded: their video is cut back for CPU %s of the time.", a.name, pct(a.v))
		},
		advice: "Ask them to close other apps and browser tabs and to turn off background blur or other video effects.",
		source: "ORTC (cpu >= 30 % of the interval); clear at a third (anchors §c)"},
	{id: RuleVideoFreeze, severity: Warning, metric: "time video frozen", unit: "%",
		value: func(_ *connection, s *connSample) float64 { return s.freezePct },
		op:    above, raise: 30, clear: 5, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup, suppress: byRootCause,
		burst: &burstCond{holds: repeatedFreezes, minCount: 2, minSeconds: 1,
			count:       func(s *connSample) float64 { return s.freezes },
			seconds:     func(s *connSample) float64 { return s.frozenSecs },
			countMetric: "freezes in the last 10 s", secondsMetric: "seconds frozen in the last 10 s"},
		message: func(a msgArgs) string {
			if a.burst {
				return fmt.Sprintf("Video reaching %s froze %.0f times in the last 10 s, %.1f s in all.", a.name, a.s.freezes, a.s.frozenSecs)
			}
			return fmt.Sprintf("Video reaching %s keeps freezing: frozen %s of the time.", a.name, pct(a.v))
		},
		advice: "Usually loss or an overloaded device: check the loss and CPU findings, and ask the sender to close other apps.",
		source: "VLP (frozen > 30 % of the interval, or mean freeze > 1 s), MDN freezeCount; also 2 or more freezes totalling >= 1 s within 10 s (repeated short freezes); clear near zero"},
	{id: RuleVideoPoor, severity: Warning, metric: "video frame rate", unit: "fps",
		value: func(_ *connection, s *connSample) float64 { return s.fps },
		op:    below, raise: 7, clear: 10, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup, suppress: byRootCause,
		message: func(a msgArgs) string {
			return fmt.Sprintf("Video reaching %s is very choppy (%.0f fps).", a.name, a.v)
		},
		advice: "Check the sender's CPU and uplink findings; lowering their video quality helps.",
		source: "MS-CQD-OLD (fps < 7 for camera video); clear at 10 fps (ours)"},
	{id: RuleKeyframeStorm, severity: Warning, metric: "keyframe requests", unit: "/s",
		value: func(_ *connection, s *connSample) float64 { return s.pliRate },
		op:    above, raise: 0.5, clear: 0.15, need: 3, window: 5, clearWindow: 5,
		hold: 5 * time.Second, warmup: warmup,
		message: func(a msgArgs) string {
			return fmt.Sprintf("Video of %s keeps asking for full refreshes (%.1f per second over 30 s): loss, or an SFU forwarding problem.", a.name, a.v)
		},
		advice: "Check the loss findings on both sides; if there are none, the media server may be dropping keyframes.",
		source: "ORTC (PLI > 0.5/s over 30 s, clear < 0.15/s)"},
}

// valueScale is each windowed rule's value resolution: 0.01 % for shares
// and loss, 1 ms for RTT, 0.1 ms for jitter, 0.001 for MOS and PLI rates.
var valueScale = map[string]float64{
	RuleLossInbound: 100, RuleLossOutbound: 100, RuleRTTHigh: 1, RuleJitterHigh: 10, RuleMOSLow: 1000,
	RuleConcealmentHigh: 100, RuleNoMediaInbound: 1, RuleNoMediaOutbound: 1, RuleBandwidthLow: 1,
	RuleBandwidthLimited: 100, RuleCPULimited: 100, RuleVideoFreeze: 100, RuleVideoPoor: 100, RuleKeyframeStorm: 1000,
}

// ruleIndex maps a rule id to its row (and fills in the value scales).
var ruleIndex = func() map[string]int {
	m := make(map[string]int, len(rules))
	for i := range rules {
		m[rules[i].id] = i
		rules[i].scale = valueScale[rules[i].id]
		if rules[i].scale == 0 {
			rules[i].scale = 100
		}
	}
	return m
}()

func stateIs(cn *connection, state string) float64 {
	if cn.ice == "" && cn.state == "" {
		return math.NaN()
	}
	return boolf(cn.ice == state || cn.state == state)
}

func connecting(cn *connection) float64 {
	if cn.everConnected {
		return 0
	}
	switch {
	case cn.ice == checkingICE || cn.ice == "new" || cn.state == connectingState || cn.state == "new":
		return 1
	case cn.ice == "" && cn.state == "":
		return math.NaN()
	}
	return 0
}

func pathChanges(cn *connection, t int64) float64 {
	n := 0
	for _, ct := range cn.pairChanges {
		if ct != 0 && t-ct <= 30000 {
			n++
		}
	}
	return float64(n)
}

func relayTCP(cn *connection) float64 {
	if cn.local.typ == "" {
		return math.NaN()
	}
	return boolf(cn.local.typ == relayCandidate && (cn.local.relayProtocol == "tcp" || cn.local.relayProtocol == "tls"))
}

func bandwidthRatio(_ *connection, s *connSample) float64 {
	if math.IsNaN(s.availOutKbps) || math.IsNaN(s.neededOutKbps) || s.neededOutKbps <= 0 {
		return math.NaN()
	}
	return 100 * s.availOutKbps / s.neededOutKbps
}

func kindWord(kind string) string {
	if kind == "video" {
		return "Video"
	}
	return "Audio"
}

// senseWord is how damage to media of kind shows: video looks, audio sounds.
func senseWord(kind string) string {
	if kind == "video" {
		return "look"
	}
	return "sound"
}

// endSentence ends a message with one period where a name that ends with
// one ("Ada J.") closes the sentence.
func endSentence(s string) string {
	if strings.HasSuffix(s, "..") && !strings.HasSuffix(s, "...") {
		return s[:len(s)-1]
	}
	return s
}

func upper(s string) string {
	switch s {
	case "tcp":
		return "TCP"
	case "tls":
		return "TLS"
	}
	return s
}

// pct formats a percentage the way a person reads it aloud: "8 %", "2.5 %".
func pct(v float64) string {
	if v >= 10 || v == math.Trunc(v) {
		return fmt.Sprintf("%.0f %%", v)
	}
	return fmt.Sprintf("%.1f %%", v)
}
