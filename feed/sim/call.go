package sim

import (
	"strconv"

	"github.com/calltop/calltop/feed"
)

// call is one simulated call (a room session).
type call struct {
	id, room string
	sc       *scenario
	tags     map[string]string
	startMS  int64
	endMS    int64
	parts    []*participant
	started  bool // call.start sent
}

// ICE connection states the simulator moves through.
const (
	iceNew          = "new"
	iceChecking     = "checking"
	iceConnected    = "connected"
	iceDisconnected = "disconnected"
	iceFailed       = "failed"
	iceClosed       = "closed"
)

// newCall makes a call. At the first step it is already in progress
// (started up to its whole duration ago); later it starts now.
func (s *Sim) newCall(inProgress bool) *call {
	s.nextCall++
	r := s.rng
	dur := int64(2*60_000 + r.IntN(18*60_000))
	c := &call{
		id:      "call-" + strconv.Itoa(1000+s.nextCall),
		room:    roomWords[r.IntN(len(roomWords))] + "-" + teams[r.IntN(len(teams))],
		sc:      s.pickScenario(),
		startMS: s.nowMS,
	}
	if inProgress {
		elapsed := int64(r.Float64() * float64(dur-30_000))
		c.startMS = s.nowMS - max(elapsed/1000*1000, s.stepMS) // whole seconds, at least a step ago
	}
	c.endMS = c.startMS + dur
	c.tags = map[string]string{
		"scenario": c.sc.name,
		"region":   callRegions[r.IntN(len(callRegions))],
		"app":      appVersions[r.IntN(len(appVersions))],
	}
	n := 2 + r.IntN(5)
	problem := -1
	if c.sc.name != "good" {
		problem = r.IntN(n)
	}
	early := -1 // one who leaves before the end, in some calls of three or more
	if n > 2 && r.IntN(4) == 0 {
		early = 1 + r.IntN(n-1)
	}
	for i := range n {
		joinMS := c.startMS
		switch {
		case i > 0 && i != problem && r.IntN(100) < 15: // a latecomer
			joinMS += 30_000 + r.Int64N(dur/2)/1000*1000
		case i > 0:
			joinMS += int64(r.IntN(20)) * 1000
		}
		p := s.newParticipant(c, joinMS, i == problem)
		if i == early && i != problem {
			p.leaveMS = joinMS + 60_000 + r.Int64N(c.endMS-joinMS)/1000*1000
			p.leaveWhy = "hangup"
			if p.leaveMS >= c.endMS {
				p.leaveMS = 0
			} else if p.leaveMS <= s.nowMS {
				continue // left before the feed began
			}
		}
		c.parts = append(c.parts, p)
	}
	return c
}

// runCall emits one step of a call; it returns false once the call ended.
func (s *Sim) runCall(c *call) bool {
	if !c.started {
		c.started = true
		s.emit(feed.Message{Type: feed.TypeCallStart, Call: &feed.Call{
			ID: c.id, Room: c.room, Start: float64(c.startMS), Tags: c.tags}})
	}
	if s.nowMS >= c.endMS {
		for _, p := range c.parts {
			if p.joined && !p.left {
				s.leave(c, p, "hangup")
			}
		}
		s.emit(feed.Message{Type: feed.TypeCallEnd, CallID: c.id, Reason: "hangup"})
		return false
	}
	for _, p := range c.parts {
		s.runParticipant(c, p)
	}
	return true
}

// event emits both ICE and peer-connection state changes for p.
func (s *Sim) event(c *call, p *participant, ice, pc string) {
	if ice != "" {
		s.emit(feed.Message{Type: feed.TypeConnectionEvent, CallID: c.id, ParticipantID: p.id,
			ConnectionID: p.connID, Event: &feed.ConnectionEvent{Kind: feed.EventICEConnectionState, State: ice}})
	}
	if pc != "" {
		s.emit(feed.Message{Type: feed.TypeConnectionEvent, CallID: c.id, ParticipantID: p.id,
			ConnectionID: p.connID, Event: &feed.ConnectionEvent{Kind: feed.EventConnectionState, State: pc}})
	}
}

func (s *Sim) leave(c *call, p *participant, reason string) {
	p.left = true
	s.event(c, p, iceClosed, iceClosed)
	s.emit(feed.Message{Type: feed.TypeParticipantLeave, CallID: c.id, ParticipantID: p.id, Reason: reason})
}
