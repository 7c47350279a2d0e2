package feed

import (
	"bytes"
	"encoding/json"
	"net"
	"time"

	"github.com/gorilla/websocket"
)

// subscriber is one WebSocket client of a Hub. Its writer goroutine owns
// all data writes; its reader goroutine only notices pongs and departure.
type subscriber struct {
	id     int64
	remote string
	conn   *websocket.Conn
	queue  chan []byte   // frames to send, shared bytes
	done   chan struct{} // closed (under the hub lock) when it is dropped
	reason string        // why it was dropped, set before done closes
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

func (h *Hub) writeLoop(s *subscriber) {
	defer h.wg.Done()
	ping := time.NewTicker(h.cfg.PingInterval)
	defer ping.Stop()
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
		case f := <-s.queue:
			s.conn.SetWriteDeadline(time.Now().Add(h.cfg.WriteTimeout))
			if err := s.conn.WriteMessage(websocket.TextMessage, f); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					h.dropped.Add(1) // stuck for WriteTimeout: a slow subscriber
				}
				h.drop(s, "write failed: "+err.Error())
			}
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.cfg.WriteTimeout)); err != nil {
				h.drop(s, "ping failed: "+err.Error())
			}
		}
	}
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
	for {
		if _, _, err := s.conn.ReadMessage(); err != nil {
			if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
				h.drop(s, "subscriber closed the connection")
			} else {
				h.drop(s, "connection lost: "+err.Error())
			}
			return
		}
		s.conn.SetReadDeadline(time.Now().Add(wait))
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
	case TypeSnapshot, TypeCallStart, TypeCallUpdate, TypeCallEnd,
		TypeParticipantJoin, TypeParticipantUpdate, TypeParticipantLeave:
		return true
	}
	return false
}
