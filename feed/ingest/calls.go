package ingest

import (
	"strings"

	"github.com/calltop/calltop/feed"
)

// call is an ongoing call made of sessions of one meeting.
type call struct {
	id    string
	parts map[string]*session // by participant id
	last  float64             // newest time of a session that left
}

// dayMs bounds how far before its first sample a conference start is
// believed (as the dump reader does).
const dayMs = 24 * 3600 * 1000

// joinLocked makes the session a participant of its meeting's call,
// starting the call if it is the first; ts is its first message's time.
func (s *Server) joinLocked(ss *session, ts float64) {
	start := ts
	if cs := ss.stream.Start(); cs > 0 {
		if cs += ss.offset; cs < start && start-cs < dayMs {
			start = cs
		}
	}
	fallback := ss.meeting
	if fallback == "" {
		fallback = ss.id // no meeting named anywhere: a call of its own
	}
	c, p := ss.stream.Facts(fallback, ss.id, start)
	clipFacts(&c, &p)
	cl := s.calls[c.ID]
	if cl == nil {
		cl = &call{id: c.ID, parts: map[string]*session{}}
		s.calls[c.ID] = cl
		s.publish(&feed.Message{Type: feed.TypeCallStart, TS: start, Call: &c})
	}
	if other := cl.parts[p.ID]; other != nil && other != ss {
		// The same person twice (two tabs, one device id): keep both.
		p.ID += "~" + clip(strings.TrimPrefix(ss.id, "rtcstats-"), 8)
	}
	cl.parts[p.ID] = ss
	ss.joined, ss.callID, ss.part = true, c.ID, p
	ss.firstData = start
	s.publish(&feed.Message{Type: feed.TypeParticipantJoin, TS: start, CallID: c.ID, Participant: &p})
	s.cfg.Logf("ingest: session %s joined call %s as %s (%s)", ss.id, c.ID, p.ID, nameOf(p))
}

// clipFacts bounds what the hub keeps of a session's call and
// participant (the tracker holds them for every snapshot): ids and names
// from the network are cut to a few hundred bytes.
func clipFacts(c *feed.Call, p *feed.Participant) {
	c.ID, c.Room = clip(c.ID, 200), clip(c.Room, 200)
	for k, v := range c.Tags {
		c.Tags[k] = clip(v, 200) // its keys are the reader's own few
	}
	p.ID, p.Name, p.UserID = clip(p.ID, 200), clip(p.Name, 200), clip(p.UserID, 200)
	p.UserAgent, p.NetworkType, p.Region = clip(p.UserAgent, 500), clip(p.NetworkType, 100), clip(p.Region, 100)
}

func nameOf(p feed.Participant) string {
	if p.Name != "" {
		return p.Name
	}
	return "no name"
}

// leaveLocked makes a joined session leave its call, at its last data
// time; the call ends when its last session leaves.
func (s *Server) leaveLocked(ss *session, why string) {
	if !ss.joined {
		return
	}
	ss.joined = false
	ts := ss.lastData
	s.publish(&feed.Message{Type: feed.TypeParticipantLeave, TS: ts, CallID: ss.callID, ParticipantID: ss.part.ID, Reason: why})
	msg := "ingest: session %s left call %s: %s"
	args := []any{ss.id, ss.callID, why}
	if ss.bad > problemsLogged {
		msg += " (%d bad frames in all)"
		args = append(args, ss.bad)
	}
	s.cfg.Logf(msg, args...)
	cl := s.calls[ss.callID]
	if cl == nil {
		return
	}
	delete(cl.parts, ss.part.ID)
	cl.last = max(cl.last, ts)
	if len(cl.parts) == 0 {
		delete(s.calls, cl.id)
		s.publish(&feed.Message{Type: feed.TypeCallEnd, TS: cl.last, CallID: cl.id, Reason: "everyone left"})
	}
}

// updateLocked publishes participant.update when an identity line that
// came after the join changed what is known of the participant.
func (s *Server) updateLocked(ss *session) {
	c, p := ss.stream.Facts(ss.callID, ss.part.ID, ss.firstData)
	clipFacts(&c, &p)
	p.ID = ss.part.ID // fixed at the join
	if p == ss.part {
		return
	}
	ss.part = p
	s.publish(&feed.Message{Type: feed.TypeParticipantUpdate, TS: ss.lastData, CallID: ss.callID, Participant: &p})
}

// statsFormat names the stats a browser sends as rtcstats-server does
// (chrome_standard, firefox, safari), but for Chrome's legacy stats,
// "legacy" as calltop's dump reader calls them.
func statsFormat(userAgent, protocol string) string {
	switch {
	case strings.Contains(userAgent, "Firefox/"):
		return "firefox"
	case strings.Contains(userAgent, "Safari/") && !strings.Contains(userAgent, "Chrome/") && !strings.Contains(userAgent, "Chromium/"):
		return "safari"
	case strings.HasSuffix(protocol, "_LEGACY"):
		return "legacy"
	}
	return "chrome_standard"
}
