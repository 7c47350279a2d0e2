package diagnose

import (
	"math"

	"github.com/calltop/calltop/feed"
)

// t0 is the feed time tests start at (ms since the epoch).
const t0 = 1_767_225_600_000 // 2026-01-01T00:00:00Z

// cond is what one second of a test connection looks like.
type cond struct {
	lossIn, lossOut  float64 // percent
	rttMs, jitterMs  float64
	concealPct       float64
	audioInDead      bool
	audioOutDead     bool
	micLevel         float64 // RMS level 0..1
	video            bool
	fps, freezePct   float64
	cpuPct, bwPct    float64
	pliPerSec        float64
	availKbps        float64
	localType, relay string
	ice              string // transport iceState ("" = not sent)
	pair             string // selected candidate pair id ("" = "CP1")
	pairState        string // candidate-pair state ("" = "succeeded")
}

// good is a clean connection.
func good() cond {
	return cond{rttMs: 40, jitterMs: 5, micLevel: 0.05, fps: 30, availKbps: 3000, localType: "srflx"}
}

// gen produces coherent cumulative W3C counters for one participant's
// connection, one stats message per second of feed time.
type gen struct {
	t                          int64
	call, pid, conn            string
	inPk, inLost, inBytes      float64
	concealed, samples         float64
	jbDelay, jbEmitted         float64
	outPk, outBytes, remLost   float64
	vinPk, vinBytes, vinFrames float64
	freezeSec, pli             float64
	voutPk, voutBytes, qlCPU   float64
	qlBW, energy, sdur         float64
	audioPPS                   float64
	extra                      func(st []feed.Stat) []feed.Stat
}

func newGen(call, pid string) *gen {
	return &gen{t: t0, call: call, pid: pid, conn: "pc-1", audioPPS: 1000}
}

// start returns the call.start and participant.join messages.
func (g *gen) start(name string) []feed.Message {
	return []feed.Message{
		{Type: feed.TypeCallStart, TS: float64(g.t), Call: &feed.Call{ID: g.call, Room: "room-" + g.call, Start: float64(g.t)}},
		{Type: feed.TypeParticipantJoin, TS: float64(g.t), CallID: g.call, Participant: &feed.Participant{ID: g.pid, Name: name}},
	}
}

// step advances one second under c and returns the stats message.
func (g *gen) step(c cond) feed.Message {
	g.t += 1000
	ts := float64(g.t)
	if !c.audioInDead {
		lost := math.Round(g.audioPPS * c.lossIn / 100)
		g.inPk += g.audioPPS - lost
		g.inLost += lost
		g.inBytes += (g.audioPPS - lost) * 80
		g.samples += 48000
		g.concealed += math.Round(48000 * c.concealPct / 100)
		g.jbEmitted += 48000
		g.jbDelay += 48000 * (0.02 + 2*c.jitterMs/1000)
	}
	if !c.audioOutDead {
		g.outPk += g.audioPPS
		g.outBytes += g.audioPPS * 80
		g.remLost += math.Round(g.audioPPS * c.lossOut / 100)
	}
	g.energy += c.micLevel * c.micLevel
	g.sdur++
	pair := c.pair
	if pair == "" {
		pair = "CP1"
	}
	pairState := c.pairState
	if pairState == "" {
		pairState = "succeeded"
	}
	st := []feed.Stat{
		{ID: "IA", Type: feed.StatInboundRTP, Timestamp: ts, SSRC: 1, Kind: "audio", PacketsReceived: g.inPk,
			PacketsLost: g.inLost, BytesReceived: g.inBytes, Jitter: c.jitterMs / 1000, ConcealedSamples: g.concealed,
			TotalSamplesReceived: g.samples, JitterBufferDelay: g.jbDelay, JitterBufferEmittedCount: g.jbEmitted},
		{ID: "OA", Type: feed.StatOutboundRTP, Timestamp: ts, SSRC: 2, Kind: "audio", PacketsSent: g.outPk,
			BytesSent: g.outBytes, TargetBitrate: 32000},
		{ID: "RA", Type: feed.StatRemoteInboundRTP, Timestamp: ts, SSRC: 2, Kind: "audio", PacketsLost: g.remLost,
			FractionLost: c.lossOut / 100, RoundTripTime: c.rttMs / 1000},
		{ID: "MS", Type: feed.StatMediaSource, Timestamp: ts, Kind: "audio", AudioLevel: c.micLevel,
			TotalAudioEnergy: g.energy, TotalSamplesDuration: g.sdur},
		{ID: pair, Type: feed.StatCandidatePair, Timestamp: ts, State: pairState, Nominated: pairState == "succeeded",
			LocalCandidateID: "L-" + pair, CurrentRoundTripTime: c.rttMs / 1000, AvailableOutgoingBitrate: c.availKbps * 1000},
		{ID: "L-" + pair, Type: feed.StatLocalCandidate, Timestamp: ts, CandidateType: c.localType, RelayProtocol: c.relay, Protocol: "udp"},
		{ID: "T", Type: feed.StatTransport, Timestamp: ts, SelectedCandidatePairID: pair, ICEState: c.ice},
	}
	if c.video {
		g.vinPk += 100
		g.vinBytes += 100 * 1100
		g.vinFrames += c.fps
		g.freezeSec += c.freezePct / 100
		g.pli += c.pliPerSec
		g.voutPk += 100
		g.voutBytes += 100 * 1100
		g.qlCPU += c.cpuPct / 100
		g.qlBW += c.bwPct / 100
		st = append(st,
			feed.Stat{ID: "IV", Type: feed.StatInboundRTP, Timestamp: ts, SSRC: 3, Kind: "video", PacketsReceived: g.vinPk,
				BytesReceived: g.vinBytes, FramesDecoded: g.vinFrames, FramesPerSecond: c.fps, FrameHeight: 720,
				TotalFreezesDuration: g.freezeSec, PliCount: g.pli},
			feed.Stat{ID: "OV", Type: feed.StatOutboundRTP, Timestamp: ts, SSRC: 4, Kind: "video", PacketsSent: g.voutPk,
				BytesSent: g.voutBytes, QualityLimitationDurations: map[string]float64{"cpu": g.qlCPU, "bandwidth": g.qlBW}})
	}
	if g.extra != nil {
		st = g.extra(st)
	}
	return feed.Message{Type: feed.TypeStats, TS: ts, CallID: g.call, ParticipantID: g.pid, ConnectionID: g.conn, Stats: st}
}

// run applies the start messages and then n seconds of conditions from f.
func run(m *Monitor, g *gen, n int, f func(i int) cond) {
	for _, msg := range g.start("Dana") {
		m.Apply(&msg)
	}
	for i := 0; i < n; i++ {
		msg := g.step(f(i))
		m.Apply(&msg)
	}
}

// findingsOf returns every finding (open and cleared) of one rule.
func findingsOf(m *Monitor, rule string) []Finding {
	var out []Finding
	for _, c := range m.views.allCalls() {
		for _, f := range c.findings {
			if f.Rule == rule {
				out = append(out, *f)
			}
		}
	}
	return out
}
