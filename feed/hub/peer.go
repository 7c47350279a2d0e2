package hub

import (
	"net/http"

	"github.com/calltop/calltop/feed"
)

// Peer is who a subscriber is: the hub's own number for it, its remote
// address, the user and role Config.Authenticate gave it (empty on a
// hub without Authenticate), whether it is a view client (?view=1), and
// whether it reads only the calls this hub's own sources produce.
type Peer struct {
	ID     int64
	Remote string
	User   string
	Role   string
	View   bool
	// OwnCalls marks an in-process client that uses only this hub's own
	// calls (a team hub's engine on a bus): it does not make the hub ask
	// the bus for the other hubs' stats (Hub.StatsDemand).
	OwnCalls bool
}

// authenticate says who r is: Config.Authenticate when set, otherwise the
// shared token check.
func (h *Hub) authenticate(r *http.Request) (Peer, bool) {
	if h.cfg.Authenticate != nil {
		return h.cfg.Authenticate(r)
	}
	return Peer{}, authorized(r, h.cfg.Token)
}

// joinFrames are the frames a new subscriber gets after hello, before the
// snapshot (Config.Joined's).
func (h *Hub) joinFrames(p Peer) [][]byte {
	if h.cfg.Joined == nil {
		return nil
	}
	return h.cfg.Joined(p)
}

// inbound handles one text frame a subscriber sent: Config.Inbound's, or
// on a hub without it, a "not in team mode" answer to a team command.
func (h *Hub) inbound(s *subscriber, frame []byte) {
	if typ, _ := frameType(frame); typ == feed.TypeViewRequest {
		if s.view {
			h.cfg.Views.Inbound(s.peer, frame)
		} else if b, err := feed.EncodeView(feed.ViewError{Type: feed.TypeViewError,
			Error: "view.request from a subscriber of the whole feed: connect with ?view=1"}); err == nil {
			h.SendTo(s.peer.ID, b)
		}
		return
	}
	if h.cfg.Inbound != nil {
		h.cfg.Inbound(s.peer, frame)
		return
	}
	var c feed.TeamCommand
	if feed.DecodeTeam(frame, feed.TypeTeamCommand, &c) != nil {
		return
	}
	if b, err := feed.EncodeTeam(feed.NotTeamResult(c.ID)); err == nil {
		h.SendTo(s.peer.ID, b)
	}
}

// SendTo queues frame for the subscriber with this Peer.ID alone and
// reports whether it is still connected. A subscriber whose queue is full
// is dropped as too slow, as with Publish.
func (h *Hub) SendTo(id int64, frame []byte) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.peer.ID != id {
			continue
		}
		if !s.queue.push(frame) {
			h.dropped.Add(1)
			h.dropLocked(s, "too slow: over the queue limit")
			return false
		}
		return true
	}
	return false
}
