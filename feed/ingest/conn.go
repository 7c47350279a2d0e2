package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/calltop/calltop/feed/hub"
	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// tokenProtocol prefixes a token offered as a WebSocket subprotocol.
const tokenProtocol = "token."

// rtcstatsProtocol matches the rtcstats clients' subprotocols: "2.0" (the
// plain client), "3.1_STANDARD", "3.1_LEGACY", "3.1_JVB" (Jitsi's).
var rtcstatsProtocol = regexp.MustCompile(`^[0-9]+\.[0-9]+(_[A-Za-z]+)?$`)

// params reads the query leniently: the Jitsi client appends
// "?statsSessionId=...&isReconnect=..." to an endpoint that may already
// hold a query (a token), so '?' separates parameters as '&' does.
func params(raw string) url.Values {
	v := url.Values{}
	for _, kv := range strings.FieldsFunc(raw, func(r rune) bool { return r == '&' || r == '?' }) {
		k, val, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		val, _ = url.QueryUnescape(val)
		if k != "" && v.Get(k) == "" {
			v.Set(k, val)
		}
	}
	return v
}

// meeting is the meeting named by the path after /rtcstats/: all of it,
// unescaped, slashes included ("conference.example.com/room").
func meeting(r *http.Request) string {
	p := strings.TrimPrefix(r.URL.Path, "/rtcstats")
	p = strings.Trim(p, "/")
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	return clip(p, 200)
}

// clip cuts s to at most n bytes (ids from the network are bounded),
// not inside a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// authorized checks the token from the query, a "token.<t>" subprotocol or
// an Authorization header.
func (s *Server) authorized(r *http.Request, q url.Values) bool {
	if s.cfg.Token == "" {
		return true
	}
	got := q.Get("token")
	for _, p := range websocket.Subprotocols(r) {
		if t, ok := strings.CutPrefix(p, tokenProtocol); ok {
			got = t
		}
	}
	if b := hub.BearerToken(r); b != "" {
		got = b
	}
	return hub.TokenMatches(got, s.cfg.Token)
}

// originAllowed applies the Origin allow-list. Without one, a browser page
// must come from the hub's own host; a client sending no Origin is not a
// browser and is let through (the token still applies).
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if len(s.cfg.AllowOrigins) == 0 {
		u, err := url.Parse(origin)
		return err == nil && strings.EqualFold(u.Host, r.Host)
	}
	for _, o := range s.cfg.AllowOrigins {
		if o == "*" || strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

// ServeHTTP accepts one rtcstats WebSocket on /rtcstats/<meeting>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := params(r.URL.RawQuery)
	switch {
	case !websocket.IsWebSocketUpgrade(r):
		http.Error(w, "calltop rtcstats ingest: connect with an rtcstats client over WebSocket (docs/ingest.md)", http.StatusBadRequest)
		return
	case s.cfg.Token == "" && !hub.HostAllowed(r.Host, s.cfg.AllowHosts):
		s.refuse(w, r, http.StatusForbidden, hub.HostRefusal(r.Host))
		return
	case !s.originAllowed(r):
		s.refuse(w, r, http.StatusForbidden, "origin "+r.Header.Get("Origin")+" is not allowed (--allow-origin)")
		return
	case !s.authorized(r, q):
		s.refuse(w, r, http.StatusUnauthorized, "missing or wrong token")
		return
	}
	id := clip(q.Get("statsSessionId"), 100)
	jitsi := id != ""
	if !jitsi {
		id = newSessionID()
	}
	ss, err := s.attach(id, meeting(r), r, jitsi)
	if err != nil {
		s.refuse(w, r, http.StatusServiceUnavailable, err.Error())
		return
	}
	header := http.Header{}
	protocol := ""
	for _, p := range websocket.Subprotocols(r) {
		if rtcstatsProtocol.MatchString(p) {
			header.Set("Sec-WebSocket-Protocol", p)
			protocol = p
			break
		}
	}
	s.mu.Lock()
	ss.protocol = protocol
	info := map[string]any{"statsFormat": statsFormat(ss.userAgent, protocol)}
	if protocol != "" {
		info["clientProtocol"] = protocol
	}
	ss.stream.Info(info)
	s.mu.Unlock()
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }} // checked above
	conn, err := up.Upgrade(w, r, header)
	if err != nil {
		s.detach(ss, nil, "")
		return // the upgrader answered the client
	}
	s.mu.Lock()
	if s.closed || ss.gone { // shutting down, or forgotten for its client's budget meanwhile
		s.mu.Unlock()
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "try again"), time.Now().Add(time.Second))
		conn.Close()
		return
	}
	s.conns.Add(1) // under the lock, so shutdown's Wait sees every reader
	ss.setConn(conn)
	last, protocol := ss.lastSeq, ss.protocol
	s.mu.Unlock()
	s.open.Add(1)
	defer s.conns.Done()
	defer s.open.Add(-1)
	s.cfg.Logf("ingest: session %s connected from %s (meeting %q, protocol %q, reconnect %v)",
		ss.id, conn.RemoteAddr(), ss.meeting, protocol, q.Get("isReconnect") == "true")
	s.serve(ss, conn, jitsi, last)
}

// refuse answers a connection that is not let in, and logs why.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, code int, why string) {
	s.refused.Add(1)
	s.cfg.Logf("ingest: refused %s from %s: %s", r.URL.Path, r.RemoteAddr, why)
	http.Error(w, "calltop rtcstats ingest: "+why, code)
}

func newSessionID() string {
	var b [8]byte
	rand.Read(b[:])
	return "rtcstats-" + hex.EncodeToString(b[:])
}

// serve reads one connection's messages until it closes; last is the
// session's last sequence number when it connected.
func (s *Server) serve(ss *session, conn *websocket.Conn, jitsi bool, last int64) {
	conn.SetReadLimit(s.cfg.MaxMessageBytes)
	if jitsi { // the Jitsi client sends nothing until told where to resume
		ss.send(conn, sequenceMessage(last, true))
	}
	limit := rate.NewLimiter(rate.Limit(s.cfg.Rate), s.cfg.Burst)
	throttled := false
	why := ""
	for {
		conn.SetReadDeadline(time.Now().Add(s.cfg.Silence))
		_, data, err := conn.ReadMessage()
		if err != nil {
			why = s.closeReason(ss, err)
			break
		}
		s.messages.Add(1)
		if !limit.Allow() {
			if !throttled {
				s.cfg.Logf("ingest: session %s: over %g messages/s, slowing it down", ss.id, s.cfg.Rate)
				throttled = true
			}
			s.throttled.Add(1)
			if limit.Wait(context.Background()) != nil {
				break
			}
		}
		s.handle(ss, conn, data)
	}
	s.detach(ss, conn, why)
}

// closeReason tells how a connection ended: the reason a session leaves
// for at once, or "" when the client may come back (a dropped network, a
// silent client: the sweeper decides).
func (s *Server) closeReason(ss *session, err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case closeConferenceLeave:
			return "left the conference"
		case websocket.CloseGoingAway:
			return "page closed"
		case closeDumpError:
			return "the client gave up (its sequence numbers went wrong)"
		case websocket.CloseNormalClosure, websocket.CloseNoStatusReceived:
			return "closed the connection"
		case websocket.CloseMessageTooBig:
			s.bad.Add(1)
			s.cfg.Logf("ingest: session %s: message over %d bytes; connection closed", ss.id, s.cfg.MaxMessageBytes)
			return ""
		}
		return ""
	}
	if errors.Is(err, websocket.ErrReadLimit) {
		s.bad.Add(1)
		s.cfg.Logf("ingest: session %s: message over %d bytes; connection closed", ss.id, s.cfg.MaxMessageBytes)
	}
	return ""
}

// Close codes of the Jitsi rtcstats client.
const (
	closeConferenceLeave = 3001
	closeDumpError       = 3002
)
