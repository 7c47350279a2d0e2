package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/calltop/calltop/feed"

	"github.com/gorilla/websocket"
)

// Config configures a Client. Zero durations take the defaults named.
type Config struct {
	// URLs are the feeds (ws:// or wss://), in order of preference.
	URLs []string
	// Token is sent as "Authorization: Bearer <token>" when set.
	Token string
	// CAFile is a PEM file of CA certificates trusted for wss:// on top
	// of the system's.
	CAFile string
	// TLSConfig, when set, is used for wss:// instead of CAFile.
	TLSConfig *tls.Config
	// Buffer is the capacity of the events channel (default 1024). When
	// the consumer falls behind, reading stops and the hub, after its own
	// queue fills, drops the connection; the client then reconnects.
	Buffer int
	// DialTimeout bounds one connection attempt (default 5 s).
	DialTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between rounds of attempts
	// (defaults 250 ms and 10 s); it doubles per failed round, with jitter.
	MinBackoff, MaxBackoff time.Duration
	// PingInterval is how often the client pings the hub (default 10 s).
	PingInterval time.Duration
	// DeadAfter: a connection with no frame and no pong for this long is
	// closed and redialed (default 3 x PingInterval).
	DeadAfter time.Duration
	// StallAfter: a connection with no frame for this long is reported
	// stalled, though kept open (default 30 s).
	StallAfter time.Duration
	// KeepUnknown delivers frames of unknown types as EventUnknown (a
	// recorder keeps them); otherwise they are only counted.
	KeepUnknown bool
	// NetDialContext, when set, makes the connections instead of a TCP
	// dial (tests run the client over an in-memory network with it).
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// readBufferSize is the client's socket read buffer.
const readBufferSize = 64 << 10

// Client reads a calltop.v1 feed: it dials, authenticates, reconnects
// with backoff, fails over between URLs, and delivers decoded messages and
// state changes on its Events channel.
type Client struct {
	cfg    Config
	dialer websocket.Dialer
	events chan feed.Event

	mu     sync.Mutex
	status feed.Status
	ran    bool
	conn   *websocket.Conn // the live connection, for Send

	sendMu sync.Mutex // one data writer at a time (Send)
}

// New checks cfg and returns a Client; call Run to start it.
func New(cfg Config) (*Client, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("no feed URL given")
	}
	for _, u := range cfg.URLs {
		pu, err := url.Parse(u)
		if err != nil {
			return nil, fmt.Errorf("feed URL %s: %w", RedactURL(u), urlError(err))
		}
		if pu.Scheme != "ws" && pu.Scheme != "wss" {
			return nil, fmt.Errorf("feed URL %s: scheme must be ws or wss", RedactURL(u))
		}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.DialTimeout, 5*time.Second)
	def(&cfg.MinBackoff, 250*time.Millisecond)
	def(&cfg.MaxBackoff, 10*time.Second)
	def(&cfg.PingInterval, 10*time.Second)
	def(&cfg.DeadAfter, 3*cfg.PingInterval)
	def(&cfg.StallAfter, 30*time.Second)
	if cfg.Buffer <= 0 {
		cfg.Buffer = 1024
	}
	tlsConf := cfg.TLSConfig
	if tlsConf == nil && cfg.CAFile != "" {
		var err error
		if tlsConf, err = loadCA(cfg.CAFile); err != nil {
			return nil, err
		}
	}
	c := &Client{cfg: cfg, events: make(chan feed.Event, cfg.Buffer)}
	c.dialer = websocket.Dialer{
		HandshakeTimeout: cfg.DialTimeout,
		// Room for dozens of frames per read: a hub writes them in bursts.
		ReadBufferSize:  readBufferSize,
		Subprotocols:    []string{feed.Subprotocol},
		TLSClientConfig: tlsConf,
		Proxy:           http.ProxyFromEnvironment,
		NetDialContext:  cfg.NetDialContext,
	}
	if cfg.NetDialContext != nil {
		c.dialer.Proxy = nil // its own network: no proxy is on it
	}
	c.status = feed.Status{State: feed.StateConnecting, URL: RedactURL(cfg.URLs[0]), Since: time.Now()}
	return c, nil
}

// TLSConfig is the TLS setup a client uses for wss:// with caFile's CA
// certificates trusted beside the system's ("" : the system's alone), for
// other requests to the same hub (its history).
func TLSConfig(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return &tls.Config{MinVersion: tls.VersionTLS12}, nil
	}
	return loadCA(caFile)
}

func loadCA(path string) (*tls.Config, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate in it", path)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// Events returns the channel of events; it is closed when Run returns.
func (c *Client) Events() <-chan feed.Event { return c.events }

// Status returns the current connection state and counters.
func (c *Client) Status() feed.Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// errAuth marks a refusal that retrying will not cure.
var errAuth = errors.New("refused")

// Run connects and keeps the feed flowing until ctx ends (it returns nil)
// or every URL refuses the token (it returns the reason, state failed).
// Failover policy: each round tries the URLs in order, moving to the next
// at once when one fails; when a whole round fails, or a connection drops,
// it waits a jittered, doubling backoff (capped at MaxBackoff) and starts
// a new round at the first URL. Run closes the events channel on return.
func (c *Client) Run(ctx context.Context) error {
	c.mu.Lock()
	if c.ran {
		c.mu.Unlock()
		return errors.New("client: Run called twice")
	}
	c.ran = true
	c.mu.Unlock()
	defer close(c.events)

	failures := 0 // rounds in a row without a lasting connection
	for {
		reason, problem, refused := "", feed.ProblemNone, 0
		for _, u := range c.cfg.URLs {
			c.setState(ctx, func(s *feed.Status) { s.State, s.URL = feed.StateConnecting, u })
			conn, err := c.dial(ctx, u)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				reason, problem = err.Error(), problemOf(err)
				if errors.Is(err, errAuth) {
					refused++
				}
				continue
			}
			liveFor, err := c.serve(ctx, conn, u)
			if ctx.Err() != nil {
				return nil
			}
			reason, problem = err.Error(), feed.ProblemDropped
			if liveFor >= c.cfg.MaxBackoff {
				failures = 0
			}
			refused = -1 // a connection worked: never a permanent failure
			break
		}
		if refused == len(c.cfg.URLs) {
			c.setState(ctx, func(s *feed.Status) { s.State, s.Reason, s.Problem = feed.StateFailed, reason, problem })
			return fmt.Errorf("feed: %s", reason)
		}
		wait := c.backoff(failures)
		failures++
		c.setState(ctx, func(s *feed.Status) {
			s.State, s.Reason, s.Problem, s.NextAttempt = feed.StateReconnecting, reason, problem, time.Now().Add(wait)
		})
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// backoff returns the wait after n failed rounds: MinBackoff doubled n
// times, capped at MaxBackoff, of which a random half is jitter.
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.MinBackoff
	for i := 0; i < n && d < c.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.cfg.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

func (c *Client) dial(ctx context.Context, u string) (conn *websocket.Conn, err error) {
	defer func() { err = redactError(err, u) }() // a token in u stays out of the reason
	hdr := http.Header{}
	if c.cfg.Token != "" {
		hdr.Set("Authorization", "Bearer "+c.cfg.Token)
	}
	dctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	conn, resp, err := c.dialer.DialContext(dctx, u, hdr)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, classify(u, resp, err)
	}
	return conn, nil
}

// setState changes the status and announces it with an EventState.
func (c *Client) setState(ctx context.Context, change func(*feed.Status)) {
	c.mu.Lock()
	// A change that sets Since keeps it (a stall dates from the last
	// frame, which may be the very instant the connection went live);
	// otherwise a new state dates from now.
	old, oldSince := c.status.State, c.status.Since
	c.status.Since = time.Time{}
	change(&c.status)
	c.redactLocked()
	switch {
	case !c.status.Since.IsZero():
	case c.status.State != old:
		c.status.Since = time.Now()
	default:
		c.status.Since = oldSince
	}
	st := c.status
	c.mu.Unlock()
	c.emit(ctx, feed.Event{Kind: feed.EventState, Status: st})
}

// emit delivers ev unless ctx ends first.
func (c *Client) emit(ctx context.Context, ev feed.Event) {
	select {
	case c.events <- ev:
	case <-ctx.Done():
	}
}
