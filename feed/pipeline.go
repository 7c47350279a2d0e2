package feed

import (
	"errors"
	"time"
)

// Pipeline is the one place where received frames become whole messages:
// it decodes each frame, sets aside unknown message types, joins the parts
// of a split snapshot and names what is wrong with a bad frame. The live
// client, the replayer, `calltop report` and the hub's Tracker all read
// calltop.v1 through it. A Pipeline is not safe for concurrent use; the
// zero value is ready (unknown types skipped).
type Pipeline struct {
	// KeepUnknown delivers messages of unknown types as EventUnknown
	// instead of skipping them.
	KeepUnknown bool

	parts      SnapshotAssembler
	partFrames [][]byte
}

// Frame takes one text frame received at recv and returns the event it
// completes, and whether that event is to be delivered:
//   - a message: EventMessage, true (a snapshot part: false until the
//     last part, which delivers the whole snapshot with every part's frame);
//   - an unknown type: EventUnknown, KeepUnknown;
//   - a frame that cannot be decoded or joined: EventBadFrame with Reason,
//     true.
//
// With reuse the frame must come from TakeFrame, the message's stats slice
// is taken from a pool, and the consumer hands both back with
// Event.Release; without it nothing is pooled and the frame is kept as is.
func (p *Pipeline) Frame(frame []byte, recv time.Time, reuse bool) (Event, bool) {
	m := new(Message)
	if err := decode(frame, m, reuse); err != nil {
		if errors.Is(err, ErrUnknownType) {
			return Event{Kind: EventUnknown, Msg: m, Frames: [][]byte{frame}, Recv: recv}, p.KeepUnknown
		}
		return p.bad(frame, recv, err.Error()), true
	}
	if m.Type != TypeSnapshot {
		return Event{Kind: EventMessage, Msg: m, Frames: [][]byte{frame}, Recv: recv, reusable: reuse}, true
	}
	if m.Part <= 1 {
		p.partFrames = nil
	}
	p.partFrames = append(p.partFrames, frame)
	full, err := p.parts.Add(m)
	if err != nil {
		p.partFrames = nil
		return p.bad(frame, recv, err.Error()), true
	}
	if full == nil {
		return Event{}, false
	}
	ev := Event{Kind: EventMessage, Msg: full, Frames: p.partFrames, Recv: recv}
	p.partFrames = nil
	return ev, true
}

// Reset forgets a snapshot half assembled (a new connection starts clean).
func (p *Pipeline) Reset() {
	p.parts = SnapshotAssembler{}
	p.partFrames = nil
}

// bad is the event for a frame refused for reason, its bytes cut to 1 KiB.
func (p *Pipeline) bad(frame []byte, recv time.Time, reason string) Event {
	if len(frame) > 1024 {
		frame = frame[:1024]
	}
	return Event{Kind: EventBadFrame, Frames: [][]byte{frame}, Recv: recv, Reason: reason}
}

// BadFrame is the event for a frame refused before decoding (a binary
// frame, an oversize one), cut to 1 KiB as Pipeline's own refusals are.
func BadFrame(frame []byte, recv time.Time, reason string) Event {
	return (*Pipeline)(nil).bad(frame, recv, reason)
}
