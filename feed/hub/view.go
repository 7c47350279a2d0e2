package hub

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/gorilla/websocket"
)

// Views serves a hub's view clients (docs/feed-protocol.md, "View mode"):
// subscribers that connect with ?view=1 and are sent windows of a call
// index instead of every call's frames. The hub keeps them out of the
// call stream, but for the frames of the one call each has open
// (Hub.OpenCall); everything else they get is what Views sends them
// (Hub.SendTo). Frames that are not about a call (team.alerts, ...) reach
// them as they reach everyone.
type Views interface {
	// Joined gives a new view client's first frames after hello (and
	// after Config.Joined's). It runs under the hub's lock: no I/O, no
	// call into the hub.
	Joined(p Peer) [][]byte
	// Inbound takes each view.request a view client sends; it must not
	// block.
	Inbound(p Peer, frame []byte)
	// Left says a view client is gone. It runs under the hub's lock.
	Left(p Peer)
}

// isViewRequest reports whether r asks for view mode (?view=1).
func isViewRequest(r *http.Request) bool {
	v := r.URL.Query().Get("view")
	return v == "1" || v == "true"
}

// refuseView tells a view client that this hub has no call index, in a
// view.error after hello, and closes (policy violation: asking again will
// not help).
func (h *Hub) refuseView(conn *websocket.Conn, remote string) {
	h.cfg.Logf("hub: view client %s refused: %s", remote, feed.NoIndexError)
	hello, _ := json.Marshal(&feed.Message{Type: feed.TypeHello, TS: float64(time.Now().UnixMilli()),
		Version: feed.ProtocolVersion, Server: h.cfg.Name})
	refusal, _ := feed.EncodeView(feed.ViewError{Type: feed.TypeViewError, Error: feed.NoIndexError})
	conn.SetWriteDeadline(time.Now().Add(h.cfg.WriteTimeout))
	if conn.WriteMessage(websocket.TextMessage, hello) == nil && conn.WriteMessage(websocket.TextMessage, refusal) == nil {
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, feed.NoIndexError),
			time.Now().Add(time.Second))
	}
	conn.Close()
}

// OpenCall sets the call whose frames the view client with this Peer.ID
// gets ("" for none) and, for a call, queues first a snapshot holding
// that call alone (empty when it is not going on), so the client has it
// whole before the frames that follow. It reports whether the client is
// still connected.
func (h *Hub) OpenCall(id int64, callID string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.peer.ID != id || !s.view {
			continue
		}
		if s.open != callID {
			s.open = callID
			h.demandChangedLocked()
		}
		if callID != "" {
			h.pushOpenSnapshotLocked(s)
		}
		return true
	}
	return false
}

// pushOpenSnapshotLocked queues for s a snapshot of its open call alone.
func (h *Hub) pushOpenSnapshotLocked(s *subscriber) {
	var calls []feed.Call
	if c, ok := h.state.Call(s.open); ok {
		calls = []feed.Call{c}
	}
	encoded, err := feed.EncodeCalls(calls)
	if err != nil {
		h.dropLocked(s, "encoding the open call failed: "+err.Error())
		return
	}
	for _, f := range feed.SnapshotFrames(encoded, h.state.TS(), h.cfg.SnapshotPartBytes) {
		if !s.queue.push(f) {
			h.dropped.Add(1)
			h.dropLocked(s, "too slow: over the queue limit")
			return
		}
	}
}

// viewFanout is what a view client of a frame being fanned out gets:
// about a call (call.*, participant.*, stats, connection.event, snapshot)
// only for the call it has open; anything else, always.
type viewFanout struct {
	frame    []byte
	typ      string
	scoped   bool // about a call
	id       string
	idKnown  bool
	snapshot bool
}

func newViewFanout(frame []byte) viewFanout {
	typ, _ := frameType(frame)
	v := viewFanout{frame: frame, typ: typ}
	switch typ {
	case feed.TypeSnapshot:
		v.scoped, v.snapshot = true, true
	case feed.TypeCallStart, feed.TypeCallUpdate, feed.TypeCallEnd, feed.TypeParticipantJoin,
		feed.TypeParticipantUpdate, feed.TypeParticipantLeave, feed.TypeStats, feed.TypeConnectionEvent:
		v.scoped = true
	}
	return v
}

// wants reports whether view client s gets the frame.
func (v *viewFanout) wants(s *subscriber) bool {
	if v.typ == feed.TypeTeamFindings {
		// Every open finding of every call (a bus's union of them, resent
		// whole when any changes): megabytes a second at 10,000 calls. A
		// view client has the findings it shows: its windows' and, for the
		// call it opens, its own diagnosis of that call's frames.
		return false
	}
	if !v.scoped {
		return true
	}
	if s.open == "" || v.snapshot {
		return false // a snapshot is followed by the open call's own (see fanoutLocked)
	}
	if !v.idKnown {
		v.id, v.idKnown = frameCallID(v.frame, v.typ), true
	}
	return v.id == s.open
}

// frameCallID is the call a frame of type typ is about: call.id of
// call.start and call.update, otherwise callId, found without decoding
// the frame when it is written plainly.
func frameCallID(frame []byte, typ string) string {
	if typ == feed.TypeCallStart || typ == feed.TypeCallUpdate {
		var m struct {
			Call struct {
				ID string `json:"id"`
			} `json:"call"`
		}
		json.Unmarshal(frame, &m)
		return m.Call.ID
	}
	const key = `"callId":"`
	if i := bytes.Index(frame, []byte(key)); i >= 0 {
		rest := frame[i+len(key):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 && bytes.IndexByte(rest[:j], '\\') < 0 {
			return string(rest[:j])
		}
	}
	var m struct {
		CallID string `json:"callId"`
	}
	json.Unmarshal(frame, &m)
	return m.CallID
}

// StatsDemand says which calls' stats the subscribers want: all of them
// while a full subscriber (neither a view client nor Peer.OwnCalls) is
// connected, otherwise the calls view clients have open (sorted, each
// once). A hub on a bus takes the other hubs' stats by it (feed/bus).
func (h *Hub) StatsDemand() (all bool, calls []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		switch {
		case !s.view && !s.peer.OwnCalls:
			return true, nil
		case s.view && s.open != "":
			calls = append(calls, s.open)
		}
	}
	slices.Sort(calls)
	return false, slices.Compact(calls)
}

func (h *Hub) demandChangedLocked() {
	if h.cfg.DemandChanged != nil {
		h.cfg.DemandChanged()
	}
}
