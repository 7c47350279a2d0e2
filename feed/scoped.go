package feed

import (
	"slices"
	"sync"
)

// Scoped wraps a Publisher shared by several sources so that one source's
// EndAll (a replay starting over) ends only the calls that source started,
// not those of the others (the browser ingest's live calls, say).
func Scoped(p Publisher) Publisher {
	return &scoped{p: p, calls: map[string]float64{}}
}

type scoped struct {
	p     Publisher
	mu    sync.Mutex
	calls map[string]float64 // ongoing call id -> newest ts seen
	ts    float64
}

func (s *scoped) Publish(m *Message) error {
	s.note(m)
	return s.p.Publish(m)
}

func (s *scoped) PublishFrame(frame []byte) error {
	if typ, ok := frameType(frame); ok && (typ == TypeCallStart || typ == TypeCallEnd) {
		var m Message
		if Decode(frame, &m) == nil {
			s.note(&m)
		}
	}
	return s.p.PublishFrame(frame)
}

func (s *scoped) note(m *Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.TS > s.ts {
		s.ts = m.TS
	}
	switch {
	case m.Type == TypeCallStart && m.Call != nil:
		s.calls[m.Call.ID] = m.TS
	case m.Type == TypeCallEnd:
		delete(s.calls, m.CallID)
	}
}

// EndAll publishes call.end with reason for each call this source started
// and did not end.
func (s *scoped) EndAll(reason string) error {
	s.mu.Lock()
	ids := make([]string, 0, len(s.calls))
	for id := range s.calls {
		ids = append(ids, id)
	}
	ts := s.ts
	clear(s.calls)
	slices.Sort(ids)
	s.mu.Unlock()
	for _, id := range ids {
		if err := s.p.Publish(&Message{Type: TypeCallEnd, TS: ts, CallID: id, Reason: reason}); err != nil {
			return err
		}
	}
	return nil
}
