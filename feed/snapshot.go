package feed

import (
	"encoding/json"
	"strconv"
)

// SnapshotPartBytes is the size a hub aims for when it splits a snapshot
// into parts, well below MaxFrameBytes.
const SnapshotPartBytes = 256 << 10

// EncodeSnapshot encodes calls as a snapshot at feed time ts (ms since the
// epoch, 0 to leave it out). A snapshot that does not fit in about
// partBytes is split into frames numbered with part and parts; no call is
// ever split. An empty call set gives one frame with no calls.
func EncodeSnapshot(calls []Call, ts float64, partBytes int) ([][]byte, error) {
	encoded, err := EncodeCalls(calls)
	if err != nil {
		return nil, err
	}
	return SnapshotFrames(encoded, ts, partBytes), nil
}

// EncodeCalls encodes each call (with its participants) as the JSON
// object a snapshot lists, for SnapshotFrames. A hub keeps the result
// while its calls do not change.
func EncodeCalls(calls []Call) ([][]byte, error) {
	encoded := make([][]byte, len(calls))
	for i := range calls {
		b, err := json.Marshal(&calls[i])
		if err != nil {
			return nil, err
		}
		encoded[i] = b
	}
	return encoded, nil
}

// SnapshotFrames puts calls encoded by EncodeCalls into snapshot frames
// at feed time ts, split as EncodeSnapshot says. It does not modify
// encoded; each frame is new memory.
func SnapshotFrames(encoded [][]byte, ts float64, partBytes int) [][]byte {
	if partBytes <= 0 {
		partBytes = SnapshotPartBytes
	}
	// Group calls into parts by size.
	var groups [][][]byte
	var cur [][]byte
	size := 0
	for _, b := range encoded {
		if len(cur) > 0 && size+len(b)+1 > partBytes {
			groups = append(groups, cur)
			cur, size = nil, 0
		}
		cur = append(cur, b)
		size += len(b) + 1
	}
	groups = append(groups, cur)

	frames := make([][]byte, len(groups))
	for i, g := range groups {
		n := 96
		for _, b := range g {
			n += len(b) + 1
		}
		buf := make([]byte, 0, n)
		buf = append(buf, `{"type":"snapshot"`...)
		if ts != 0 {
			buf = append(buf, `,"ts":`...)
			buf = strconv.AppendFloat(buf, ts, 'f', -1, 64)
		}
		if len(groups) > 1 {
			buf = append(buf, `,"part":`+strconv.Itoa(i+1)+`,"parts":`+strconv.Itoa(len(groups))...)
		}
		buf = append(buf, `,"calls":[`...)
		for j, b := range g {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, b...)
		}
		frames[i] = append(buf, `]}`...)
	}
	return frames
}

// SnapshotAssembler joins the parts of a split snapshot back into one
// message. Feed it every snapshot message in arrival order.
type SnapshotAssembler struct {
	pending  *Message
	nextPart int
}

// Add takes one snapshot message (it keeps a copy, never m). It returns the
// complete snapshot when m finishes one, nil while parts are missing, and
// an error for a part that does not follow the previous one (the parts
// gathered so far are dropped).
func (a *SnapshotAssembler) Add(m *Message) (*Message, error) {
	if m.Parts <= 1 {
		a.pending, a.nextPart = nil, 0
		return m, nil
	}
	if m.Part == 1 {
		cp := *m
		cp.Calls = append([]Call(nil), m.Calls...)
		a.pending, a.nextPart = &cp, 2
	} else if a.pending == nil || m.Part != a.nextPart || m.Parts != a.pending.Parts {
		a.pending, a.nextPart = nil, 0
		return nil, &DecodeError{Reason: "snapshot part " + strconv.Itoa(m.Part) + " of " + strconv.Itoa(m.Parts) + " does not follow the parts received"}
	} else {
		a.pending.Calls = append(a.pending.Calls, m.Calls...)
		a.nextPart++
	}
	if m.Part < m.Parts {
		return nil, nil
	}
	done := a.pending
	a.pending, a.nextPart = nil, 0
	done.Part, done.Parts = 0, 0
	return done, nil
}
