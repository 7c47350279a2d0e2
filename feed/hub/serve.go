package hub

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// authorized reports whether r carries token, from "Authorization: Bearer"
// or the "token" query parameter, compared in constant time. An empty
// token lets everyone in.
func authorized(r *http.Request, token string) bool {
	if token == "" {
		return true
	}
	got := r.URL.Query().Get("token")
	if bearer := BearerToken(r); bearer != "" {
		got = bearer
	}
	return TokenMatches(got, token)
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header, or "".
func BearerToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// TokenMatches compares a presented token with the expected one in
// constant time: hashing first makes it independent of the lengths too.
func TokenMatches(got, want string) bool {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// IsLoopback reports whether a listen address (host:port) binds only the
// loopback interface. An empty host, a wildcard or a name other than
// "localhost" counts as not loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// HostAllowed reports whether a request's Host (name or address, with or
// without a port) may be answered by a hub without a token: a loopback
// address, "localhost" or a name under ".localhost", or one of extra
// (names or host:port, compared without case). A page on
// http://evil.example:7070 whose name was rebound to 127.0.0.1 sends
// "Host: evil.example:7070" and is refused.
func HostAllowed(host string, extra []string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.Trim(name, "[]"), ".")
	if ip := net.ParseIP(name); ip != nil && ip.IsLoopback() {
		return true
	}
	lower := strings.ToLower(name)
	if lower == "localhost" || strings.HasSuffix(lower, ".localhost") {
		return true
	}
	for _, e := range extra {
		if strings.EqualFold(e, name) || strings.EqualFold(e, host) {
			return true
		}
	}
	return false
}

// HostRefusal is the reason given for a Host HostAllowed refuses.
func HostRefusal(host string) string {
	return fmt.Sprintf("host %q is not allowed: a hub without a token answers only loopback names (--allow-host adds one)", host)
}

// CheckListen refuses a listen address that is not loopback when no
// token is set: a feed carries call metadata and must not be open to the
// network.
func CheckListen(addr, token string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if !IsLoopback(addr) && token == "" {
		return fmt.Errorf("refusing to listen on %s without a token: it is not a loopback address; pass --token or set CALLTOP_TOKEN", addr)
	}
	return nil
}

// Route is an extra handler served beside the hub's own (the browser
// ingest's /rtcstats/, for one), with an http.ServeMux pattern.
type Route struct {
	Pattern string
	Handler http.Handler
}

// Serve serves the hub, and any extra routes, on ln until ctx ends, then
// shuts the HTTP server down (no new connections) and closes every
// subscriber with a close frame. It holds at most Config.MaxConns
// connections, SubscriberReserve of them kept for feed subscribers, and
// closes keep-alive connections idle for IdleTimeout. With Config.TLS it
// serves TLS; ln is then a plain TCP listener (the cap counts TCP
// connections, TLS handshakes included). It returns nil after a shutdown asked for by ctx.
func (h *Hub) Serve(ctx context.Context, ln net.Listener, routes ...Route) error {
	handler := h.Handler()
	if len(routes) > 0 {
		mux := http.NewServeMux()
		mux.Handle("/", handler)
		for _, r := range routes {
			mux.Handle(r.Pattern, r.Handler)
		}
		handler = mux
	}
	lim := h.limitConns(ln)
	h.limiter.Store(lim)
	srv := &http.Server{
		Handler:           h.onlySubscribers(handler),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       h.cfg.IdleTimeout,
		ConnState:         lim.connState,
		ConnContext:       connContext,
	}
	var served net.Listener = lim
	if h.cfg.TLS != nil {
		served = tls.NewListener(lim, h.cfg.TLS)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(served) }()
	select {
	case err := <-errc:
		h.Close()
		return err
	case <-ctx.Done():
	}
	// Stop accepting first: a subscriber told "hub shutting down" that
	// reconnects at once must be refused by the closed port, not upgraded
	// and turned away while a stuck subscriber's close frame times out.
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx) // hijacked WebSockets are not waited for
	h.Close()
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
