package feed

import (
	"maps"
	"slices"
	"strings"
)

// Tracker keeps the ongoing calls and their participants from the messages
// applied to it, so that a hub can send a late joiner one snapshot of
// everything going on. It reads only call.*, participant.* and snapshot
// messages. A Tracker is not safe for concurrent use.
type Tracker struct {
	calls map[string]*trackedCall
	parts SnapshotAssembler // a split snapshot being assembled
	ts    float64
}

type trackedCall struct {
	call         Call // Participants left empty; see participants
	participants map[string]Participant
	order        []string // participant ids in join order
}

// NewTracker returns an empty Tracker.
func NewTracker() *Tracker {
	return &Tracker{calls: map[string]*trackedCall{}}
}

// Len returns the number of ongoing calls.
func (t *Tracker) Len() int { return len(t.calls) }

// TS returns the latest message time seen (ms since the epoch), or 0.
func (t *Tracker) TS() float64 { return t.ts }

// Reset forgets every call, as when a source starts over.
func (t *Tracker) Reset() {
	t.calls = map[string]*trackedCall{}
	t.parts = SnapshotAssembler{}
}

// Apply updates the state with one message. Updates merge: fields left
// empty keep their value and tags merge key by key. A participant or
// update for a call the tracker has not seen creates the call. A snapshot
// (all its parts) replaces the whole state.
func (t *Tracker) Apply(m *Message) {
	if m.TS > t.ts {
		t.ts = m.TS
	}
	switch m.Type {
	case TypeSnapshot:
		t.applySnapshot(m)
	case TypeCallStart, TypeCallUpdate:
		if m.Call == nil || m.Call.ID == "" {
			return
		}
		tc := t.call(m.Call.ID)
		mergeCall(&tc.call, m.Call)
		for i := range m.Call.Participants {
			tc.join(&m.Call.Participants[i])
		}
	case TypeCallEnd:
		delete(t.calls, m.CallID)
	case TypeParticipantJoin, TypeParticipantUpdate:
		if m.CallID == "" || m.Participant == nil || m.Participant.ID == "" {
			return
		}
		t.call(m.CallID).join(m.Participant)
	case TypeParticipantLeave:
		if tc := t.calls[m.CallID]; tc != nil {
			tc.leave(m.ParticipantID)
		}
	}
}

func (t *Tracker) applySnapshot(m *Message) {
	full, _ := t.parts.Add(m)
	if full == nil {
		return
	}
	calls := make(map[string]*trackedCall, len(full.Calls))
	for i := range full.Calls {
		c := &full.Calls[i]
		tc := &trackedCall{participants: map[string]Participant{}}
		mergeCall(&tc.call, c)
		for j := range c.Participants {
			tc.join(&c.Participants[j])
		}
		calls[c.ID] = tc
	}
	t.calls = calls
}

func (t *Tracker) call(id string) *trackedCall {
	tc := t.calls[id]
	if tc == nil {
		tc = &trackedCall{call: Call{ID: id}, participants: map[string]Participant{}}
		t.calls[id] = tc
	}
	return tc
}

// mergeCall merges src into dst; Source does not merge but is replaced
// (a call.update without it says the source is live).
func mergeCall(dst, src *Call) {
	dst.ID = src.ID
	dst.Source = src.Source
	if src.Room != "" {
		dst.Room = src.Room
	}
	if src.Start != 0 {
		dst.Start = src.Start
	}
	if len(src.Tags) > 0 {
		if dst.Tags == nil {
			dst.Tags = make(map[string]string, len(src.Tags))
		}
		maps.Copy(dst.Tags, src.Tags)
	}
}

func (tc *trackedCall) join(p *Participant) {
	old, ok := tc.participants[p.ID]
	if !ok {
		tc.order = append(tc.order, p.ID)
	}
	mergeParticipant(&old, p)
	tc.participants[p.ID] = old
}

func (tc *trackedCall) leave(id string) {
	if _, ok := tc.participants[id]; !ok {
		return
	}
	delete(tc.participants, id)
	tc.order = slices.DeleteFunc(tc.order, func(s string) bool { return s == id })
}

func mergeParticipant(dst, src *Participant) {
	dst.ID = src.ID
	set := func(d *string, s string) {
		if s != "" {
			*d = s
		}
	}
	set(&dst.Name, src.Name)
	set(&dst.UserID, src.UserID)
	set(&dst.UserAgent, src.UserAgent)
	set(&dst.NetworkType, src.NetworkType)
	set(&dst.Region, src.Region)
	if src.Joined != 0 {
		dst.Joined = src.Joined
	}
}

// Calls returns copies of the ongoing calls, each with its participants
// in join order, sorted by start time and then id.
func (t *Tracker) Calls() []Call {
	out := make([]Call, 0, len(t.calls))
	for _, tc := range t.calls {
		c := tc.call
		c.Tags = maps.Clone(c.Tags)
		c.Participants = make([]Participant, 0, len(tc.order))
		for _, id := range tc.order {
			c.Participants = append(c.Participants, tc.participants[id])
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Call) int {
		if a.Start != b.Start {
			if a.Start < b.Start {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
