package hub

import (
	"encoding/json"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/gorilla/websocket"
)

// snapshotCache holds the ongoing calls as encoded for a snapshot, valid
// while version is the one they were encoded at. Guarded by the hub's mu.
type snapshotCache struct {
	version uint64   // bumped by every change to the calls
	at      uint64   // the version calls were encoded at
	calls   [][]byte // feed.EncodeCalls output, nil when never encoded
}

// subscribe adds a subscriber and starts it with hello, Config.Joined's
// frames and one snapshot
// of the calls as they were when it was added, so it misses and repeats
// nothing. Only the copy of the calls is made under the hub's lock; the
// encoding happens after it (and is kept until the calls change), so a
// storm of connects cannot starve publishing.
//
// A view client (view) gets hello, Config.Joined's and Views.Joined's
// frames, and no snapshot: it asks for what it wants (see Views).
func (h *Hub) subscribe(conn *websocket.Conn, peer Peer, view bool) error {
	remote := peer.Remote
	hello, err := json.Marshal(&feed.Message{
		Type: feed.TypeHello, TS: float64(time.Now().UnixMilli()),
		Version: feed.ProtocolVersion, Server: h.cfg.Name,
	})
	if err != nil {
		return err
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return ErrHubClosed
	}
	h.nextID++
	peer.ID, peer.View = h.nextID, view
	joined := h.joinFrames(peer) // Config.Joined runs under the lock
	if view {
		joined = append(joined, h.cfg.Views.Joined(peer)...)
		h.views++
	}
	s := &subscriber{
		id: h.nextID, remote: remote, conn: conn, peer: peer, view: view,
		queue: newFrameQueue(h.cfg.QueueBytes), // hello and the snapshot go first, outside it
		pongs: make(chan string, 1),
		done:  make(chan struct{}),
	}
	h.subs[s] = struct{}{}
	h.demandChangedLocked()
	if view {
		h.wg.Add(2)
		h.mu.Unlock()
		h.cfg.Logf("hub: view client %d (%s) joined", s.id, remote)
		go h.writeLoop(s, append([][]byte{hello}, joined...))
		go h.readLoop(s)
		return nil
	}
	version, encoded := h.snap.version, h.snap.calls
	var calls []feed.Call
	if encoded == nil || h.snap.at != version {
		encoded, calls = nil, h.state.Calls()
	}
	ts, n := h.state.TS(), h.state.Len()
	h.wg.Add(2)
	h.mu.Unlock()

	if encoded == nil {
		if encoded, err = feed.EncodeCalls(calls); err != nil {
			h.drop(s, "encoding snapshot failed: "+err.Error()) // its writer closes it
		} else {
			h.mu.Lock()
			if h.snap.version == version {
				h.snap.calls, h.snap.at = encoded, version
			}
			h.mu.Unlock()
		}
	}
	snap := feed.SnapshotFrames(encoded, ts, h.cfg.SnapshotPartBytes)
	if err == nil {
		h.cfg.Logf("hub: subscriber %d (%s) joined; snapshot of %d calls in %d frames", s.id, remote, n, len(snap))
	}
	first := append(append([][]byte{hello}, joined...), snap...)
	go h.writeLoop(s, first)
	go h.readLoop(s)
	return nil
}
