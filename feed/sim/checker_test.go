package sim

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"
	"testing"

	"github.com/calltop/calltop/feed"
)

// checker reads a simulated feed the way a consumer would (each message
// marshalled and decoded with feed.Decode) and checks that it is coherent:
// lifecycle order, monotonic and plausible counters per (participant,
// connection, stat id), and which problem signals each participant shows.
type checker struct {
	t     testing.TB
	errs  int
	calls map[string]*seenCall
	parts map[string]*seenPart // by call/participant
	last  map[string]feed.Stat // by call/participant/connection/stat id
	order []*seenCall
	nowTS float64
}

type seenCall struct {
	id, scenario string
	startTS      float64 // first seen
	ended        bool
	parts        []*seenPart
}

type seenPart struct {
	call            *seenCall
	id, ua, region  string
	left            bool
	ice             string
	firstReport     float64
	lastReport      float64
	masks           map[string]uint8   // check -> its last five samples
	raised          map[string]float64 // check -> feed time it first held in 3 of 5
	audioLost       float64
	audioPackets    float64
	maxRTT, maxJitt float64
	maxLossIn       float64 // worst interval's inbound loss
}

func newChecker(t testing.TB) *checker {
	return &checker{t: t, calls: map[string]*seenCall{}, parts: map[string]*seenPart{}, last: map[string]feed.Stat{}}
}

func (c *checker) fail(format string, args ...any) {
	c.errs++
	if c.errs <= 20 {
		c.t.Errorf(format, args...)
	}
	if c.errs == 20 {
		c.t.Fatalf("too many errors")
	}
}

// feed checks every message of one step.
func (c *checker) feed(msgs []feed.Message) {
	for i := range msgs {
		data, err := json.Marshal(&msgs[i])
		if err != nil {
			c.t.Fatalf("marshal %s: %v", msgs[i].Type, err)
		}
		var m feed.Message
		if err := feed.Decode(data, &m); err != nil {
			c.t.Fatalf("decode %s: %v", data, err)
		}
		if m.TS < c.nowTS {
			c.fail("%s at %v goes back in time (last %v)", m.Type, m.TS, c.nowTS)
		}
		c.nowTS = m.TS
		c.apply(&m)
	}
}

func (c *checker) apply(m *feed.Message) {
	switch m.Type {
	case feed.TypeCallStart:
		if c.calls[m.Call.ID] != nil {
			c.fail("call %s started twice", m.Call.ID)
		}
		sc := m.Call.Tags["scenario"]
		if !slices.Contains(ScenarioNames(), sc) || m.Call.Tags["region"] == "" || m.Call.Tags["app"] == "" {
			c.fail("call %s has tags %v", m.Call.ID, m.Call.Tags)
		}
		if m.Call.Start > m.TS {
			c.fail("call %s starts in the future", m.Call.ID)
		}
		sc2 := &seenCall{id: m.Call.ID, scenario: sc, startTS: m.TS}
		c.calls[m.Call.ID] = sc2
		c.order = append(c.order, sc2)
	case feed.TypeParticipantJoin:
		call := c.liveCall(m.CallID, m.Type)
		p := m.Participant
		if call == nil {
			return
		}
		if c.parts[m.CallID+"/"+p.ID] != nil {
			c.fail("participant %s joined twice", p.ID)
		}
		if p.Name == "" || p.UserID == "" || p.UserAgent == "" || p.Region == "" ||
			!slices.Contains([]string{"wifi", "ethernet", "cellular"}, p.NetworkType) {
			c.fail("participant %+v lacks a detail", *p)
		}
		sp := &seenPart{call: call, id: p.ID, ua: p.UserAgent, region: p.Region, masks: map[string]uint8{}, raised: map[string]float64{}}
		c.parts[m.CallID+"/"+p.ID] = sp
		call.parts = append(call.parts, sp)
	case feed.TypeConnectionEvent:
		if p := c.livePart(m); p != nil && m.Event.Kind == feed.EventICEConnectionState {
			p.ice = m.Event.State
			switch p.ice {
			case "disconnected":
				p.raise("ice-disconnected", m.TS)
			case "failed":
				p.raise("ice-failed", m.TS)
			}
		}
	case feed.TypeStats:
		if p := c.livePart(m); p != nil {
			c.stats(p, m)
		}
	case feed.TypeParticipantLeave:
		if p := c.livePart(m); p != nil {
			p.left = true
		}
	case feed.TypeCallEnd:
		if call := c.liveCall(m.CallID, m.Type); call != nil {
			call.ended = true
			for _, p := range call.parts {
				if !p.left {
					c.fail("call %s ended with %s still in it", call.id, p.id)
				}
			}
		}
	default:
		c.fail("unexpected message type %q", m.Type)
	}
}

func (c *checker) liveCall(id, what string) *seenCall {
	call := c.calls[id]
	if call == nil || call.ended {
		c.fail("%s for call %s that is not in progress", what, id)
		return nil
	}
	return call
}

func (c *checker) livePart(m *feed.Message) *seenPart {
	if c.liveCall(m.CallID, m.Type) == nil {
		return nil
	}
	p := c.parts[m.CallID+"/"+m.ParticipantID]
	if p == nil || p.left {
		c.fail("%s for participant %s who is not in call %s", m.Type, m.ParticipantID, m.CallID)
		return nil
	}
	return p
}

// raise records that check held at ts (events count at once).
func (p *seenPart) raise(check string, ts float64) {
	if _, ok := p.raised[check]; !ok {
		p.raised[check] = ts
	}
}

// sample records one interval's outcome of a check; three in the last
// five raise it, as the diagnose rules do.
func (p *seenPart) sample(check string, on bool, ts float64) {
	m := p.masks[check] << 1 & 31
	if on {
		m |= 1
	}
	p.masks[check] = m
	if bits.OnesCount8(m) >= 3 {
		p.raise(check, ts)
	}
}

func (p *seenPart) String() string {
	return fmt.Sprintf("%s/%s (%s)", p.call.id, p.id, p.call.scenario)
}
