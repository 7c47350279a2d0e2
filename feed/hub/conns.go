package hub

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Connection limits' defaults (Config's zero values).
const (
	// DefaultMaxConns caps the connections a hub holds at once; it is
	// lowered to fit the process's open-file limit.
	DefaultMaxConns = 1024
	// DefaultIdleTimeout closes a keep-alive HTTP connection idle this long.
	DefaultIdleTimeout = 30 * time.Second
)

// connLimiter is a listener that holds at most max connections, of which
// reserve are kept for feed subscribers: every other connection (an HTTP
// request, /healthz, a browser's ingest WebSocket) counts in others,
// which may not take that room. At the cap a new connection makes room by
// closing the oldest idle keep-alive connection, else the oldest one that
// has not sent a request yet; with neither, it may still come in on the
// reserve, but only to become a subscriber; otherwise it is closed at
// once. Each such closing is counted and logged.
type connLimiter struct {
	net.Listener
	max, reserve int
	logf         func(format string, args ...any)
	shed         *atomic.Int64 // connections closed to make room
	refused      *atomic.Int64 // connections closed at the cap

	mu     sync.Mutex
	others map[*limitedConn]struct{}
	subs   int
	logged time.Time // the last cap line logged (one a second at most)
}

// limitedConn is one connection the limiter counts.
type limitedConn struct {
	net.Conn
	l           *connLimiter
	since       time.Time
	state       http.ConnState // guarded by l.mu
	subscriber  bool           // guarded by l.mu
	provisional bool           // came in on the reserve: must subscribe
	closeOnce   sync.Once
}

func (h *Hub) limitConns(ln net.Listener) *connLimiter {
	reserve := min(h.cfg.SubscriberReserve, h.cfg.MaxConns-1)
	return &connLimiter{Listener: ln, max: h.cfg.MaxConns, reserve: reserve, logf: h.cfg.Logf,
		shed: &h.shed, refused: &h.refused, others: map[*limitedConn]struct{}{}}
}

// Accept returns the next connection let in.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if lc := l.admit(c); lc != nil {
			return lc, nil
		}
	}
}

// admit counts c in, making room if needed, or closes it and returns nil.
func (l *connLimiter) admit(c net.Conn) *limitedConn {
	lc := &limitedConn{Conn: c, l: l, since: time.Now(), state: http.StateNew}
	l.mu.Lock()
	var victim *limitedConn
	full := len(l.others) >= l.max-l.reserve || len(l.others)+l.subs >= l.max
	if full {
		victim = l.victimLocked()
		switch {
		case victim != nil:
			delete(l.others, victim)
		case len(l.others)+l.subs < l.max:
			lc.provisional = true
		default:
			l.mu.Unlock()
			l.refused.Add(1)
			l.note("connection cap reached (%d connections, %d subscribers): refused %s", l.max, l.subs, c.RemoteAddr())
			c.Close()
			return nil
		}
	}
	l.others[lc] = struct{}{}
	l.mu.Unlock()
	if victim != nil {
		l.shed.Add(1)
		l.note("connection cap reached (%d connections, %d subscribers): closed %s, %s since %v", l.max, l.subs, victim.RemoteAddr(), victim.stateName(), time.Since(victim.since).Round(time.Millisecond))
		victim.Conn.Close()
	}
	return lc
}

// victimLocked is the connection to close for room: the oldest idle
// keep-alive one, else the oldest that has not sent a request; nil when
// every other connection is busy.
func (l *connLimiter) victimLocked() *limitedConn {
	var idle, fresh *limitedConn
	for c := range l.others {
		switch c.state {
		case http.StateIdle:
			if idle == nil || c.since.Before(idle.since) {
				idle = c
			}
		case http.StateNew:
			if fresh == nil || c.since.Before(fresh.since) {
				fresh = c
			}
		}
	}
	if idle != nil {
		return idle
	}
	return fresh
}

// note logs a cap line, one a second at most (a flood is counted in
// /healthz, not written out line by line).
func (l *connLimiter) note(format string, args ...any) {
	l.mu.Lock()
	quiet := time.Since(l.logged) < time.Second
	if !quiet {
		l.logged = time.Now()
	}
	l.mu.Unlock()
	if !quiet {
		l.logf("hub: "+format+" (--max-conns)", args...)
	}
}

func (lc *limitedConn) stateName() string {
	if lc.state == http.StateIdle {
		return "idle"
	}
	return "no request"
}

// Close closes the connection and counts it out.
func (lc *limitedConn) Close() error {
	lc.closeOnce.Do(func() {
		l := lc.l
		l.mu.Lock()
		if lc.subscriber {
			l.subs--
		} else {
			delete(l.others, lc)
		}
		l.mu.Unlock()
	})
	return lc.Conn.Close()
}

// limited is the limiter's record of c, a connection it let in or a TLS
// connection over one; nil for another.
func limited(c net.Conn) *limitedConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	lc, _ := c.(*limitedConn)
	return lc
}

// connState follows the HTTP server's view of each connection.
func (l *connLimiter) connState(c net.Conn, st http.ConnState) {
	if lc := limited(c); lc != nil {
		l.mu.Lock()
		lc.state = st
		closing := lc.provisional && st == http.StateIdle // the reserve is not for idling
		l.mu.Unlock()
		if closing {
			lc.Close()
		}
	}
}

// subscribed moves c (a feed subscriber's connection) out of the others,
// into the room kept for subscribers.
func (l *connLimiter) subscribed(c net.Conn) {
	lc := limited(c)
	if lc == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, counted := l.others[lc]; counted {
		delete(l.others, lc)
		lc.subscriber, lc.provisional = true, false
		l.subs++
	}
}

type connKey struct{}

// connContext puts the connection in each request's context, for
// onlySubscribers.
func connContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, limited(c))
}

// onlySubscribers refuses, with 503, a request other than a feed
// subscription on a connection that came in on the subscribers' reserve.
func (h *Hub) onlySubscribers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if lc, _ := r.Context().Value(connKey{}).(*limitedConn); lc != nil && lc.provisional && r.URL.Path != "/feed" {
			w.Header().Set("Connection", "close")
			h.refuse(w, r, http.StatusServiceUnavailable, "connection cap reached: the room left is kept for feed subscribers")
			return
		}
		next.ServeHTTP(w, r)
	})
}
