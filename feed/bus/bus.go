package bus

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math/bits"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/hub"
)

// Config configures a Node. Zero values take the defaults named.
type Config struct {
	// URLs are the NATS servers (nats://host:4222, tls://...); any one
	// will do, the client fails over between them.
	URLs []string
	// CredsFile is a NATS credentials file (JWT and NKey seed), optional.
	CredsFile string
	// HubID names this hub on the bus and prefixes its call ids
	// (CheckHubID); required.
	HubID string
	// Heartbeat is how often the node says it is alive (default 1 s).
	Heartbeat time.Duration
	// Quiet is how long a peer may say nothing before its calls are
	// marked lost (default 5 heartbeats).
	Quiet time.Duration
	// LostFor is how long a peer's calls stay marked lost (the hub said
	// goodbye or went quiet) before they end with reason "source lost",
	// unless it or a hub under its id takes them back (default 60 s).
	LostFor time.Duration
	// Logf receives one line per bus event (default log.Printf), escaped.
	Logf func(format string, args ...any)
	// Rows, when set, takes the other hubs' rows (what a team hub
	// diagnosed of its own calls, rows.go): frame nil when the hub is gone
	// and its calls ended. Called on the bus's receiving goroutine.
	Rows func(hubID string, frame []byte)
	// View, when set, takes the other hubs' view rows (view.go): frame
	// nil when the hub is gone and its calls ended. ViewFull sends this
	// hub's full set of view rows through send, to a hub that asks for
	// the calls.
	// Lost is told when a hub's calls are marked source lost (true) and
	// when it is heard again (false). All called on the bus's receiving
	// goroutine (Lost and ViewFull with the bus's locks held: they must
	// not call the Node).
	View     func(hubID string, frame []byte)
	ViewFull func(send func(frame []byte))
	Lost     func(hubID string, lost bool)
	// StatsWanted, when set, makes the node take the other hubs' stats
	// frames (the bulk of the bus) only as the local hub wants them: every
	// call's while it returns all (hub.Hub.StatsDemand: a full subscriber
	// is connected), otherwise only those of the calls named (the calls
	// view clients have open). It is read at Connect and whenever
	// StatsChanged signals. Team hubs set it: their engines diagnose their
	// own calls, their view index takes the others' rows. Without it the
	// node takes every frame.
	StatsWanted  func() (all bool, calls []string)
	StatsChanged <-chan struct{}
}

// ReasonSourceLost is the call.end reason for the calls of a hub that said
// goodbye or went quiet and did not come back within Config.LostFor.
const ReasonSourceLost = "source lost"

// DefaultLostFor is how long a lost hub's calls wait to be taken back.
const DefaultLostFor = 60 * time.Second

// Stats are a node's counters, for /healthz.
type Stats struct {
	HubID         string `json:"hubId"`
	Connected     bool   `json:"connected"`
	Peers         int    `json:"peers"`       // other hubs heard from and not lost
	RemoteCalls   int    `json:"remoteCalls"` // their ongoing calls, lost ones included
	LostCalls     int    `json:"lostCalls"`   // calls of lost hubs, marked source lost and not yet ended
	Published     int64  `json:"published"`   // frames put on the bus
	PublishedByte int64  `json:"publishedBytes"`
	Received      int64  `json:"received"` // frames taken from the bus into the hub
	ReceivedBytes int64  `json:"receivedBytes"`
	Lost          int64  `json:"lost"`      // times a peer was lost (said goodbye, went quiet) and its calls marked
	BadFrames     int64  `json:"badFrames"` // bus frames refused (not calltop.v1, or another hub's call ids)
	Errors        int64  `json:"errors"`    // publishes the NATS client refused (disconnected too long, too big)
	// StatsFor says whose stats the other hubs send here: "every call",
	// or "N open calls" on a hub taking them on demand (Config.StatsWanted).
	StatsFor string `json:"statsFor"`
}

// Node is one hub's place on the bus. Local sources publish through
// Publisher; the other hubs' calls are published into the local hub.
type Node struct {
	cfg      Config
	instance string // this process's run, in heartbeats: a hub restarted under its id ends its old calls
	nc       *nats.Conn
	msgs     chan *nats.Msg // every subscription's, read by one goroutine: each peer's frames in order
	quit     chan struct{}  // closed by Close: the goroutines stop
	local    hub.Publisher
	stats    statsSubs // the other hubs' stats taken (Config.StatsWanted)

	ownMu    sync.Mutex // orders own frames on the bus with the own tracker
	own      *feed.Tracker
	ownParts feed.SnapshotAssembler

	peerMu sync.Mutex
	peers  map[string]*peer

	// sendMu orders every send before the goodbye: a send holds it to
	// read, Close to set closing, so no frame (an answer to an ask being
	// handled as the hub stops, say) follows the goodbye and brings this
	// hub's calls back on the other hubs.
	sendMu  sync.RWMutex
	closing bool

	rows atomic.Pointer[[]byte] // ShareRows's last frame, sent again after each answer to an ask

	published, publishedBytes, received, receivedBytes atomic.Int64
	lost, badFrames, errs                              atomic.Int64
}

// Connect joins the bus: it subscribes to the other hubs' subjects, asks
// them for their ongoing calls and from then on publishes what they send
// into local. Run it with Run; Publisher is what local sources publish to.
func Connect(cfg Config, local hub.Publisher) (*Node, error) {
	if err := CheckHubID(cfg.HubID); err != nil {
		return nil, err
	}
	if len(cfg.URLs) == 0 {
		return nil, errors.New("bus: no NATS server URL")
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = time.Second
	}
	if cfg.Quiet <= 0 {
		cfg.Quiet = 5 * cfg.Heartbeat
	}
	if cfg.LostFor <= 0 {
		cfg.LostFor = DefaultLostFor
	}
	if cfg.Logf == nil {
		cfg.Logf = log.Printf
	}
	cfg.Logf = hub.SafeLogf(cfg.Logf)
	n := &Node{cfg: cfg, instance: nuid.Next(), local: local, own: feed.NewTracker(), peers: map[string]*peer{},
		msgs: make(chan *nats.Msg, pendingMsgs), quit: make(chan struct{}), stats: statsSubs{calls: map[string]*nats.Subscription{}}}
	opts := []nats.Option{
		nats.Name("calltop-hub " + cfg.HubID), nats.NoEcho(), nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil: this node closed it
				cfg.Logf("bus: disconnected from NATS: %v", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			cfg.Logf("bus: reconnected to %s; asking the other hubs for their calls", nc.ConnectedUrlRedacted())
			n.askSync("")
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { cfg.Logf("bus: %v", err) }),
	}
	if cfg.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.CredsFile))
	}
	nc, err := nats.Connect(strings.Join(cfg.URLs, ","), opts...)
	if err != nil {
		return nil, fmt.Errorf("bus: connecting to NATS %s: %w", redacted(cfg.URLs), err)
	}
	n.nc = nc
	// Every subscription feeds one channel read by one goroutine, so a
	// peer's frames are handled in the order it sent them (its calls, its
	// stats, its state answers, its bye).
	err = n.subscribe()
	if err == nil {
		err = nc.Flush()
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("bus: subscribing: %w", err)
	}
	go n.receiveLoop()
	if cfg.StatsWanted != nil {
		go n.followStats()
	}
	n.heartbeat() // first, so the others end what an earlier run of this hub left
	n.askSync("")
	cfg.Logf("bus: hub %s joined NATS at %s", cfg.HubID, nc.ConnectedUrlRedacted())
	return n, nil
}

// HubID is the node's hub id.
func (n *Node) HubID() string { return n.cfg.HubID }

// Run heartbeats, marks lost the calls of peers gone quiet and ends those
// lost too long until ctx ends;
// then it says goodbye (the other hubs end this hub's calls at once) and
// closes the connection.
func (n *Node) Run(ctx context.Context) error {
	tick := time.NewTicker(n.cfg.Heartbeat)
	defer tick.Stop()
	for {
		n.heartbeat()
		select {
		case <-ctx.Done():
			n.Close()
			return nil
		case now := <-tick.C:
			n.endQuiet(now)
		}
	}
}

// heartbeat says this run of the hub is alive.
func (n *Node) heartbeat() { n.send(Prefix+"hb."+n.cfg.HubID, []byte(n.instance)) }

// Close says goodbye and closes the connection (idempotent).
func (n *Node) Close() {
	n.sendMu.Lock()
	was := n.closing
	n.closing = true
	n.sendMu.Unlock()
	if was {
		return
	}
	close(n.quit)
	if n.nc.IsClosed() {
		return
	}
	if err := n.nc.Publish(Prefix+"bye."+n.cfg.HubID, nil); err == nil {
		n.published.Add(1)
	}
	n.nc.Flush()
	n.nc.Close()
}

// Stats returns the node's counters.
func (n *Node) Stats() Stats {
	n.peerMu.Lock()
	peers, calls, lost := 0, 0, 0
	for _, p := range n.peers {
		calls += p.calls.Len()
		lost += len(p.lostCalls)
		if p.lost.IsZero() {
			peers++
		}
	}
	n.peerMu.Unlock()
	return Stats{HubID: n.cfg.HubID, Connected: n.nc.IsConnected(), Peers: peers, RemoteCalls: calls, LostCalls: lost,
		Published: n.published.Load(), PublishedByte: n.publishedBytes.Load(),
		Received: n.received.Load(), ReceivedBytes: n.receivedBytes.Load(),
		Lost: n.lost.Load(), BadFrames: n.badFrames.Load(), Errors: n.errs.Load(), StatsFor: n.statsFor()}
}

// send publishes one frame, counting it; a refusal is counted and logged
// (the first and then at each power of two), never returned: the local hub
// keeps serving when the bus is away. After Close it sends nothing.
func (n *Node) send(subject string, frame []byte) {
	n.sendMu.RLock()
	defer n.sendMu.RUnlock()
	if n.closing {
		return
	}
	if err := n.nc.Publish(subject, frame); err != nil {
		if c := n.errs.Add(1); bits.OnesCount64(uint64(c)) == 1 {
			n.cfg.Logf("bus: publishing on %s: %v (%d refused so far)", subject, err, c)
		}
		return
	}
	n.published.Add(1)
	n.publishedBytes.Add(int64(len(frame)))
}

// redacted lists urls for messages with their user info (a user and
// password, or a token) replaced by REDACTED.
func redacted(urls []string) string {
	out := make([]string, len(urls))
	for i, s := range urls {
		out[i] = s
		if u, err := url.Parse(s); err == nil && u.User != nil {
			u.User = url.User("REDACTED")
			out[i] = u.String()
		}
	}
	return strings.Join(out, ",")
}
