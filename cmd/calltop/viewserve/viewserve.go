// Package viewserve runs a hub's call index (calltop hub --index) and
// answers its view clients (docs/feed-protocol.md, "View mode"): each
// client's view.request is kept, and a view.window of its visible rows is
// sent at once and then whenever those rows change, at most
// Config.Interval apart; the call it opens is streamed to it by the hub
// (hub.OpenCall). The index is fed from a diagnosis of what the hub
// serves: the team engine's snapshots on a team hub (Sync), otherwise an
// engine of its own on the hub's feed (RunEngine).
package viewserve

import (
	"bytes"
	"context"
	"log"
	"sync"
	"sync/atomic"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/view"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/hub"
)

// DefaultInterval is the least time between two windows to one viewer:
// four a second.
const DefaultInterval = 250 * time.Millisecond

// Config configures a Server.
type Config struct {
	// Interval is the least time between two windows sent to a viewer
	// for changes of the index (default DefaultInterval); an answer to a
	// new request goes at once.
	Interval time.Duration
	// Logf receives the server's log lines (default log.Printf).
	Logf func(format string, args ...any)
}

// Server keeps the index and its view clients. Give HubConfig's result
// to hub.New, then Run with the hub.
type Server struct {
	cfg   Config
	index *view.Index

	mu      sync.Mutex
	clients map[int64]*viewer
	wake    chan struct{} // a request came in
	windows atomic.Int64  // view.window frames sent
	checked atomic.Int64  // windows worked out

	// The other hubs' rows and this hub's shared (peers.go).
	ownCalls    atomic.Pointer[[]*diagnose.CallSummary] // the last Sync's calls
	peerMu      sync.Mutex
	peers       map[string]*peerState
	badPeer     atomic.Int64
	shareMu     sync.Mutex
	shared      map[string]*sharedRow
	shareGen    uint64
	fullSeq     uint64
	sharedBytes atomic.Int64
}

// viewer is one view client's state. Its fields are guarded by the
// Server's mu but for sent, which only Run touches.
type viewer struct {
	peer    hub.Peer
	query   feed.ViewQuery
	asked   bool   // query holds a request
	fresh   bool   // a request not answered yet
	problem string // a refused request's reason, to send
	sent    sent
}

// sent is what went to a viewer last (Run's own).
type sent struct {
	seq     uint64
	version uint64 // the index's version of the last window
	body    []byte // the last window without its seq
	at      time.Time
	open    string // the call the hub streams to it
}

// New returns a Server with an empty index.
func New(cfg Config) *Server {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Logf == nil {
		cfg.Logf = log.Printf
	}
	return &Server{cfg: cfg, index: view.NewIndex(), clients: map[int64]*viewer{}, wake: make(chan struct{}, 1),
		peers: map[string]*peerState{}, shared: map[string]*sharedRow{}}
}

// HubConfig returns hc with the server as its Views.
func (s *Server) HubConfig(hc hub.Config) hub.Config {
	hc.Views = s
	return hc
}

// Stats are the index's counters, for /healthz ("index").
type Stats struct {
	Calls   int    `json:"calls"`   // rows in the index
	Version uint64 `json:"version"` // changes so far
	Clients int    `json:"clients"` // view clients connected
	Windows int64  `json:"windows"` // view.window frames sent
	Checked int64  `json:"checked"` // windows worked out, sent or not (unchanged ones are not)
	// On a team hub on a bus (peers.go): the other hubs' rows held, their
	// frames refused, and the bytes of this hub's rows shared.
	PeerRows    int   `json:"peerRows,omitempty"`
	PeerRefused int64 `json:"peerRefused,omitempty"`
	SharedBytes int64 `json:"sharedBytes,omitempty"`
}

// Stats returns the index's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	n := len(s.clients)
	s.mu.Unlock()
	s.peerMu.Lock()
	peerRows := 0
	for _, p := range s.peers {
		peerRows += len(p.keys)
	}
	s.peerMu.Unlock()
	return Stats{Calls: s.index.Len(), Version: s.index.Version(), Clients: n, Windows: s.windows.Load(), Checked: s.checked.Load(),
		PeerRows: peerRows, PeerRefused: s.badPeer.Load(), SharedBytes: s.sharedBytes.Load()}
}

// Index is the server's call index.
func (s *Server) Index() *view.Index { return s.index }

// Sync takes a new snapshot of every call this hub diagnoses (the
// Monitor's): the windows that change go out at the next tick. The other
// hubs' rows (Peer) stay; these are the ones Share shares.
func (s *Server) Sync(snap diagnose.Snapshot) {
	calls := snap.Calls
	s.ownCalls.Store(&calls)
	s.index.Sync(snap)
}

// Joined implements hub.Views: a view client gets nothing before it asks.
func (s *Server) Joined(p hub.Peer) [][]byte {
	s.mu.Lock()
	s.clients[p.ID] = &viewer{peer: p}
	s.mu.Unlock()
	return nil
}

// Left implements hub.Views.
func (s *Server) Left(p hub.Peer) {
	s.mu.Lock()
	delete(s.clients, p.ID)
	s.mu.Unlock()
}

// Inbound implements hub.Views: it keeps the viewer's newest request (a
// bad one is answered with view.error and changes nothing) for Run.
func (s *Server) Inbound(p hub.Peer, frame []byte) {
	r, err := feed.DecodeViewRequest(frame)
	s.mu.Lock()
	c := s.clients[p.ID]
	if c != nil {
		if err != nil {
			c.problem = err.Error()
		} else {
			c.query, c.asked, c.fresh = r.View, true, true
		}
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run answers the view clients of h until ctx ends.
func (s *Server) Run(ctx context.Context, h *hub.Hub) error {
	tick := time.NewTicker(s.cfg.Interval / 2)
	defer tick.Stop()
	var work []job
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-tick.C:
		}
		work = s.due(work[:0], time.Now())
		for i := range work {
			s.serve(h, &work[i])
		}
		clear(work)
	}
}

// job is one viewer's turn: what Run sends it, worked out off the lock.
type job struct {
	c       *viewer
	query   feed.ViewQuery
	fresh   bool
	problem string
}

// due lists the clients with something to send: a problem, a request
// not answered, or (at most every Interval) an index that changed since
// their last window.
func (s *Server) due(work []job, now time.Time) []job {
	version := s.index.Version()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.clients {
		j := job{c: c, query: c.query, fresh: c.fresh, problem: c.problem}
		since := now.Sub(c.sent.at)
		changed := c.asked && c.sent.version != version && since >= s.cfg.Interval
		// A new request is answered at once, but a client sending a storm
		// of them is answered at most every Interval/5 (a tick later).
		j.fresh = j.fresh && since >= s.cfg.Interval/5
		if j.problem == "" && !j.fresh && !changed {
			continue
		}
		c.fresh = c.fresh && !j.fresh && !changed
		c.problem = ""
		work = append(work, j)
	}
	return work
}

// serve sends one viewer what its job says: a problem, the open call,
// and its window when it changed (or the request is new).
func (s *Server) serve(h *hub.Hub, j *job) {
	c := j.c
	id := c.peer.ID
	if j.problem != "" {
		if b, err := feed.EncodeView(feed.ViewError{Type: feed.TypeViewError, Error: j.problem}); err == nil {
			h.SendTo(id, b)
		}
		if !j.fresh {
			return
		}
	}
	if j.query.Open != c.sent.open {
		if !h.OpenCall(id, j.query.Open) {
			return
		}
		c.sent.open = j.query.Open
	}
	w := s.index.Apply(view.RequestOf(j.query))
	wire := view.WireWindow(w, 0)
	asked := j.query
	wire.Window.For = &asked
	ts := wire.TS
	wire.TS = 0 // the feed time moving on alone changes no row
	body, err := feed.EncodeView(wire)
	if err != nil {
		s.cfg.Logf("viewserve: encoding a window for viewer %d: %v", id, err)
		return
	}
	c.sent.version, c.sent.at = w.Version, time.Now()
	defer s.checked.Add(1)
	if !j.fresh && bytes.Equal(body, c.sent.body) {
		return // the rows on screen did not change
	}
	c.sent.seq++
	c.sent.body = body
	wire.Window.Seq, wire.TS = c.sent.seq, ts
	frame, err := feed.EncodeView(wire)
	if err != nil {
		return
	}
	if h.SendTo(id, frame) {
		s.windows.Add(1)
	}
}
