// Package ingest receives rtcstats from browsers over WebSocket and turns
// each browser session into a calltop.v1 participant, published into the
// hub beside its other sources.
//
// Two clients are understood on the same endpoint (/rtcstats/<meeting>):
// the Jitsi rtcstats client (npm @jitsi/rtcstats: subprotocols such as
// "3.1_STANDARD", messages {statsSessionId, type, data}) and the plain
// rtcstats client (npm rtcstats: one [method, pcId, value, timestamp]
// array per message). Lines are decoded by feed/dump's rtcstats reader, so
// a live session gives the messages its dump would. The memory a session
// and a client address hold is bounded (budget.go). See docs/ingest.md.
package ingest

import (
	"context"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/calltop/calltop/feed/hub"
)

// Defaults for Config's zero values.
const (
	DefaultMaxSessions     = 1000
	DefaultMaxMessageBytes = 1 << 20
	DefaultRate            = 100
	DefaultBurst           = 2000
	DefaultSilence         = 60 * time.Second
	DefaultMaxSkew         = 5 * time.Second
	// keepDeparted is how long a session that left is remembered, so that
	// the Jitsi client's reconnect (it retries for up to 10 minutes)
	// rejoins as the same participant with its delta-compression state.
	keepDeparted = 10 * time.Minute
	// problemsLogged is how many bad frames of one session are logged one
	// by one; the rest are counted and told when the session leaves.
	problemsLogged = 5
)

// Config sets up an ingest endpoint. The zero value is usable on
// loopback: no token, same-origin browsers only, the defaults above.
type Config struct {
	// Token, when set, must be presented as a "token" query parameter, a
	// "token.<token>" WebSocket subprotocol or "Authorization: Bearer".
	Token string
	// AllowOrigins lists the browser origins allowed to connect
	// ("https://app.example.com"; "*" allows any). Empty: only pages served
	// from the hub's own host, and clients that send no Origin (not a
	// browser).
	AllowOrigins []string
	// AllowHosts are the Host names answered without a token besides the
	// loopback ones (see hub.HostAllowed; --allow-host).
	AllowHosts []string
	// MaxSessions caps the sessions in calls at once; more are refused with
	// 503 (default 1000).
	MaxSessions int
	// SessionBytes caps the state one session holds (default
	// DefaultSessionBytes); ClientBytes caps what the sessions of one
	// client address hold together, departed ones included (default
	// DefaultClientBytes). See docs/ingest.md for what happens at each.
	SessionBytes, ClientBytes int
	// MaxMessageBytes caps one WebSocket message; a larger one closes the
	// connection with 1009 (default 1 MiB).
	MaxMessageBytes int64
	// Rate and Burst limit the messages a connection may send a second: a
	// faster client is slowed down (the hub stops reading from it), not
	// cut off (defaults 100 and 2000: a reconnecting client resends up to
	// 1,000 buffered messages at once).
	Rate  float64
	Burst int
	// Silence is how long a session may send nothing before it leaves
	// (default 60 s, as rtcstats-server).
	Silence time.Duration
	// MaxSkew is how far a browser's clock may be from the hub's before
	// the session's times are shifted onto the hub's clock by a constant
	// (default 5 s). Intervals are kept, so findings do not change.
	MaxSkew time.Duration
	// Logf receives one line per session event (default log.Printf),
	// escaped by feed.LogSafe: paths and ids from the network reach it raw.
	Logf func(format string, args ...any)
	// Now is the hub's clock (default time.Now).
	Now func() time.Time
}

func (c *Config) fill() {
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.SessionBytes <= 0 {
		c.SessionBytes = DefaultSessionBytes
	}
	if c.ClientBytes <= 0 {
		c.ClientBytes = DefaultClientBytes
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.Rate <= 0 {
		c.Rate = DefaultRate
	}
	if c.Burst <= 0 {
		c.Burst = DefaultBurst
	}
	if c.Silence <= 0 {
		c.Silence = DefaultSilence
	}
	if c.MaxSkew <= 0 {
		c.MaxSkew = DefaultMaxSkew
	}
	if c.Logf == nil {
		c.Logf = log.Printf
	}
	c.Logf = hub.SafeLogf(c.Logf)
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Stats are an ingest endpoint's counters.
type Stats struct {
	Sessions    int   `json:"sessions"`    // in calls now
	Connections int   `json:"connections"` // open WebSockets
	Calls       int   `json:"calls"`       // ongoing calls made of sessions
	Messages    int64 `json:"messages"`    // WebSocket messages received
	BadFrames   int64 `json:"badFrames"`   // messages or lines that could not be used
	Refused     int64 `json:"refused"`     // connections refused (token, origin, session cap)
	Throttled   int64 `json:"throttled"`   // messages that had to wait for the rate limit
	OverBudget  int64 `json:"overBudget"`  // sessions ended or refused over a memory budget
	Evicted     int64 `json:"evicted"`     // departed sessions forgotten early to make room
}

// Server is an rtcstats ingest endpoint publishing into a hub. Serve it as
// an http.Handler on "/rtcstats" and "/rtcstats/", and run Run beside it.
type Server struct {
	cfg Config
	pub hub.Publisher

	mu       sync.Mutex
	sessions map[string]*session // by statsSessionId, departed ones too
	clients  map[string]int      // bytes held by each client address's sessions
	calls    map[string]*call    // ongoing, by call id
	closed   bool
	conns    sync.WaitGroup

	messages, bad, refused, throttled atomic.Int64
	overBudget, evicted               atomic.Int64
	open                              atomic.Int64
}

// New makes an ingest endpoint that publishes into pub.
func New(pub hub.Publisher, cfg Config) *Server {
	cfg.fill()
	return &Server{cfg: cfg, pub: pub, sessions: map[string]*session{}, clients: map[string]int{}, calls: map[string]*call{}}
}

// Stats returns the endpoint's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Calls: len(s.calls), Connections: int(s.open.Load()),
		Messages: s.messages.Load(), BadFrames: s.bad.Load(), Refused: s.refused.Load(), Throttled: s.throttled.Load(),
		OverBudget: s.overBudget.Load(), Evicted: s.evicted.Load()}
	for _, ss := range s.sessions {
		if ss.joined {
			st.Sessions++
		}
	}
	return st
}

// Run ends sessions that fell silent and forgets departed ones, until ctx
// ends; then it closes every connection, ends every session and returns
// nil.
func (s *Server) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			s.shutdown()
			return nil
		case <-tick.C:
			s.sweep()
		}
	}
}

// sweep makes sessions silent for cfg.Silence leave, closing their
// connection, and forgets sessions departed long ago.
func (s *Server) sweep() {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		silent := now.Sub(ss.heard)
		switch {
		case ss.joined && silent >= s.cfg.Silence:
			s.leaveLocked(ss, "silent for "+s.cfg.Silence.String())
			ss.closeConn(http.StatusText(http.StatusRequestTimeout))
		case ss.departed() && silent >= keepDeparted:
			s.forgetLocked(ss)
		}
	}
}

// shutdown closes every connection and ends every session.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.closed = true
	for _, ss := range s.sessions {
		s.leaveLocked(ss, "hub shutting down")
		ss.closeConn("hub shutting down")
	}
	s.mu.Unlock()
	s.conns.Wait()
}
