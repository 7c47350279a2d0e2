package hub

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/calltop/calltop/feed"

	"github.com/gorilla/websocket"
)

// Config configures a Hub. Zero values take the defaults named.
type Config struct {
	// Name is the server name sent in hello (default "calltop-hub").
	Name string
	// Token, when set, is required from every subscriber as
	// "Authorization: Bearer <token>" or a "token" query parameter.
	Token string
	// QueueBytes is how many bytes of frames a subscriber may fall behind
	// before it is disconnected as too slow (default DefaultQueueBytes).
	QueueBytes int
	// WriteTimeout bounds one write to a subscriber (default 10 s).
	WriteTimeout time.Duration
	// PingInterval is how often the hub pings each subscriber; one that
	// answers nothing for three intervals is dropped (default 20 s).
	PingInterval time.Duration
	// SnapshotPartBytes is the size snapshots are split at (default
	// SnapshotPartBytes).
	SnapshotPartBytes int
	// TLS, when set, makes Serve serve wss:// (and https) on its
	// listener, above the connection cap.
	TLS *tls.Config
	// MaxConns caps the connections held at once, subscribers, HTTP
	// requests and ingest WebSockets together (default DefaultMaxConns,
	// lowered to fit the process's open-file limit); SubscriberReserve of
	// them are kept for feed subscribers (default a quarter). See Serve.
	MaxConns, SubscriberReserve int
	// IdleTimeout closes a keep-alive HTTP connection idle this long
	// (default DefaultIdleTimeout).
	IdleTimeout time.Duration
	// AllowHosts are the Host names a hub without a token answers besides
	// the loopback ones (localhost, 127.0.0.1, [::1]): a web page that
	// rebinds its own name to 127.0.0.1 is refused (--allow-host).
	AllowHosts []string
	// Logf receives one line per subscriber event (default log.Printf),
	// escaped by feed.LogSafe.
	Logf func(format string, args ...any)

	// Authenticate, when set, replaces the Token check: it says who a
	// request is, or false to refuse it (a team hub's users).
	Authenticate func(r *http.Request) (Peer, bool)
	// Joined, when set, gives the frames a new subscriber gets after
	// hello, before the snapshot. It runs under the hub's lock: no I/O.
	Joined func(p Peer) [][]byte
	// Inbound, when set, takes each text frame a subscriber sends (a
	// team hub's commands); it must not block. Without it, a team
	// command is answered "hub not in team mode".
	Inbound func(p Peer, frame []byte)
	// Views, when set, serves view clients (?view=1): see Views. Without
	// it a view client is told feed.NoIndexError and closed.
	Views Views
	// DemandChanged, when set, is called when Hub.StatsDemand may have
	// changed: a subscriber joined or left, a view client opened or
	// closed a call. It runs under the hub's lock: it must not block or
	// call the hub (a bus node signals a goroutine that reads the demand).
	DemandChanged func()
}

// Stats are a hub's counters, for /healthz and logs.
type Stats struct {
	Calls       int   `json:"calls"`
	Subscribers int   `json:"subscribers"`
	Published   int64 `json:"published"` // frames fanned out
	Dropped     int64 `json:"dropped"`   // subscribers dropped as too slow
	Refused     int64 `json:"refused"`   // requests refused: token, host, connection cap
	Shed        int64 `json:"shed"`      // idle or silent connections closed at the cap to make room
}

// DefaultQueueBytes is a subscriber's default backlog limit: about two
// seconds of a 10,000-call feed (some 63 MB a second), room for a fleet's
// first second (10,000 call starts) or a 10,000-call snapshot on top of
// the live stream.
const DefaultQueueBytes = 128 << 20

// ErrHubClosed is returned by Publish after Close.
var ErrHubClosed = errors.New("hub is closed")

// Hub is a calltop.v1 fan-out server. Sources publish messages or raw
// frames into it; it keeps the ongoing calls in a Tracker, sends each new
// subscriber hello and a snapshot, then the live stream. Each frame is
// encoded once and its bytes shared by every subscriber's bounded queue.
type Hub struct {
	cfg      Config
	upgrader websocket.Upgrader

	mu     sync.Mutex
	state  *feed.Tracker
	subs   map[*subscriber]struct{}
	views  int // how many of subs are view clients
	nextID int64
	closed bool
	snap   snapshotCache // the calls encoded, while they do not change
	health []healthSection

	frameMu sync.Mutex    // orders PublishFrame's decoding
	frames  feed.Pipeline // call-state frames PublishFrame decodes

	wg        sync.WaitGroup
	published atomic.Int64
	dropped   atomic.Int64
	refused   atomic.Int64
	shed      atomic.Int64
	limiter   atomic.Pointer[connLimiter] // set by Serve
}

// New returns a Hub with no subscribers and no calls.
func New(cfg Config) *Hub {
	if cfg.Name == "" {
		cfg.Name = "calltop-hub"
	}
	if cfg.QueueBytes <= 0 {
		cfg.QueueBytes = DefaultQueueBytes
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 20 * time.Second
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = defaultMaxConns()
	}
	if cfg.SubscriberReserve <= 0 {
		cfg.SubscriberReserve = cfg.MaxConns / 4
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Logf == nil {
		cfg.Logf = log.Printf
	}
	cfg.Logf = SafeLogf(cfg.Logf)
	h := &Hub{cfg: cfg, state: feed.NewTracker(), subs: map[*subscriber]struct{}{}}
	h.upgrader = websocket.Upgrader{
		Subprotocols:      []string{feed.Subprotocol},
		HandshakeTimeout:  10 * time.Second,
		EnableCompression: false,
	}
	if cfg.Token != "" {
		// The token authenticates; pages from any origin may present it.
		h.upgrader.CheckOrigin = func(*http.Request) bool { return true }
	}
	return h
}

// Handler serves /feed (the WebSocket) and /healthz. Without a token it
// answers only requests whose Host is a loopback name or address or one
// of AllowHosts (DNS rebinding).
func (h *Hub) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/feed", h.serveFeed)
	mux.HandleFunc("/healthz", h.serveHealth)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// With Authenticate (a team hub), it checks the Host itself for
		// clients it lets in without a token.
		if h.cfg.Token == "" && h.cfg.Authenticate == nil && !HostAllowed(r.Host, h.cfg.AllowHosts) {
			h.refuse(w, r, http.StatusForbidden, HostRefusal(r.Host))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// refuse answers a request that is not let in, counts it and logs why.
func (h *Hub) refuse(w http.ResponseWriter, r *http.Request, code int, why string) {
	h.refused.Add(1)
	h.cfg.Logf("hub: refused %s %s from %s: %s", r.Method, r.URL.Path, r.RemoteAddr, why)
	http.Error(w, why, code)
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Stats{
		Calls:       h.state.Len(),
		Subscribers: len(h.subs),
		Published:   h.published.Load(),
		Dropped:     h.dropped.Load(),
		Refused:     h.refused.Load(),
		Shed:        h.shed.Load(),
	}
}

// Publish encodes m once, applies it to the hub's call state and sends it
// to every subscriber.
func (h *Hub) Publish(m *feed.Message) error {
	b, err := feed.AppendMessage(make([]byte, 0, 2048), m)
	if err != nil {
		return fmt.Errorf("encoding %s message: %w", m.Type, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrHubClosed
	}
	h.applyLocked(m)
	h.fanoutLocked(b)
	return nil
}

// applyLocked applies m to the call state; a message that changes the
// calls makes the cached snapshot stale.
func (h *Hub) applyLocked(m *feed.Message) {
	h.state.Apply(m)
	if affectsCalls(m.Type) {
		h.snap.version++
	}
}

// PublishFrame sends one raw calltop.v1 frame as it is (a replayed or
// ingested frame), applying it to the call state when its type affects
// calls. The hub keeps frame; do not modify it afterwards. A frame that is
// not a JSON object is refused.
func (h *Hub) PublishFrame(frame []byte) error {
	typ, ok := frameType(frame)
	if !ok {
		return &feed.DecodeError{Reason: "frame is not a JSON object with a type"}
	}
	var m *feed.Message
	if affectsCalls(typ) {
		// A frame that is not a whole message (a bad one, a snapshot part
		// before the last) is forwarded as received, not applied.
		h.frameMu.Lock()
		if ev, ok := h.frames.Frame(frame, time.Time{}, false); ok && ev.Kind == feed.EventMessage {
			m = ev.Msg
		}
		h.frameMu.Unlock()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrHubClosed
	}
	if m != nil {
		h.applyLocked(m)
	}
	h.fanoutLocked(frame)
	return nil
}

// PublishSplit sends full to every subscriber of the whole feed and view
// (when not nil) to every view client: one frame in two sizes, such as
// the team book's picture whole and cut to what a view client's pane
// shows. Neither may be about a call.
func (h *Hub) PublishSplit(full, view []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrHubClosed
	}
	h.published.Add(1)
	for s := range h.subs {
		f := full
		if s.view {
			f = view
		}
		if f != nil && !s.queue.push(f) {
			h.dropped.Add(1)
			h.dropLocked(s, fmt.Sprintf("too slow: over %d bytes queued", s.queue.limit))
		}
	}
	return nil
}

// EndAll ends every ongoing call: it publishes call.end with reason for
// each and empties the call state. A replay that starts over calls it so
// no ghost calls remain.
func (h *Hub) EndAll(reason string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrHubClosed
	}
	ts := h.state.TS()
	for _, c := range h.state.Calls() {
		b, err := json.Marshal(&feed.Message{Type: feed.TypeCallEnd, TS: ts, CallID: c.ID, Reason: reason})
		if err != nil {
			return err
		}
		h.fanoutLocked(b)
	}
	h.state.Reset()
	h.snap.version++
	return nil
}

func (h *Hub) fanoutLocked(frame []byte) {
	h.published.Add(1)
	var vf viewFanout
	if h.views > 0 {
		vf = newViewFanout(frame)
	}
	for s := range h.subs {
		if s.view && !vf.wants(s) {
			if vf.snapshot && s.open != "" {
				h.pushOpenSnapshotLocked(s) // the open call as the snapshot left it
			}
			continue
		}
		if !s.queue.push(frame) {
			h.dropped.Add(1)
			h.dropLocked(s, fmt.Sprintf("too slow: over %d bytes queued", s.queue.limit))
		}
	}
}

// Close disconnects every subscriber with a close frame, refuses further
// publishing and waits for the subscribers' goroutines to end.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	for s := range h.subs {
		h.dropLocked(s, "hub shutting down")
	}
	h.mu.Unlock()
	h.wg.Wait()
}

func (h *Hub) serveFeed(w http.ResponseWriter, r *http.Request) {
	peer, ok := h.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="calltop"`)
		h.refuse(w, r, http.StatusUnauthorized, "missing or wrong token")
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.cfg.Logf("hub: %s: websocket upgrade failed: %v", r.RemoteAddr, err)
		return
	}
	if l := h.limiter.Load(); l != nil {
		l.subscribed(conn.NetConn())
	}
	peer.Remote = r.RemoteAddr
	view := isViewRequest(r)
	if view && h.cfg.Views == nil {
		h.refuseView(conn, r.RemoteAddr)
		return
	}
	if err := h.subscribe(conn, peer, view); err != nil {
		h.cfg.Logf("hub: %s: %v", r.RemoteAddr, err)
		conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseGoingAway, err.Error()), time.Now().Add(time.Second))
		conn.Close()
	}
}

// drop disconnects s with reason unless it is already gone.
func (h *Hub) drop(s *subscriber, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLocked(s, reason)
}

func (h *Hub) dropLocked(s *subscriber, reason string) {
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	if s.view {
		h.views--
		h.cfg.Views.Left(s.peer)
	}
	h.demandChangedLocked()
	s.reason = reason
	close(s.done)
	// A writer blocked on a stuck subscriber gives up within a second.
	s.conn.NetConn().SetWriteDeadline(time.Now().Add(time.Second))
	h.cfg.Logf("hub: subscriber %d (%s) disconnected: %s", s.id, s.remote, reason)
}
