package viewserve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/view"
	"github.com/calltop/calltop/feed"
)

// Team hubs on a bus each diagnose only their own calls (cmd/calltop/
// partition), so each index is fed its own calls by its engine (Sync) and
// the other hubs' by them: every hub shares the rows of its own calls
// (Share: the rows that changed and the calls gone, at most once a
// ShareInterval; FullView: every row, for a hub that asks), and takes the
// others' in (Peer), marked lost while their hub is (PeerLost). So a view
// client of any hub sees every hub's calls.

// TypePeerRows is the type of a hub's view rows frame on the bus
// (calltop.v1.view.<hub>, docs/feed-protocol.md "View rows on the bus").
const TypePeerRows = "view.rows"

// ShareInterval is how often a hub shares its changed rows.
const ShareInterval = time.Second

// maxPeerRows bounds the rows of one frame taken from the bus.
const maxPeerRows = 10000

// shareFrameBytes is about the most row bytes put in one frame (NATS's
// default max payload is 1 MiB), shareFrameRows the most rows (well under
// maxPeerRows).
const (
	shareFrameBytes = 256 << 10
	shareFrameRows  = 2000
)

// PeerRows is one frame of a hub's view rows: rows of its calls that are
// new or changed, keys of its calls gone, or a part of its full set.
type PeerRows struct {
	Type string `json:"type"`
	// Full numbers a full set, sent in answer to an ask: its frames list
	// every row of the hub, and at the one marked Last the hub's rows not
	// in the set go. 0: the frame is a change.
	Full uint64         `json:"full,omitempty"`
	Last bool           `json:"last,omitempty"`
	Rows []feed.ViewRow `json:"rows,omitempty"`
	Gone []string       `json:"gone,omitempty"`
}

// DecodePeerRows parses hub hubID's view rows frame and checks it: every
// row and removal must be of one of hubID's own calls (key "<hubID>/...").
func DecodePeerRows(hubID string, frame []byte) (PeerRows, error) {
	var r PeerRows
	if len(bytes.TrimSpace(frame)) == 0 || bytes.TrimSpace(frame)[0] != '{' {
		return r, fmt.Errorf("view rows of hub %q: frame is not a JSON object", hubID)
	}
	if err := json.Unmarshal(frame, &r); err != nil {
		return PeerRows{}, fmt.Errorf("view rows of hub %q: %w", hubID, err)
	}
	if r.Type != TypePeerRows {
		return PeerRows{}, fmt.Errorf("view rows of hub %q: want type %q, got %q", hubID, TypePeerRows, clip(r.Type))
	}
	if len(r.Rows)+len(r.Gone) > maxPeerRows {
		return PeerRows{}, fmt.Errorf("view rows of hub %q: %d rows and removals in one frame, at most %d", hubID, len(r.Rows)+len(r.Gone), maxPeerRows)
	}
	prefix := hubID + "/"
	check := func(field string, i int, key string) error {
		switch {
		case !strings.HasPrefix(key, prefix) || len(key) == len(prefix):
			return fmt.Errorf("view rows of hub %q: %s[%d] key %q is not one of its calls (%s...)", hubID, field, i, clip(key), prefix)
		case len(key) > feed.MaxViewKey || !utf8.ValidString(key):
			return fmt.Errorf("view rows of hub %q: %s[%d] key is not valid UTF-8 of at most %d bytes", hubID, field, i, feed.MaxViewKey)
		}
		return nil
	}
	for i, row := range r.Rows {
		if err := check("rows", i, row.Key); err != nil {
			return PeerRows{}, err
		}
	}
	for i, k := range r.Gone {
		if err := check("gone", i, k); err != nil {
			return PeerRows{}, err
		}
	}
	return r, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// peerState is what the index holds of another hub.
type peerState struct {
	keys map[string]struct{} // its rows in the index
	lost bool
	full uint64              // the full set being taken in
	seen map[string]struct{} // its keys so far
}

// sharedRow is a row as last shared.
type sharedRow struct {
	c   *diagnose.CallSummary
	b   []byte // its encoding
	gen uint64 // the last Share that saw it
}

// Peer takes hub hubID's view rows frame from the bus (nil: the hub is
// gone and its calls ended): its rows are put into the index beside this
// hub's, its calls gone removed. A bad frame is logged and dropped.
func (s *Server) Peer(hubID string, frame []byte) {
	s.peerMu.Lock()
	defer s.peerMu.Unlock()
	p := s.peers[hubID]
	if frame == nil {
		if p != nil {
			for k := range p.keys {
				s.index.Remove(k)
			}
			delete(s.peers, hubID)
		}
		return
	}
	r, err := DecodePeerRows(hubID, frame)
	if err != nil {
		s.badPeer.Add(1)
		s.cfg.Logf("viewserve: %v", err)
		return
	}
	if p == nil {
		p = &peerState{keys: map[string]struct{}{}}
		s.peers[hubID] = p
	}
	for _, row := range r.Rows {
		s.index.Put(view.FromWire(row), time.Time{})
		p.keys[row.Key] = struct{}{}
		if p.lost {
			s.index.SetSource(row.Key, feed.SourceLost)
		}
	}
	for _, k := range r.Gone {
		s.index.Remove(k)
		delete(p.keys, k)
	}
	if r.Full == 0 {
		return
	}
	if p.full != r.Full || p.seen == nil {
		p.full, p.seen = r.Full, map[string]struct{}{}
	}
	for _, row := range r.Rows {
		p.seen[row.Key] = struct{}{}
	}
	if r.Last {
		for k := range p.keys {
			if _, ok := p.seen[k]; !ok {
				s.index.Remove(k)
				delete(p.keys, k)
			}
		}
		p.seen = nil
	}
}

// PeerLost marks hub hubID's rows source lost, or clears the mark when it
// is heard again.
func (s *Server) PeerLost(hubID string, lost bool) {
	s.peerMu.Lock()
	defer s.peerMu.Unlock()
	p := s.peers[hubID]
	if p == nil || p.lost == lost {
		return
	}
	p.lost = lost
	src := ""
	if lost {
		src = feed.SourceLost
	}
	for k := range p.keys {
		s.index.SetSource(k, src)
	}
}

// Share sends this hub's changed rows and calls gone through send every
// interval until ctx ends.
func (s *Server) Share(ctx context.Context, send func([]byte), interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.shareOnce(send)
		}
	}
}

// shareOnce sends what changed since the last time.
func (s *Server) shareOnce(send func([]byte)) {
	s.shareMu.Lock()
	defer s.shareMu.Unlock()
	calls := s.ownCalls.Load()
	if calls == nil {
		return
	}
	s.shareGen++
	gen := s.shareGen
	var changed [][]byte
	for _, c := range *calls {
		prev, ok := s.shared[c.Key]
		if ok && prev.c == c {
			prev.gen = gen
			continue
		}
		b, err := json.Marshal(view.WireRow(c, ""))
		if err != nil {
			continue
		}
		if !ok || !bytes.Equal(prev.b, b) {
			changed = append(changed, b)
		}
		s.shared[c.Key] = &sharedRow{c: c, b: b, gen: gen}
	}
	var gone []string
	for k, r := range s.shared {
		if r.gen != gen {
			gone = append(gone, k)
			delete(s.shared, k)
		}
	}
	full := uint64(0)
	if gen == 1 {
		// This run's first rows go as a full set: they replace what an
		// earlier run of this hub left in the other hubs' indexes.
		s.fullSeq++
		full = s.fullSeq
	}
	for _, f := range rowsFrames(changed, gone, full) {
		s.sharedBytes.Add(int64(len(f)))
		send(f)
	}
}

// FullView sends every row this hub shared, as a full set, through send
// (the bus answering a hub that asks); under the share lock, so no change
// overtakes it.
func (s *Server) FullView(send func([]byte)) {
	s.shareMu.Lock()
	defer s.shareMu.Unlock()
	if s.shareGen == 0 {
		return // nothing shared yet: the first share is a full set
	}
	rows := make([][]byte, 0, len(s.shared))
	for _, r := range s.shared {
		rows = append(rows, r.b)
	}
	s.fullSeq++
	for _, f := range rowsFrames(rows, nil, s.fullSeq) {
		s.sharedBytes.Add(int64(len(f)))
		send(f)
	}
}

// rowsFrames puts encoded rows and keys gone into view.rows frames of
// about shareFrameBytes (and at most shareFrameRows) of rows each; a full set (full > 0) is at least
// one frame, its last marked.
func rowsFrames(rows [][]byte, gone []string, full uint64) [][]byte {
	var frames [][]byte
	var b bytes.Buffer
	start := func() {
		b.Reset()
		b.WriteString(`{"type":"` + TypePeerRows + `"`)
		if full > 0 {
			fmt.Fprintf(&b, `,"full":%d`, full)
		}
		b.WriteString(`,"rows":[`)
	}
	end := func(last bool, gone []string) {
		b.WriteByte(']')
		if len(gone) > 0 {
			g, _ := json.Marshal(gone)
			b.WriteString(`,"gone":`)
			b.Write(g)
		}
		if last && full > 0 {
			b.WriteString(`,"last":true`)
		}
		b.WriteByte('}')
		frames = append(frames, bytes.Clone(b.Bytes()))
	}
	if len(rows) == 0 && len(gone) == 0 && full == 0 {
		return nil
	}
	start()
	n := 0
	for _, r := range rows {
		if n > 0 && (b.Len()+len(r) > shareFrameBytes || n >= shareFrameRows) {
			end(false, nil)
			start()
			n = 0
		}
		if n > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
		n++
	}
	end(true, gone)
	return frames
}
