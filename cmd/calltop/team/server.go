package team

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
	"github.com/calltop/calltop/diagnose/history"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/hub"
)

// Defaults for Config.
const (
	DefaultRate    = 5  // commands a second per user
	DefaultBurst   = 20 // commands at once per user
	publishEvery   = 250 * time.Millisecond
	replyQueue     = 256
	sharedUser     = "shared-token"
	anonymousUser  = "local"
	maxRoomsMemory = 20000
)

// Config configures a team Server.
type Config struct {
	// Name is the hub's name, sent in welcome.
	Name string
	// SharedToken is the hub's --token: a shared admin (user "shared-token").
	SharedToken string
	// Users and Audit are the state directory's users file and audit log.
	Users UserStore
	Audit *Audit
	// Store keeps the book's acks, silences and history.
	Store *statefile.Store
	// SharedStore, when set, keeps them instead of Store: the team's
	// JetStream bucket shared with the other hubs (natsstate).
	SharedStore engine.StateStore
	// NewBook makes the team's book (with the webhook notifier, if any);
	// Deliveries carries the notifier's reports.
	NewBook    func() *alert.Book
	Deliveries <-chan alert.Delivery
	// NewMonitor makes the hub's diagnosis.
	NewMonitor func() engine.Monitor
	// OwnCalls says NewMonitor diagnoses only this hub's own calls (team
	// hubs on a bus): the engine's connection does not make the hub ask
	// the bus for the other hubs' stats (hub.Peer.OwnCalls).
	OwnCalls bool
	// History, when set, is where ended calls are searched (HistoryRoutes);
	// Ended receives them from the engine (history.Writer.Add, converted).
	History history.Store
	Ended   func([]diagnose.EndedCall)
	// Snapshots, when set, receives every engine frame's snapshot of the
	// calls (a hub's call index, calltop hub --index, reuses the team's
	// diagnosis); it must not block.
	Snapshots func(diagnose.Snapshot)
	// Fleet, when set, shares this hub's open alerts with the other team
	// hubs on the NATS bus and shows theirs (fleet.go).
	Fleet *Fleet
	// Now is the wall clock history searches measure "since" from
	// (default time.Now).
	Now func() time.Time
	// AllowHosts are the Host names besides loopback ones that a hub
	// without users or token answers (hub.Config.AllowHosts).
	AllowHosts []string
	// Rate and Burst limit each user's commands (defaults 5/s, 20).
	Rate  rate.Limit
	Burst int
	// Logf receives the server's log lines (default log.Printf).
	Logf func(format string, args ...any)
	// Findings, when set, takes the engine's open findings frame instead
	// of the hub and gives a joining subscriber its own (hubs on a bus,
	// partition.Board: the union of every team hub's findings).
	Findings interface {
		Own(frame []byte)
		Frame() []byte
	}
}

// Server runs a team hub's engine and answers its subscribers' commands.
type Server struct {
	cfg Config
	hub *hub.Hub

	internalMu sync.Mutex
	internal   map[string]hub.Peer // in-process clients' tokens (the engine, SSH sessions)
	feedURL    atomic.Pointer[string]

	alertsFrame     atomic.Pointer[[]byte] // newest team.alerts, for Joined
	viewAlertsFrame atomic.Pointer[[]byte] // the same for view clients (picture.go)
	findingsFrame   atomic.Pointer[[]byte]

	limMu    sync.Mutex
	limiters map[string]*rate.Limiter

	eng     *engine.Engine
	replies chan reply
	ready   chan struct{}
}

// NewServer checks cfg and returns a Server; give HubConfig's result to
// hub.New and call Run with the hub.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Users == nil || cfg.Audit == nil || cfg.NewBook == nil || cfg.NewMonitor == nil {
		return nil, errors.New("team: Config needs Users, Audit, NewBook and NewMonitor")
	}
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.Logf == nil {
		cfg.Logf = log.Printf
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Server{cfg: cfg, internal: map[string]hub.Peer{}, limiters: map[string]*rate.Limiter{},
		replies: make(chan reply, replyQueue), ready: make(chan struct{})}, nil
}

// HubConfig returns hc with the team's authentication, welcome and
// command hooks set.
func (s *Server) HubConfig(hc hub.Config) hub.Config {
	hc.Authenticate = s.authenticate
	hc.Joined = s.joined
	hc.Inbound = s.inbound
	return hc
}

// authenticate says who a request is: an in-process client, the shared
// token, a user's token, or, on a hub with neither users nor token, the
// loopback user "local" (an admin).
func (s *Server) authenticate(r *http.Request) (hub.Peer, bool) {
	token := hub.BearerToken(r)
	if token == "" {
		token = r.URL.Query().Get("token")
	}
	if token != "" {
		s.internalMu.Lock()
		p, ok := s.internal[hashToken(token)]
		s.internalMu.Unlock()
		if ok {
			return p, true
		}
	}
	if s.cfg.SharedToken != "" && hub.TokenMatches(token, s.cfg.SharedToken) {
		return hub.Peer{User: sharedUser, Role: feed.RoleAdmin}, true
	}
	if u, ok := s.cfg.Users.Lookup(token); ok {
		return hub.Peer{User: u.Name, Role: u.Role}, true
	}
	if users, err := s.cfg.Users.List(); err == nil && len(users) == 0 && s.cfg.SharedToken == "" && token == "" &&
		hub.HostAllowed(r.Host, s.cfg.AllowHosts) { // no DNS rebinding into a tokenless hub
		return hub.Peer{User: anonymousUser, Role: feed.RoleAdmin}, true
	}
	return hub.Peer{}, false
}

// Internal registers an in-process client (an SSH session) as user with
// role, coming from remote, and returns the token it connects with and a
// function that forgets it.
func (s *Server) Internal(user, role, remote string) (token string, forget func()) {
	return s.register(hub.Peer{User: user, Role: role, Remote: remote})
}

// register gives the in-process client p a token (see Internal).
func (s *Server) register(p hub.Peer) (token string, forget func()) {
	var raw [32]byte
	rand.Read(raw[:])
	token = hex.EncodeToString(raw[:])
	h := hashToken(token)
	s.internalMu.Lock()
	s.internal[h] = p
	s.internalMu.Unlock()
	return token, func() {
		s.internalMu.Lock()
		delete(s.internal, h)
		s.internalMu.Unlock()
	}
}

// FeedURL is the loopback URL in-process clients use (set once Run has
// started; Ready is closed then).
func (s *Server) FeedURL() string {
	if u := s.feedURL.Load(); u != nil {
		return *u
	}
	return ""
}

// Ready is closed once Run serves FeedURL.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// joined gives a new subscriber its welcome and the current picture.
func (s *Server) joined(p hub.Peer) [][]byte {
	w, err := feed.EncodeTeam(feed.TeamWelcome{Type: feed.TypeTeamWelcome, User: p.User, Role: p.Role, Hub: s.cfg.Name})
	if err != nil {
		return nil
	}
	out := [][]byte{w}
	if p.View { // its picture cut to a pane's worth; the findings it shows come in its windows
		if f := s.viewAlertsFrame.Load(); f != nil {
			out = append(out, *f)
		}
		return out
	}
	findings := s.findingsFrame.Load()
	if s.cfg.Findings != nil {
		if f := s.cfg.Findings.Frame(); f != nil {
			findings = &f
		}
	}
	for _, f := range []*[]byte{s.alertsFrame.Load(), findings} {
		if f != nil {
			out = append(out, *f)
		}
	}
	return out
}

// Run serves the hub on an internal loopback listener, runs the engine on
// the hub's own feed and publishes the book's changes, until ctx ends.
func (s *Server) Run(ctx context.Context, h *hub.Hub) error {
	s.hub = h
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("team: internal listener: %w", err)
	}
	srv := &http.Server{Handler: h.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	url := "ws://" + ln.Addr().String() + "/feed"
	s.feedURL.Store(&url)
	token, forget := s.register(hub.Peer{User: "hub", Role: feed.RoleViewer, Remote: "internal",
		OwnCalls: s.cfg.OwnCalls})
	defer forget()
	c, err := client.New(client.Config{URLs: []string{url}, Token: token, MaxBackoff: time.Second})
	if err != nil {
		return err
	}
	s.eng, err = engine.New(engine.Options{NewMonitor: s.cfg.NewMonitor, NewBook: s.cfg.NewBook,
		Store: s.cfg.Store, SharedStore: s.cfg.SharedStore, Deliveries: s.cfg.Deliveries, Source: "team hub", Events: c.Events(), Findings: true,
		Ended: s.cfg.Ended})
	if err != nil {
		return err
	}
	close(s.ready)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { c.Run(ctx) })
	wg.Go(func() { s.eng.Run(ctx) })
	if s.cfg.Fleet != nil {
		wg.Go(func() {
			if err := s.cfg.Fleet.run(ctx, s.forwarded); err != nil {
				s.cfg.Logf("team: %v", err)
			}
		})
	}
	s.pump(ctx)
	cancel()
	wg.Wait()
	return nil
}

// pump publishes the book's picture and the open findings when they
// change (at most every publishEvery) and answers commands, in order: a
// command's effect is published before its answer goes out.
func (s *Server) pump(ctx context.Context) {
	p := publisher{s: s, rooms: map[string]string{}}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var pending *engine.Frame
	armed := false
	frames := s.eng.Frames()
	var others <-chan struct{}
	if s.cfg.Fleet != nil {
		others = s.cfg.Fleet.changed
	}
	for {
		select {
		case <-ctx.Done():
			return
		case f, ok := <-frames:
			if !ok {
				return
			}
			p.noteRooms(f.Calls)
			if s.cfg.Snapshots != nil {
				s.cfg.Snapshots(f.Calls)
			}
			if f.Findings == nil && pending != nil {
				f.Findings = pending.Findings // not yet published
			}
			pending = &f
			if !armed {
				timer.Reset(max(publishEvery-time.Since(p.last), 0))
				armed = true
			}
		case <-timer.C:
			armed = false
			if pending != nil {
				p.alerts(pending.Alerts)
				if pending.Findings != nil {
					p.findings(pending.Findings)
				}
				pending = nil
			}
		case <-others: // another hub's alerts changed: show the union again
			if p.lastSnap != nil {
				p.send(*p.lastSnap)
			}
		case r := <-s.replies:
			if r.snap != nil {
				p.alerts(*r.snap)
			}
			s.answer(r)
		}
	}
}

// publisher is pump's state: what went out last.
type publisher struct {
	s         *Server
	rooms     map[string]string
	last      time.Time
	lastEvent uint64
	lastNow   time.Time
	lastBody  string
	cutSaid   bool // the log said the picture is cut
	// lastViewBody and lastView: the view clients' picture last sent, and when.
	lastViewBody string
	lastView     time.Time
	lastFinds    string
	lastSnap     *alert.Snapshot // the newest picture published
}

// noteRooms remembers each call's room, so alerts of ended calls keep it.
func (p *publisher) noteRooms(snap diagnose.Snapshot) {
	if len(p.rooms) > maxRoomsMemory {
		clear(p.rooms)
	}
	for _, c := range snap.Calls {
		if c.Room != "" {
			p.rooms[c.ID] = c.Room
		}
	}
}

// alerts publishes snap unless it is older than what went out (a frame
// from before a command answered since) or says nothing new.
func (p *publisher) alerts(snap alert.Snapshot) {
	if snap.LastEvent < p.lastEvent || (snap.LastEvent == p.lastEvent && snap.Now.Before(p.lastNow)) {
		return
	}
	p.lastEvent, p.lastNow, p.last = snap.LastEvent, snap.Now, time.Now()
	p.lastSnap = &snap
	p.send(snap)
}

// send publishes snap (with the other team hubs' alerts, on a bus) when
// it says something new: whole to subscribers of the whole feed (cut to
// fit a frame) and cut to a pane's worth to view clients (picture.go).
func (p *publisher) send(snap alert.Snapshot) {
	w := toWire(snap, func(id string) string { return p.rooms[id] })
	if f := p.s.cfg.Fleet; f != nil {
		f.publish(w.Active, *w.Counts)
		var all feed.TeamAlertCounts
		w.Active, all = f.union(w.Active, *w.Counts)
		w.Counts = &all
	}
	frame, body, err := encodePicture(w)
	if err == nil && len(frame) > maxAlertsFrame {
		if !p.cutSaid {
			p.cutSaid = true
			p.s.cfg.Logf("team: %d open alerts are more than a frame holds; subscribers get the worst that fit, with the counts of all", len(w.Active))
		}
		cutToFit(&w, len(frame), maxAlertsFrame)
		frame, body, err = encodePicture(w)
	}
	if err != nil {
		return
	}
	vframe, vbody, err := encodePicture(viewPicture(w))
	if err != nil {
		return
	}
	p.s.alertsFrame.Store(&frame) // a subscriber joining gets the newest time
	p.s.viewAlertsFrame.Store(&vframe)
	var full, view []byte
	if string(body) != p.lastBody {
		p.lastBody, full = string(body), frame
	}
	if string(vbody) != p.lastViewBody && time.Since(p.lastView) >= viewEvery {
		p.lastViewBody, p.lastView, view = string(vbody), time.Now(), vframe
	}
	if full != nil || view != nil {
		p.s.hub.PublishSplit(full, view)
	}
}

// findings publishes the open findings when the set changed.
func (p *publisher) findings(fs []diagnose.Finding) {
	frame, err := feed.EncodeTeam(findingsToWire(fs))
	if err != nil || string(frame) == p.lastFinds {
		return
	}
	p.lastFinds = string(frame)
	p.s.findingsFrame.Store(&frame)
	if b := p.s.cfg.Findings; b != nil {
		b.Own(frame) // it publishes the union
		return
	}
	p.s.hub.PublishFrame(frame)
}

// limiter returns user's command rate limiter.
func (s *Server) limiter(user string) *rate.Limiter {
	s.limMu.Lock()
	defer s.limMu.Unlock()
	l := s.limiters[user]
	if l == nil {
		l = rate.NewLimiter(s.cfg.Rate, s.cfg.Burst)
		s.limiters[user] = l
	}
	return l
}

// user returns the team user with this name.
func (s *Server) user(name string) (User, bool) {
	users, _ := s.cfg.Users.List()
	for _, u := range users {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}

// now is the server's wall clock (Config.Now).
func (s *Server) now() time.Time { return s.cfg.Now() }
