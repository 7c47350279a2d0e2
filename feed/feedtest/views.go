package feedtest

import (
	"sync/atomic"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/hub"
)

// OpenViews is the least a hub's Views can be: each view.request opens
// the call it names (no index, no windows). Set H to the hub once made.
type OpenViews struct {
	H        atomic.Pointer[hub.Hub]
	Joins    atomic.Int64 // view clients joined
	Requests atomic.Int64 // requests handled
}

func (v *OpenViews) Joined(hub.Peer) [][]byte { v.Joins.Add(1); return nil }
func (v *OpenViews) Left(hub.Peer)            {}
func (v *OpenViews) Inbound(p hub.Peer, frame []byte) {
	if r, err := feed.DecodeViewRequest(frame); err == nil {
		v.H.Load().OpenCall(p.ID, r.View.Open)
	}
	v.Requests.Add(1)
}
