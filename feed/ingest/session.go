package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/dump"
)

// session is one browser session (one statsSessionId): a participant in a
// call while it is joined. Its fields are guarded by the Server's mutex,
// but for wmu, which orders writes to its connection.
type session struct {
	id, meeting string
	protocol    string
	userAgent   string
	stream      *dump.Stream
	conn        *websocket.Conn
	wmu         sync.Mutex
	heard       time.Time // hub time of the last message

	lastSeq   int64   // Jitsi sequence number of the last line used
	offset    float64 // ms added to the browser's times
	clockSet  bool
	firstData float64 // first stats or event time (shifted)
	lastData  float64 // newest stats or event time (shifted)

	joined bool
	callID string
	part   feed.Participant
	bad    int // bad frames

	client     string // the address it connected from (clientOf)
	kept       int    // bytes it holds: measured, plus a bound for lines since
	measured   int    // bytes it held at the last measure
	unmeasured int    // bytes of lines since
	gone       bool   // forgotten: lines still in flight are dropped
}

// departed reports whether ss left and has no connection: it is kept only
// for a reconnect.
func (ss *session) departed() bool { return !ss.joined && ss.conn == nil }

// attach finds the session id names, or makes it, for a new connection.
func (s *Server) attach(id, meeting string, r *http.Request, jitsi bool) (*session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("hub shutting down")
	}
	if ss := s.sessions[id]; ss != nil {
		ss.heard = s.cfg.Now()
		return ss, nil
	}
	live := 0
	for _, ss := range s.sessions {
		if !ss.departed() {
			live++
		}
	}
	if live >= s.cfg.MaxSessions {
		return nil, fmt.Errorf("session cap reached (%d sessions; --ingest-max-sessions)", s.cfg.MaxSessions)
	}
	client := clientOf(r)
	if !s.makeRoomLocked(client, sessionOverhead, nil) {
		s.overBudget.Add(1)
		return nil, fmt.Errorf("the sessions of %s hold over the %d-byte client budget (--ingest-max-client-bytes)", client, s.cfg.ClientBytes)
	}
	s.departedCapLocked()
	ss := &session{id: id, meeting: meeting, stream: dump.NewStream("session " + id),
		userAgent: clip(r.Header.Get("User-Agent"), 500), heard: s.cfg.Now(), client: client}
	info := map[string]any{"path": clip(r.URL.Path, 500), "origin": clip(r.Header.Get("Origin"), 500),
		"url": clip(r.URL.String(), 1000), "userAgent": ss.userAgent}
	ss.stream.Info(info)
	s.sessions[id] = ss
	ss.measured = sessionOverhead + ss.stream.Kept()
	s.setKeptLocked(ss, ss.measured)
	return ss, nil
}

// setConn makes conn the session's connection, closing a previous one (a
// reconnect that came before the old connection was noticed gone).
func (ss *session) setConn(conn *websocket.Conn) {
	if ss.conn != nil && ss.conn != conn {
		ss.closeConn("replaced by a new connection")
	}
	ss.conn = conn
}

// closeConn sends a close frame (1000) and closes the connection, if any.
func (ss *session) closeConn(reason string) { ss.closeConnCode(websocket.CloseNormalClosure, reason) }

// closeConnCode is closeConn with a close code.
func (ss *session) closeConnCode(code int, reason string) {
	if ss.conn == nil {
		return
	}
	c := ss.conn
	c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, clip(reason, 120)), time.Now().Add(time.Second))
	c.Close()
	ss.conn = nil
}

// send writes one message to the client on conn (the Jitsi client's
// acknowledgements); only the connection's reader sends.
func (ss *session) send(conn *websocket.Conn, msg []byte) {
	if conn == nil {
		return
	}
	ss.wmu.Lock()
	defer ss.wmu.Unlock()
	conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	conn.WriteMessage(websocket.TextMessage, msg)
}

// sequenceMessage tells the Jitsi client the last sequence number received
// ("initial" on connecting: it then sends what it buffered after that).
func sequenceMessage(last int64, initial bool) []byte {
	if initial {
		return []byte(`{"type":"sn","body":{"value":` + strconv.FormatInt(last, 10) + `,"state":"initial"}}`)
	}
	return []byte(`{"type":"sn","body":{"value":` + strconv.FormatInt(last, 10) + `}}`)
}

// detach notes that conn ended; with a reason the session leaves now,
// without one it may come back until the sweeper finds it silent.
func (s *Server) detach(ss *session, conn *websocket.Conn, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if conn != nil && ss.conn != conn {
		return // replaced by a reconnect: the session lives on there
	}
	if conn != nil {
		conn.Close()
		ss.conn = nil
	}
	if why != "" {
		s.leaveLocked(ss, why)
	}
	if ss.departed() && ss.stream.Lines() == 0 {
		s.forgetLocked(ss) // nothing to resume
	}
	if why != "" || conn != nil {
		s.cfg.Logf("ingest: session %s disconnected%s", ss.id, suffix(why))
	}
}

func suffix(why string) string {
	if why == "" {
		return " (it may reconnect)"
	}
	return ": " + why
}

// envelope is a Jitsi rtcstats message.
type envelope struct {
	StatsSessionID string          `json:"statsSessionId"`
	Type           string          `json:"type"`
	Data           json.RawMessage `json:"data"`
}

// handle uses one WebSocket message: a Jitsi envelope or a plain line.
func (s *Server) handle(ss *session, conn *websocket.Conn, data []byte) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		s.line(ss, data, 0)
		return
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil || env.Type == "" {
		s.badFrame(ss, "not an rtcstats message: want {statsSessionId, type, data} or [method, pcId, value, timestamp]")
		return
	}
	switch env.Type {
	case "keepalive":
		s.mu.Lock()
		ss.heard = s.cfg.Now()
		last := ss.lastSeq
		s.mu.Unlock()
		ss.send(conn, sequenceMessage(last, false))
	case "identity", "stats-entry":
		line := []byte(env.Data)
		if len(line) > 0 && line[0] == '"' { // stats-entry data is a JSON string holding the array
			var str string
			if err := json.Unmarshal(line, &str); err != nil {
				s.badFrame(ss, env.Type+" data is not a JSON string: "+err.Error())
				return
			}
			line = []byte(str)
		}
		s.line(ss, line, sequence(line))
	case "close":
		s.mu.Lock()
		s.leaveLocked(ss, "left the conference")
		s.mu.Unlock()
	default:
		s.badFrame(ss, fmt.Sprintf("unknown message type %q", clip(env.Type, 40)))
	}
}

// sequence is the Jitsi client's sequence number, the last element of its
// lines [method, pcId, value, timestamp, sequence]; 0 when absent. A line
// without one ends with its timestamp (ms since the epoch, above 1e12),
// which is told apart by size.
func sequence(line []byte) int64 {
	line = bytes.TrimSpace(line)
	i := bytes.LastIndexByte(line, ',')
	if i < 0 || len(line) == 0 || line[len(line)-1] != ']' {
		return 0
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(line[i+1:len(line)-1])), 10, 64)
	if err != nil || n <= 0 || n >= 1e11 {
		return 0
	}
	return n
}

// badFrame counts and logs (the first few per session) an unusable frame.
func (s *Server) badFrame(ss *session, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.badFrameLocked(ss, 0, why)
}

// badFrameLocked is badFrame for an rtcstats line (line > 0: its number in
// the session) or a message (line 0).
func (s *Server) badFrameLocked(ss *session, line int, why string) {
	s.bad.Add(1)
	ss.bad++
	if ss.bad > problemsLogged {
		return
	}
	where := ""
	if line > 0 {
		where = fmt.Sprintf(" (line %d)", line)
	}
	s.cfg.Logf("ingest: session %s: bad frame%s: %s", ss.id, where, clip(why, 300))
}

// line decodes one rtcstats line of the session and publishes what it
// gave.
func (s *Server) line(ss *session, raw []byte, seq int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss.gone {
		return // ended over its budget; its connection is closing
	}
	ss.heard = s.cfg.Now()
	if seq > 0 {
		if seq <= ss.lastSeq {
			return // resent after a reconnect: already used
		}
		ss.lastSeq = seq
	}
	msgs, prob := ss.stream.Line(raw)
	if prob != nil {
		s.badFrameLocked(ss, prob.Line, prob.Reason)
	}
	if s.closed || !s.measureLocked(ss, len(raw)) {
		return
	}
	for i := range msgs {
		m := &msgs[i]
		s.shiftClock(ss, m)
		if !ss.joined {
			s.joinLocked(ss, m.TS)
		}
		m.CallID, m.ParticipantID = ss.callID, ss.part.ID
		ss.lastData = max(ss.lastData, m.TS)
		s.publish(m)
	}
	if ss.joined && len(msgs) == 0 && prob == nil {
		s.updateLocked(ss)
	}
}

// shiftClock moves a message onto the hub's clock when the browser's is
// more than MaxSkew away, by an offset fixed at the session's first
// message.
func (s *Server) shiftClock(ss *session, m *feed.Message) {
	if !ss.clockSet {
		ss.clockSet = true
		d := float64(s.cfg.Now().UnixMicro())/1000 - m.TS
		if d > float64(s.cfg.MaxSkew.Milliseconds()) || -d > float64(s.cfg.MaxSkew.Milliseconds()) {
			ss.offset = math.Round(d) // whole ms: times keep their printed digits
			off, dir := time.Duration(-d*float64(time.Millisecond)), "ahead of"
			if d > 0 {
				off, dir = -off, "behind"
			}
			s.cfg.Logf("ingest: session %s: browser clock is %v %s the hub's; its times are shifted onto the hub's", ss.id, off.Round(time.Second), dir)
		}
	}
	if ss.offset == 0 {
		return
	}
	m.TS += ss.offset
	for i := range m.Stats {
		if m.Stats[i].Timestamp != 0 {
			m.Stats[i].Timestamp += ss.offset
		}
	}
}

// publish sends m into the hub; a hub that is shutting down refuses it.
func (s *Server) publish(m *feed.Message) {
	if err := s.pub.Publish(m); err != nil && !s.closed {
		s.cfg.Logf("ingest: publishing %s: %v", m.Type, err)
	}
}
