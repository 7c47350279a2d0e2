package bus

import (
	"bytes"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/calltop/calltop/feed"
)

// peer is another hub as heard on the bus: its ongoing calls (to mark
// them lost when it goes) and when it last said anything.
type peer struct {
	calls    *feed.Tracker
	instance string                 // the run of the hub its heartbeats name
	parts    feed.SnapshotAssembler // a state answer split over frames
	seen     time.Time
	// lost is when the hub said goodbye or went quiet (zero while it is
	// heard); its calls stay, marked lost, until it speaks again or
	// Config.LostFor passes.
	lost time.Time
	// lostCalls are its calls marked lost in the local hub, and since
	// when, not yet taken back by a frame of the call or the hub's state
	// answer. Those not taken back within LostFor end, even once the hub
	// is back: its sources may not have produced them yet when it answers.
	lostCalls map[string]time.Time
}

// receive handles every bus message, one at a time in arrival order.
func (n *Node) receive(msg *nats.Msg) {
	kind, from := hubOf(msg.Subject)
	if from == n.cfg.HubID && kind != "sync" && kind != "state" {
		return // NoEcho covers this connection; another process with our id is ignored
	}
	switch kind {
	case "sync":
		n.answerSync(from, string(msg.Data))
	case "state":
		if from == n.cfg.HubID {
			n.takeState(strings.TrimPrefix(msg.Subject, Prefix+"state."+from+"."), msg.Data)
		}
	case "hb":
		n.tookHeartbeat(from, string(msg.Data))
	case "bye":
		n.peerMu.Lock()
		if p := n.peers[from]; p != nil && p.lost.IsZero() {
			n.losePeerLocked(from, p, "said goodbye")
		}
		n.peerMu.Unlock()
	case "calls", "stats":
		n.takeCall(from, msg.Data)
	case "rows":
		n.takeRows(from, msg.Data)
	case "view":
		n.takeView(from, msg.Data)
	}
}

// heard notes that hubID spoke and returns its peer; a hub not heard from
// before (new here, or back after being lost) is asked for its calls: its
// answer takes back the lost calls it has (the others end after LostFor).
func (n *Node) heard(hubID string, ask bool) *peer {
	if CheckHubID(hubID) != nil {
		n.badFrames.Add(1)
		return nil
	}
	n.peerMu.Lock()
	defer n.peerMu.Unlock()
	return n.heardLocked(hubID, ask)
}

func (n *Node) heardLocked(hubID string, ask bool) *peer {
	p := n.peers[hubID]
	if p == nil {
		p = &peer{calls: feed.NewTracker()}
		n.peers[hubID] = p
		if ask {
			n.askSync(hubID)
		}
	} else if !p.lost.IsZero() {
		p.lost = time.Time{}
		n.cfg.Logf("bus: hub %s is back; asking it for its calls (%d lost here)", hubID, len(p.lostCalls))
		n.askSync(hubID) // even when it is answering: that answer may predate its loss
		n.peerLost(hubID, false)
	}
	p.seen = time.Now()
	return p
}

// tookHeartbeat notes a peer's heartbeat; one naming another run than before
// (the hub was restarted without saying goodbye) marks the earlier run's
// calls lost and asks the new run for its calls: those it has (a replay, a
// simulator with the same seed) are taken back, the others end after
// LostFor.
func (n *Node) tookHeartbeat(from, instance string) {
	p := n.heard(from, true)
	if p == nil {
		return
	}
	n.peerMu.Lock()
	defer n.peerMu.Unlock()
	if p.instance != "" && instance != p.instance && n.peers[from] == p {
		n.cfg.Logf("bus: hub %s restarted; its earlier run's %d calls are marked source lost until the new run has them", from, p.calls.Len())
		n.markLostLocked(p, time.Now())
		n.askSync(from)
	}
	p.instance = instance
}

// takeCall publishes a peer's call frame into the local hub. Its call id
// must carry the peer's prefix, so no hub can change another's calls.
func (n *Node) takeCall(from string, frame []byte) {
	if n.heard(from, true) == nil {
		return
	}
	var m *feed.Message
	if !bytes.HasPrefix(frame, []byte(`{"type":"stats"`)) {
		m = new(feed.Message)
		if feed.Decode(frame, m) != nil {
			n.badFrames.Add(1)
			return
		}
	}
	if !n.ownedBy(from, frame, m) {
		n.badFrames.Add(1)
		return
	}
	n.peerMu.Lock()
	defer n.peerMu.Unlock()
	p := n.peers[from]
	if p == nil {
		return // ended meanwhile
	}
	if m != nil && m.Type == feed.TypeSnapshot {
		n.badFrames.Add(1) // hubs send their own snapshots as diffs
		return
	}
	if len(p.lostCalls) > 0 {
		n.takeBackLocked(p, frame, m)
	}
	if m != nil {
		p.calls.Apply(m)
	}
	n.intoLocal(frame)
}

// takeBackLocked clears the lost mark of the call frame (m when decoded)
// belongs to before the frame goes into the local hub: its source is
// speaking again. A stats frame's call id is read from its bytes, not
// decoded (unless it holds an escape): a hub restarted without some of its
// calls sends stats of the others while those wait out LostFor.
func (n *Node) takeBackLocked(p *peer, frame []byte, m *feed.Message) {
	var id string
	var ts float64
	switch {
	case m != nil:
		id, ts = m.CallID, m.TS
		if m.Call != nil {
			id = m.Call.ID
		}
	default:
		var ok bool
		if id, ok = statsCallID(frame); !ok {
			m = new(feed.Message)
			if feed.Decode(frame, m) != nil {
				return
			}
			id, ts = m.CallID, m.TS
		}
	}
	if _, lost := p.lostCalls[id]; !lost {
		return
	}
	delete(p.lostCalls, id)
	if m == nil || (m.Type != feed.TypeCallEnd && m.Type != feed.TypeCallStart && m.Type != feed.TypeCallUpdate) { // those set the source themselves
		if m == nil {
			ts = p.calls.TS()
		}
		n.publishLocal(&feed.Message{Type: feed.TypeCallUpdate, TS: ts, Call: &feed.Call{ID: id}})
	}
}

// statsCallID reads the callId of a stats frame from its bytes; false when
// it is absent, not alone (a stats object may carry unknown keys) or holds
// an escape: decode the frame then.
func statsCallID(frame []byte) (string, bool) {
	key := []byte(`"callId":"`)
	i := bytes.Index(frame, key)
	if i < 0 || bytes.Count(frame, key) != 1 || bytes.Count(bytes.ToLower(frame), []byte(`"callid"`)) != 1 {
		return "", false // the decoder matches keys as encoding/json does, case aside
	}
	rest := frame[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return "", false
	}
	return string(rest[:j]), true
}

// ownedBy says whether the call in frame (m when decoded) is named by hub
// from. A stats frame is not decoded: its callId must start with the prefix.
func (n *Node) ownedBy(from string, frame []byte, m *feed.Message) bool {
	prefix := from + "/"
	if m == nil {
		return bytes.Contains(frame, []byte(`"callId":"`+prefix))
	}
	id := m.CallID
	if m.Call != nil {
		id = m.Call.ID
	}
	return m.Type == feed.TypeSnapshot || strings.HasPrefix(id, prefix)
}

// intoLocal publishes a frame from the bus into the local hub.
func (n *Node) intoLocal(frame []byte) {
	if err := n.local.PublishFrame(frame); err != nil {
		n.badFrames.Add(1)
		return
	}
	n.received.Add(1)
	n.receivedBytes.Add(int64(len(frame)))
}

// askSync asks hub target (every hub when empty) for its ongoing calls.
func (n *Node) askSync(target string) {
	n.send(Prefix+"sync."+n.cfg.HubID, []byte(target))
}

// answerSync sends asker a snapshot of this hub's own calls when it asked
// this hub or everyone. An asker not heard from before is asked for its own
// calls too: in a cluster its first ask to everyone can reach a node before
// this hub's interest has and be dropped, and then this ask is the first
// this hub hears of it.
func (n *Node) answerSync(asker, target string) {
	if asker == n.cfg.HubID || (target != "" && target != n.cfg.HubID) || CheckHubID(asker) != nil {
		return
	}
	n.peerMu.Lock()
	n.heardLocked(asker, true)
	n.peerMu.Unlock()
	n.ownMu.Lock()
	defer n.ownMu.Unlock()
	partBytes := min(feed.SnapshotPartBytes, int(n.nc.MaxPayload())/2)
	frames, err := feed.EncodeSnapshot(n.own.Calls(), n.own.TS(), partBytes)
	if err != nil {
		n.cfg.Logf("bus: encoding this hub's calls for %s: %v", asker, err)
		return
	}
	for _, f := range frames {
		n.send(Prefix+"state."+asker+"."+n.cfg.HubID, f)
	}
	n.resendRows()
	n.resendView()
}

// takeState applies a peer's answer to a sync: the peer's calls this hub
// lacks start here, those it no longer has end.
func (n *Node) takeState(from string, frame []byte) {
	p := n.heard(from, false) // it is answering: no need to ask it
	if p == nil {
		return
	}
	var m feed.Message
	if feed.Decode(frame, &m) != nil || m.Type != feed.TypeSnapshot {
		n.badFrames.Add(1)
		return
	}
	for _, c := range m.Calls {
		if !strings.HasPrefix(c.ID, from+"/") {
			n.badFrames.Add(1)
			return
		}
	}
	n.peerMu.Lock()
	defer n.peerMu.Unlock()
	if n.peers[from] != p {
		return
	}
	full, err := p.parts.Add(&m)
	if err != nil || full == nil {
		return
	}
	for _, d := range snapshotDiff(p.calls, full, ReasonSourceLost, p.lostCalls) {
		n.publishLocal(&d)
	}
	// The lost calls it has are taken back; those it lacks stay lost
	// until a frame of theirs or LostFor.
	back := 0
	for _, c := range full.Calls {
		if _, lost := p.lostCalls[c.ID]; lost {
			delete(p.lostCalls, c.ID)
			n.publishLocal(&feed.Message{Type: feed.TypeCallUpdate, TS: full.TS, Call: &feed.Call{ID: c.ID}})
			back++
		}
	}
	if back > 0 || len(p.lostCalls) > 0 {
		n.cfg.Logf("bus: hub %s took back %d of its lost calls; %d still lost", from, back, len(p.lostCalls))
	}
}

// endQuiet marks lost the calls of every peer silent for longer than
// Quiet, ends those of peers lost for longer than LostFor, and the calls
// lost for longer than LostFor of peers that came back without them.
func (n *Node) endQuiet(now time.Time) {
	n.peerMu.Lock()
	defer n.peerMu.Unlock()
	for id, p := range n.peers {
		switch {
		case p.lost.IsZero() && now.Sub(p.seen) > n.cfg.Quiet:
			n.losePeerLocked(id, p, "went quiet for "+now.Sub(p.seen).Round(time.Millisecond).String())
		case !p.lost.IsZero() && now.Sub(p.lost) > n.cfg.LostFor:
			n.endPeerLocked(id, p)
		case p.lost.IsZero() && len(p.lostCalls) > 0:
			n.endLostCallsLocked(id, p, now)
		}
	}
}

// losePeerLocked marks a peer lost and its calls lost in the local hub
// (a call.update with source "lost"): they stay, with their state, until
// it speaks again or LostFor passes.
func (n *Node) losePeerLocked(id string, p *peer, why string) {
	p.lost = time.Now()
	n.lost.Add(1)
	n.cfg.Logf("bus: hub %s %s: its %d calls are marked source lost; they end in %s unless it comes back", id, why, p.calls.Len(), n.cfg.LostFor)
	n.markLostLocked(p, p.lost)
	n.peerLost(id, true)
}

// markLostLocked marks p's calls lost since now, those not lost already.
func (n *Node) markLostLocked(p *peer, now time.Time) {
	if p.lostCalls == nil {
		p.lostCalls = map[string]time.Time{}
	}
	for _, cid := range callIDs(p.calls) {
		if _, lost := p.lostCalls[cid]; !lost {
			p.lostCalls[cid] = now
			n.publishLocal(&feed.Message{Type: feed.TypeCallUpdate, TS: p.calls.TS(), Call: &feed.Call{ID: cid, Source: feed.SourceLost}})
		}
	}
}

// endLostCallsLocked ends the calls a peer back on the bus has not taken
// back within LostFor.
func (n *Node) endLostCallsLocked(id string, p *peer, now time.Time) {
	var ended []string
	for cid, since := range p.lostCalls {
		if now.Sub(since) > n.cfg.LostFor {
			ended = append(ended, cid)
		}
	}
	if len(ended) == 0 {
		return
	}
	slices.Sort(ended)
	n.cfg.Logf("bus: hub %s did not take back %d of its calls within %s: ending them (%s)", id, len(ended), n.cfg.LostFor, ReasonSourceLost)
	for _, cid := range ended {
		delete(p.lostCalls, cid)
		end := feed.Message{Type: feed.TypeCallEnd, TS: p.calls.TS(), CallID: cid, Reason: ReasonSourceLost}
		p.calls.Apply(&end)
		n.publishLocal(&end)
	}
}

// endPeerLocked ends a lost peer's calls in the local hub as source lost
// and forgets it; if it speaks again it is asked for its calls anew.
func (n *Node) endPeerLocked(id string, p *peer) {
	delete(n.peers, id)
	ids := callIDs(p.calls)
	n.cfg.Logf("bus: hub %s lost for %s: ending its %d calls (%s)", id, n.cfg.LostFor, len(ids), ReasonSourceLost)
	for _, cid := range ids {
		n.publishLocal(&feed.Message{Type: feed.TypeCallEnd, TS: p.calls.TS(), CallID: cid, Reason: ReasonSourceLost})
	}
	if n.cfg.Rows != nil {
		n.cfg.Rows(id, nil)
	}
	if n.cfg.View != nil {
		n.cfg.View(id, nil)
	}
}

// callIDs returns t's call ids, sorted.
func callIDs(t *feed.Tracker) []string {
	calls := t.Calls()
	ids := make([]string, 0, len(calls))
	for _, c := range calls {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	return ids
}

// publishLocal publishes a message this node made into the local hub.
func (n *Node) publishLocal(m *feed.Message) {
	if err := n.local.Publish(m); err != nil {
		n.cfg.Logf("bus: publishing %s of %s into the hub: %v", m.Type, m.CallID, err)
	}
}
