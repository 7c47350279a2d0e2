package ingest

import (
	"fmt"
	"net"
	"net/http"

	"github.com/gorilla/websocket"
)

// Memory budgets (Config's zero values) and how they are kept.
const (
	// DefaultSessionBytes caps one session's state: its decoder's stats
	// objects (the delta-compression state) and facts.
	DefaultSessionBytes = 2 << 20
	// DefaultClientBytes caps what the sessions of one client address
	// hold together, departed ones included.
	DefaultClientBytes = 8 << 20
	// sessionOverhead is a session's cost beyond its state: its struct,
	// decoder, rate limiter, connection buffers and reader goroutine.
	sessionOverhead = 32 << 10
	// measureEvery is how many bytes of lines a session may send before
	// its state is measured again (the measure walks the state).
	measureEvery = 16 << 10
	// amplification bounds the state a byte of line can add
	// (`"x":1,` is 6 bytes and a map entry of about 90): lines not yet
	// measured are counted at this rate.
	amplification = 16
)

// clientOf is the client a request comes from: its address without the
// port. Behind a proxy every browser has the proxy's.
func clientOf(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// setKeptLocked records ss's new size in its client's total.
func (s *Server) setKeptLocked(ss *session, kept int) {
	s.clients[ss.client] += kept - ss.kept
	ss.kept = kept
}

// forgetLocked drops ss (a departed session, or one over its budget):
// its client's total no longer counts it and a reconnect starts afresh.
func (s *Server) forgetLocked(ss *session) {
	if s.sessions[ss.id] != ss {
		return
	}
	delete(s.sessions, ss.id)
	ss.gone = true
	if s.clients[ss.client] -= ss.kept; s.clients[ss.client] <= 0 {
		delete(s.clients, ss.client)
	}
}

// makeRoomLocked forgets departed sessions of client, oldest first (but
// not keep), until need more bytes fit its budget; it reports whether
// they do.
func (s *Server) makeRoomLocked(client string, need int, keep *session) bool {
	for s.clients[client]+need > s.cfg.ClientBytes {
		var oldest *session
		for _, ss := range s.sessions {
			if ss.client == client && ss != keep && ss.departed() && (oldest == nil || ss.heard.Before(oldest.heard)) {
				oldest = ss
			}
		}
		if oldest == nil {
			return false
		}
		s.forgetLocked(oldest)
		s.evicted.Add(1)
	}
	return true
}

// departedCapLocked forgets the oldest departed session when MaxSessions
// of them are kept: departed sessions are kept for reconnects, within
// the same cap as live ones.
func (s *Server) departedCapLocked() {
	n := 0
	var oldest *session
	for _, ss := range s.sessions {
		if ss.departed() {
			n++
			if oldest == nil || ss.heard.Before(oldest.heard) {
				oldest = ss
			}
		}
	}
	if n >= s.cfg.MaxSessions && oldest != nil {
		s.forgetLocked(oldest)
		s.evicted.Add(1)
	}
}

// measureLocked counts n more bytes of lines into ss, at the most state
// they could add, and measures its state when that guess could break a
// budget or measureEvery bytes came since the last measure. A session over
// its own cap, or whose client is over its budget once its departed
// sessions are forgotten, is ended: it leaves, its connection is closed
// (1008) and it is forgotten. It reports whether ss lives on.
func (s *Server) measureLocked(ss *session, n int) bool {
	ss.unmeasured += n
	s.setKeptLocked(ss, ss.measured+amplification*ss.unmeasured)
	if ss.unmeasured < measureEvery && ss.kept <= s.cfg.SessionBytes && s.clients[ss.client] <= s.cfg.ClientBytes {
		return true
	}
	ss.unmeasured = 0
	ss.measured = sessionOverhead + ss.stream.Kept()
	s.setKeptLocked(ss, ss.measured)
	switch {
	case ss.kept > s.cfg.SessionBytes:
		s.overBudgetLocked(ss, fmt.Sprintf("its state is over the %d-byte session budget (--ingest-max-session-bytes)", s.cfg.SessionBytes))
	case !s.makeRoomLocked(ss.client, 0, ss):
		s.overBudgetLocked(ss, fmt.Sprintf("the sessions of %s hold over the %d-byte client budget (--ingest-max-client-bytes)", ss.client, s.cfg.ClientBytes))
	default:
		return true
	}
	return false
}

// overBudgetLocked ends ss for why: counted, logged, the participant
// leaves, the connection is closed with 1008 and the session forgotten.
func (s *Server) overBudgetLocked(ss *session, why string) {
	s.overBudget.Add(1)
	s.cfg.Logf("ingest: session %s ended: %s", ss.id, why)
	s.leaveLocked(ss, "over its memory budget")
	ss.closeConnCode(websocket.ClosePolicyViolation, "over its memory budget")
	s.forgetLocked(ss)
}
