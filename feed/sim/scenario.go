package sim

import "math"

// scenario is a problem a call is built to show. setup runs when the
// affected participant is created; apply bends their conditions in each
// interval once the problem is active.
type scenario struct {
	name  string
	rule  string // the finding the diagnose rules should raise
	setup func(s *Sim, c *call, p *participant)
	apply func(s *Sim, p *participant, c *conditions)
}

func noSetup(*Sim, *call, *participant)        {}
func noApply(*Sim, *participant, *conditions)  {}
func uniform(s *Sim, lo, hi float64) float64   { return lo + (hi-lo)*s.rng.Float64() }
func allVideo(_ *Sim, c *call, p *participant) { p.sendsVideo = true; c.forceVideo() }
func (c *call) forceVideo() {
	for _, q := range c.parts {
		q.sendsVideo = true
	}
}

// scenarios in the order ScenarioNames lists them; good must stay first.
var scenarios = []scenario{
	{name: "good", setup: noSetup, apply: noApply},
	{name: "wifi-loss", rule: "loss-inbound",
		setup: func(_ *Sim, _ *call, p *participant) { p.network = "wifi" },
		apply: func(s *Sim, _ *participant, c *conditions) {
			if s.rng.IntN(4) > 0 { // a burst
				c.lossIn = uniform(s, 0.06, 0.15)
			} else {
				c.lossIn = uniform(s, 0.02, 0.04)
			}
			c.jitterMS = math.Min(c.jitterMS+uniform(s, 6, 12), 26)
		}},
	{name: "uplink-congestion", rule: "loss-outbound",
		setup: func(_ *Sim, _ *call, p *participant) { p.sendsVideo = true },
		apply: func(s *Sim, _ *participant, c *conditions) {
			c.lossOut = uniform(s, 0.04, 0.12)
			c.availBps = uniform(s, 110e3, 145e3)
			c.videoCapKbps = 80
			c.bwShare = uniform(s, 0.85, 1)
			c.fpsOut = 15
			c.rttMS += uniform(s, 30, 60)
		}},
	{name: "high-rtt", rule: "rtt-high", setup: noSetup,
		apply: func(s *Sim, _ *participant, c *conditions) {
			c.rttMS = uniform(s, 450, 700)
			c.jitterOutMS = math.Min(c.jitterOutMS+5, 20)
		}},
	{name: "jitter", rule: "jitter-high", setup: noSetup,
		apply: func(s *Sim, _ *participant, c *conditions) {
			c.jitterMS = uniform(s, 50, 120)
		}},
	{name: "cpu-limited", rule: "cpu-limited", setup: allVideo,
		apply: func(s *Sim, _ *participant, c *conditions) {
			c.cpuShare = uniform(s, 0.8, 0.95)
			c.fpsOut = math.Round(uniform(s, 9, 12))
			c.videoCapKbps = 500
			c.decodeRatio = uniform(s, 0.5, 0.62)
		}},
	{name: "turn-tcp", rule: "relay-tcp",
		setup: func(_ *Sim, _ *call, p *participant) {
			p.localType, p.relayProto, p.protocol = "relay", "tcp", "udp"
			p.localAddr, p.turnURL = "203.0.113.250", "turns:turn.example.net:443?transport=tcp"
			p.rttMS += 40
		},
		apply: noApply},
	{name: "one-way-audio", rule: "no-media-inbound", setup: noSetup,
		apply: func(_ *Sim, _ *participant, c *conditions) { c.audioInDead = true }},
	{name: "mic-silent", rule: "mic-silent", setup: noSetup,
		apply: func(_ *Sim, _ *participant, c *conditions) { c.micSilent = true }},
	{name: "ice-disconnect", rule: "ice-disconnected",
		setup: func(s *Sim, _ *call, p *participant) {
			p.nextMS = max(p.problemMS, s.nowMS+int64(2+s.rng.IntN(4))*1000)
		},
		apply: noApply},
	{name: "ice-failed", rule: "ice-failed",
		setup: func(s *Sim, _ *call, p *participant) {
			p.joinMS = max(p.joinMS, s.nowMS)
			p.nextMS = p.joinMS + int64(3+s.rng.IntN(2))*1000
		},
		apply: noApply},
	{name: "freezes", rule: "video-freeze", setup: allVideo,
		apply: func(s *Sim, _ *participant, c *conditions) {
			c.freezeRate = 0.85
			c.freezeSec = uniform(s, 0.4, 0.6)
			c.pliRate = 0.25
		}},
}
