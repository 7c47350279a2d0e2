package sim

import (
	"strconv"

	"github.com/calltop/calltop/feed"
)

// participant is one simulated client with one peer connection to the SFU.
type participant struct {
	id, name, userID, ua, network, region string

	joinMS     int64 // when they join (may be before the first step)
	joined     bool
	left       bool
	connID     string
	ice        string // ICE connection state
	nextMS     int64  // next scripted state change (ice-disconnect, ice-failed)
	leaveMS    int64  // scripted early leave; 0 if they stay to the end
	leaveWhy   string // the leave's reason
	problem    bool   // the call's scenario applies to this participant
	problemMS  int64  // the problem is active from this feed time
	fleet      uint8  // bits of the Sim's fleet scenarios whose group they are in
	sendsVideo bool
	inVideo    bool // receives video from the SFU

	// Path baseline.
	rttMS, jitterMS, upBps, lossIn, lossOut float64
	localType, relayProto, protocol         string
	localAddr, remoteAddr                   string
	turnURL                                 string // the TURN server of a relay candidate
	sendPath                                bool   // LC/RC/T objects are due in the next report

	m media
}

// newParticipant draws a participant of c who joins at joinMS; problem
// says the call's scenario applies to them.
func (s *Sim) newParticipant(c *call, joinMS int64, problem bool) *participant {
	r := s.rng
	s.nextPart++
	p := &participant{
		id:         "p" + strconv.Itoa(s.nextPart),
		name:       firstNames[r.IntN(len(firstNames))] + " " + lastInitials[r.IntN(len(lastInitials)):][:1] + ".",
		userID:     "u-" + strconv.FormatUint(uint64(r.Uint32()), 36),
		region:     peopleRegions[r.IntN(len(peopleRegions))],
		joinMS:     joinMS,
		connID:     "pc-1",
		ice:        iceNew,
		problem:    problem,
		sendsVideo: r.IntN(100) < 85,
		protocol:   "udp",
		remoteAddr: "203.0.113." + strconv.Itoa(10+r.IntN(200)),
	}
	ua := r.IntN(len(userAgents))
	p.ua = userAgents[ua]
	pick := r.IntN(100)
	switch {
	case mobileAgent(ua) && pick < 60, !mobileAgent(ua) && pick < 55:
		p.network = "wifi"
	case mobileAgent(ua), pick >= 95:
		p.network = "cellular"
	default:
		p.network = "ethernet"
	}
	n := networks[p.network]
	p.rttMS = between(r, n.rtt)
	p.jitterMS = between(r, n.jit)
	p.upBps = between(r, n.upBps)
	p.lossIn = r.Float64() * 0.001
	p.lossOut = r.Float64() * 0.001
	switch {
	case p.network == "ethernet" && r.IntN(3) == 0:
		p.localType, p.localAddr = "host", "198.51.100."+strconv.Itoa(2+r.IntN(250))
	default:
		p.localType, p.localAddr = "srflx", "198.51.100."+strconv.Itoa(2+r.IntN(250))
	}
	p.m.init(r)
	p.fleet = s.fleetMask(p)
	if problem {
		p.problemMS = joinMS + int64(2+r.IntN(4))*1000
		if joinMS < s.nowMS { // already in progress: the problem is already there
			p.problemMS = joinMS
		}
		c.sc.setup(s, c, p)
	}
	return p
}

// runParticipant emits one step of a participant's life: join, state
// changes, the stats report, and a scripted leave.
func (s *Sim) runParticipant(c *call, p *participant) {
	if p.left || s.nowMS < p.joinMS {
		return
	}
	if !p.joined {
		s.join(c, p)
		return
	}
	if p.leaveMS > 0 && s.nowMS >= p.leaveMS {
		s.leave(c, p, p.leaveWhy)
		return
	}
	dt := float64(s.stepMS) / 1000
	switch p.ice {
	case iceChecking:
		if p.problem && c.sc.name == "ice-failed" {
			if s.nowMS >= p.nextMS {
				p.ice = iceFailed
				p.sendPath = true
				p.leaveMS = s.nowMS + int64(30+s.rng.IntN(31))*1000
				p.leaveWhy = "connection-failed"
				s.event(c, p, iceFailed, iceFailed)
			}
			s.report(c, p, dt)
			return
		}
		p.ice = iceConnected
		p.sendPath = true
		s.event(c, p, iceConnected, iceConnected)
		dt /= 2 // media started part way through the interval
	case iceConnected:
		if p.problem && c.sc.name == "ice-disconnect" && s.nowMS >= p.nextMS {
			p.ice = iceDisconnected
			p.sendPath = true
			p.nextMS = s.nowMS + int64(10+s.rng.IntN(11))*1000
			s.event(c, p, iceDisconnected, iceDisconnected)
		}
	case iceDisconnected:
		if s.nowMS >= p.nextMS {
			p.ice = iceConnected
			p.sendPath = true
			p.nextMS = s.nowMS + int64(40+s.rng.IntN(31))*1000
			s.event(c, p, iceConnected, iceConnected)
		}
	}
	s.report(c, p, dt)
}

// join announces p. One joining now starts ICE checks; one already in the
// call at the first step is connected, with counters for its time so far.
func (s *Sim) join(c *call, p *participant) {
	p.joined = true
	s.emit(feed.Message{Type: feed.TypeParticipantJoin, CallID: c.id, Participant: &feed.Participant{
		ID: p.id, Name: p.name, UserID: p.userID, UserAgent: p.ua,
		NetworkType: p.network, Region: p.region, Joined: float64(p.joinMS)}})
	p.inVideo = c.videoFrom(p)
	if p.joinMS < s.nowMS {
		p.ice = iceConnected
		p.sendPath = true
		s.event(c, p, iceConnected, iceConnected)
		s.report(c, p, float64(s.nowMS-p.joinMS)/1000)
		return
	}
	p.ice = iceChecking
	p.sendPath = true
	s.event(c, p, iceChecking, "connecting")
	s.report(c, p, 0)
}

// videoFrom reports whether anyone in c other than p sends video.
func (c *call) videoFrom(p *participant) bool {
	for _, q := range c.parts {
		if q != p && q.sendsVideo {
			return true
		}
	}
	return false
}
