package partition

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/calltop/calltop/feed"
)

// Board is a team hub's open findings with the other hubs': its engine's
// (Own) are shared on the bus, the others' (Peer) come from there, and the
// union goes to the hub's subscribers as one team.findings frame, sorted
// by hub. It implements team.Config.Findings.
type Board struct {
	hubID string
	// Share puts this hub's findings frame on the bus; Publish sends the
	// union to the local hub's subscribers. Both are set before the hub
	// runs (nil: not sent).
	Share   func(frame []byte)
	Publish func(frame []byte)

	mu    sync.Mutex
	own   []feed.TeamFinding
	peers map[string][]feed.TeamFinding
	frame []byte // the union as last published
	// last is frame for Frame, read without mu: Frame runs under the
	// hub's lock (a subscriber joining) while publishLocked, under mu,
	// calls Publish, which takes the hub's lock; taking mu in Frame
	// deadlocked the two (seen in CI).
	last atomic.Pointer[[]byte]
	bad  int // peers' findings refused (not of their own calls)
}

// NewBoard returns the board of hub hubID.
func NewBoard(hubID string) *Board {
	return &Board{hubID: hubID, peers: map[string][]feed.TeamFinding{}}
}

// Own takes this hub's open findings (a team.findings frame of its own
// calls), shares them and publishes the union.
func (b *Board) Own(frame []byte) {
	var w feed.TeamFindings
	if feed.DecodeTeam(frame, feed.TypeTeamFindings, &w) != nil {
		return
	}
	b.mu.Lock()
	share := b.Share
	b.mu.Unlock()
	if share != nil {
		share(frame)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.own = w.Findings
	b.publishLocked()
}

// Peer takes hub hubID's findings from the bus (nil frame: the hub is
// gone and its calls ended). Only findings of its own calls count: a hub
// cannot speak for another's calls.
func (b *Board) Peer(hubID string, frame []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if frame == nil {
		delete(b.peers, hubID)
		b.publishLocked()
		return
	}
	var w feed.TeamFindings
	if feed.DecodeTeam(frame, feed.TypeTeamFindings, &w) != nil {
		b.bad++
		return
	}
	prefix := hubID + "/"
	own := w.Findings[:0]
	for _, f := range w.Findings {
		if strings.HasPrefix(f.Call, prefix) {
			own = append(own, f)
		} else {
			b.bad++
		}
	}
	b.peers[hubID] = own
	b.publishLocked()
}

// SetShare sets Share once the board is in use (the bus node it shares
// through is made after the board starts taking the others' findings).
func (b *Board) SetShare(share func(frame []byte)) {
	b.mu.Lock()
	b.Share = share
	b.mu.Unlock()
}

// Frame is the union as last published, for a joining subscriber (nil
// before any).
func (b *Board) Frame() []byte {
	if f := b.last.Load(); f != nil {
		return *f
	}
	return nil
}

// Refused counts the peers' findings refused.
func (b *Board) Refused() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bad
}

// publishLocked sends the union when it changed.
func (b *Board) publishLocked() {
	ids := make([]string, 0, len(b.peers)+1)
	ids = append(ids, b.hubID)
	for id := range b.peers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	w := feed.TeamFindings{Type: feed.TypeTeamFindings, Findings: []feed.TeamFinding{}}
	for _, id := range ids {
		if id == b.hubID {
			w.Findings = append(w.Findings, b.own...)
		} else {
			w.Findings = append(w.Findings, b.peers[id]...)
		}
	}
	frame, err := feed.EncodeTeam(w)
	if err == nil && len(frame) > maxBoardFrame {
		frame, err = worstThatFit(w)
	}
	if err != nil || bytes.Equal(frame, b.frame) {
		return
	}
	b.frame = frame
	b.last.Store(&frame)
	if b.Publish != nil {
		b.Publish(frame)
	}
}

// maxBoardFrame keeps the union's frame under what a client reads
// (feed.MaxFrameBytes): at 20,000 calls a fleet's open findings exceeded
// it, and every subscriber, the hub's own engine among them, was dropped
// and reconnected about once a second.
const maxBoardFrame = feed.MaxFrameBytes - 16<<10

// worstThatFit is the team.findings frame of as many of w's findings as
// fit in maxBoardFrame, the most severe first (the list is then in that
// order, not by hub).
func worstThatFit(w feed.TeamFindings) ([]byte, error) {
	all := slices.Clone(w.Findings)
	rank := map[string]int{"critical": 0, "warning": 1}
	slices.SortStableFunc(all, func(a, b feed.TeamFinding) int {
		ra, oka := rank[a.Severity]
		rb, okb := rank[b.Severity]
		if !oka {
			ra = 2
		}
		if !okb {
			rb = 2
		}
		return ra - rb
	})
	lo, hi := 0, len(all) // the largest n whose frame fits, by halving
	var best []byte
	for lo <= hi {
		n := (lo + hi) / 2
		w.Findings = all[:n]
		frame, err := feed.EncodeTeam(w)
		if err != nil {
			return nil, err
		}
		if len(frame) <= maxBoardFrame {
			best, lo = frame, n+1
		} else {
			hi = n - 1
		}
	}
	return best, nil
}
