package hub

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net"
	"sync"
	"time"

	"github.com/calltop/calltop/feed"

	"github.com/gorilla/websocket"
)

// subscriber is one WebSocket client of a Hub. Its writer goroutine owns
// every write to the connection (frames, pings, pongs, the close); its
// reader goroutine notices pongs, pings and departure, and hands text
// frames the subscriber sends to Config.Inbound.
type subscriber struct {
	id     int64
	remote string
	peer   Peer   // who it is (Config.Authenticate), for Inbound
	view   bool   // a view client (?view=1): see Views
	open   string // a view client's open call (Hub.OpenCall); guarded by the hub's mu
	conn   *websocket.Conn
	queue  frameQueue    // frames to send, shared bytes
	pongs  chan string   // ping payloads the writer is to answer
	done   chan struct{} // closed (under the hub lock) when it is dropped
	reason string        // why it was dropped, set before done closes
}

// frameQueue is a subscriber's backlog, bounded in bytes. The hub pushes
// under its lock; the writer takes everything queued at once.
type frameQueue struct {
	mu     sync.Mutex
	frames [][]byte
	bytes  int
	limit  int
	ready  chan struct{} // holds a token while frames is not empty
}

func newFrameQueue(limit int) frameQueue {
	return frameQueue{limit: limit, ready: make(chan struct{}, 1)}
}

// push queues f and reports false, queueing nothing, when f would take the
// backlog over its limit. A frame always fits an empty queue.
func (q *frameQueue) push(f []byte) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.frames) > 0 && q.bytes+len(f) > q.limit {
		return false
	}
	q.frames = append(q.frames, f)
	q.bytes += len(f)
	if len(q.frames) == 1 {
		q.ready <- struct{}{} // empty before: no token is held
	}
	return true
}

// take moves every queued frame into dst (emptied first) and returns it;
// the queue keeps dst's old array for the next pushes.
func (q *frameQueue) take(dst [][]byte) [][]byte {
	clear(dst)
	q.mu.Lock()
	defer q.mu.Unlock()
	got := q.frames
	q.frames, q.bytes = dst[:0], 0
	return got
}

// closeCode maps a drop reason to a WebSocket close code.
func closeCode(reason string) int {
	switch reason {
	case "hub shutting down":
		return websocket.CloseGoingAway
	case "subscriber closed the connection":
		return websocket.CloseNormalClosure
	}
	return websocket.CloseTryAgainLater
}

// writeChunk is about how many bytes of frames go to the socket in one
// write: a burst of small frames costs one system call per chunk instead
// of one per frame.
const writeChunk = 128 << 10

// writeLoop sends head (hello and the snapshot), then the queue, until s
// is dropped.
func (h *Hub) writeLoop(s *subscriber, head [][]byte) {
	defer h.wg.Done()
	ping := time.NewTicker(h.cfg.PingInterval)
	defer ping.Stop()
	var batch [][]byte
	buf, err := h.writeFrames(s, head, nil)
	if err != nil {
		h.writeFailed(s, err)
	}
	for {
		select {
		case <-s.done: // dropping wins over sending what is queued
			h.closeSubscriber(s)
			return
		default:
		}
		select {
		case <-s.done:
			h.closeSubscriber(s)
			return
		case <-s.queue.ready:
			batch = s.queue.take(batch)
			if buf, err = h.writeFrames(s, batch, buf); err != nil {
				h.writeFailed(s, err)
			}
		case p := <-s.pongs:
			if err := s.conn.WriteControl(websocket.PongMessage, []byte(p), time.Now().Add(h.cfg.WriteTimeout)); err != nil {
				h.drop(s, "pong failed: "+err.Error())
			}
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.cfg.WriteTimeout)); err != nil {
				h.drop(s, "ping failed: "+err.Error())
			}
		}
	}
}

// writeFailed drops s after a write error; one stuck for WriteTimeout is
// counted as too slow.
func (h *Hub) writeFailed(s *subscriber, err error) {
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		h.dropped.Add(1)
	}
	h.drop(s, "write failed: "+err.Error())
}

// writeFrames sends frames as WebSocket text messages, packing them into
// chunks of about writeChunk bytes written with one call each, each within
// WriteTimeout. It stops early, without error, once s is dropped. buf is
// scratch space, returned for reuse.
func (h *Hub) writeFrames(s *subscriber, frames [][]byte, buf []byte) ([]byte, error) {
	nc := s.conn.NetConn()
	for len(frames) > 0 {
		buf = buf[:0]
		for len(frames) > 0 && (len(buf) == 0 || len(buf)+len(frames[0]) <= writeChunk) {
			buf = appendTextFrame(buf, frames[0])
			frames = frames[1:]
		}
		// The deadline first: a drop after the check below shortens it.
		nc.SetWriteDeadline(time.Now().Add(h.cfg.WriteTimeout))
		select {
		case <-s.done:
			return buf, nil
		default:
		}
		if _, err := nc.Write(buf); err != nil {
			return buf, err
		}
	}
	if cap(buf) > 4*writeChunk {
		buf = nil // a huge snapshot part passed; do not keep its room
	}
	return buf, nil
}

// appendTextFrame appends data as one final, unmasked WebSocket text frame
// (RFC 6455 section 5.2), as a server sends it.
func appendTextFrame(b, data []byte) []byte {
	const finText = 0x81
	switch n := len(data); {
	case n < 126:
		b = append(b, finText, byte(n))
	case n <= 0xFFFF:
		b = append(b, finText, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, finText, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, data...)
}

func (h *Hub) closeSubscriber(s *subscriber) {
	reason := s.reason
	if len(reason) > 120 { // a close frame's reason must fit in 123 bytes
		reason = reason[:120]
	}
	msg := websocket.FormatCloseMessage(closeCode(s.reason), reason)
	s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	s.conn.Close()
}

func (h *Hub) readLoop(s *subscriber) {
	defer h.wg.Done()
	wait := 3 * h.cfg.PingInterval
	s.conn.SetReadLimit(64 << 10)
	s.conn.SetReadDeadline(time.Now().Add(wait))
	s.conn.SetPongHandler(func(string) error {
		return s.conn.SetReadDeadline(time.Now().Add(wait))
	})
	// The writer answers pings and closes: only it writes, so its frames
	// never interleave with another goroutine's.
	s.conn.SetPingHandler(func(p string) error {
		select {
		case s.pongs <- p:
		default: // a pong is already due
		}
		return nil
	})
	s.conn.SetCloseHandler(func(int, string) error { return nil })
	for {
		typ, data, err := s.conn.ReadMessage()
		if err != nil {
			if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
				h.drop(s, "subscriber closed the connection")
			} else {
				h.drop(s, "connection lost: "+err.Error())
			}
			return
		}
		s.conn.SetReadDeadline(time.Now().Add(wait))
		if typ == websocket.TextMessage {
			h.inbound(s, data)
		}
	}
}

// frameType returns a frame's "type" without decoding the rest when the
// frame starts the usual way, and ok=false for a frame that is not a JSON
// object with a string type.
func frameType(frame []byte) (string, bool) {
	const prefix = `{"type":"`
	if bytes.HasPrefix(frame, []byte(prefix)) {
		rest := frame[len(prefix):]
		if i := bytes.IndexByte(rest, '"'); i >= 0 && bytes.IndexByte(rest[:i], '\\') < 0 {
			return string(rest[:i]), true
		}
	}
	var head struct {
		Type string `json:"type"`
	}
	trimmed := bytes.TrimSpace(frame)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(frame, &head) != nil || head.Type == "" {
		return "", false
	}
	return head.Type, true
}

// affectsCalls reports whether messages of type typ change the call state.
func affectsCalls(typ string) bool {
	switch typ {
	case feed.TypeSnapshot, feed.TypeCallStart, feed.TypeCallUpdate, feed.TypeCallEnd,
		feed.TypeParticipantJoin, feed.TypeParticipantUpdate, feed.TypeParticipantLeave:
		return true
	}
	return false
}
