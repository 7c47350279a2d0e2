package bus

import (
	"fmt"
	"slices"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/hub"
)

// Publisher is what the local sources publish through: each message's call
// gets the hub id as prefix ("<hubID>/<callID>"), is encoded once, and the
// frame goes into the local hub and on the bus. A snapshot (a replay's) is
// turned into the call.end and call.start messages that change this hub's
// own calls to it, so it never replaces the other hubs' calls.
func (n *Node) Publisher() hub.Publisher { return ownPublisher{n} }

type ownPublisher struct{ n *Node }

func (o ownPublisher) Publish(m *feed.Message) error { return o.n.publishOwn(m) }

// PublishFrame decodes frame to name its call; a frame that is not a
// calltop.v1 message is refused with the decoder's error.
func (o ownPublisher) PublishFrame(frame []byte) error {
	var m feed.Message
	if err := feed.Decode(frame, &m); err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	return o.n.publishOwn(&m)
}

// EndAll ends this hub's own calls (a replay starting over), not the other
// hubs'.
func (o ownPublisher) EndAll(reason string) error {
	n := o.n
	n.ownMu.Lock()
	defer n.ownMu.Unlock()
	ts := n.own.TS()
	for _, c := range n.own.Calls() {
		if err := n.sendOwnLocked(&feed.Message{Type: feed.TypeCallEnd, TS: ts, CallID: c.ID, Reason: reason}); err != nil {
			return err
		}
	}
	return nil
}

func (n *Node) publishOwn(m *feed.Message) error {
	pm := prefixed(n.cfg.HubID, m)
	n.ownMu.Lock()
	defer n.ownMu.Unlock()
	if pm.Type != feed.TypeSnapshot {
		return n.sendOwnLocked(pm)
	}
	full, err := n.ownParts.Add(pm)
	if err != nil || full == nil {
		return err
	}
	for _, d := range snapshotDiff(n.own, full, "", nil) {
		if err := n.sendOwnLocked(&d); err != nil {
			return err
		}
	}
	return nil
}

// sendOwnLocked applies m to the own calls, publishes it into the local hub
// and on the bus under its call's subject.
func (n *Node) sendOwnLocked(m *feed.Message) error {
	b, err := feed.AppendMessage(make([]byte, 0, 2048), m)
	if err != nil {
		return fmt.Errorf("encoding %s message: %w", m.Type, err)
	}
	n.own.Apply(m)
	if err := n.local.PublishFrame(b); err != nil {
		return err
	}
	id := m.CallID
	if m.Call != nil {
		id = m.Call.ID
	}
	switch {
	case id == "": // a frame of no call (a team frame, say) stays on this hub
	case m.Type == feed.TypeStats:
		n.send(statsSubject(n.cfg.HubID, id), b)
	default:
		n.send(callsSubject(n.cfg.HubID, id), b)
	}
	return nil
}

// prefixed returns m with its call ids named by hubID; m is not changed.
func prefixed(hubID string, m *feed.Message) *feed.Message {
	c := *m
	if c.CallID != "" {
		c.CallID = CallID(hubID, c.CallID)
	}
	if c.Call != nil {
		call := *c.Call
		call.ID = CallID(hubID, call.ID)
		c.Call = &call
	}
	if len(c.Calls) > 0 {
		c.Calls = slices.Clone(c.Calls)
		for i := range c.Calls {
			c.Calls[i].ID = CallID(hubID, c.Calls[i].ID)
		}
	}
	return &c
}

// snapshotDiff returns the messages that take t's calls to full's (a whole
// snapshot): call.end (with reason) for each call full lacks but those in
// keep, call.start and participant.join for each call t lacks. It applies
// them to t. Calls in both keep their state (their changes came live).
func snapshotDiff(t *feed.Tracker, full *feed.Message, reason string, keep map[string]time.Time) []feed.Message {
	var out []feed.Message
	in := make(map[string]bool, len(full.Calls))
	for i := range full.Calls {
		in[full.Calls[i].ID] = true
	}
	known := map[string]bool{}
	for _, c := range t.Calls() {
		known[c.ID] = true
		if _, kept := keep[c.ID]; !in[c.ID] && !kept {
			out = append(out, feed.Message{Type: feed.TypeCallEnd, TS: full.TS, CallID: c.ID, Reason: reason})
		}
	}
	for i := range full.Calls {
		c := full.Calls[i]
		if known[c.ID] {
			continue
		}
		parts := c.Participants
		c.Participants = nil
		out = append(out, feed.Message{Type: feed.TypeCallStart, TS: full.TS, Call: &c})
		for j := range parts {
			out = append(out, feed.Message{Type: feed.TypeParticipantJoin, TS: full.TS, CallID: c.ID, Participant: &parts[j]})
		}
	}
	for i := range out {
		t.Apply(&out[i])
	}
	return out
}
