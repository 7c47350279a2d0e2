package hub

import (
	"slices"
	"sync"
	"time"

	"github.com/calltop/calltop/feed"
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
	pipe  feed.Pipeline // reads the call.start and call.end frames
}

func (s *scoped) Publish(m *feed.Message) error {
	s.note(m)
	return s.p.Publish(m)
}

func (s *scoped) PublishFrame(frame []byte) error {
	if typ, ok := frameType(frame); ok && (typ == feed.TypeCallStart || typ == feed.TypeCallEnd) {
		s.mu.Lock()
		ev, ok := s.pipe.Frame(frame, time.Time{}, false)
		s.mu.Unlock()
		if ok && ev.Kind == feed.EventMessage {
			s.note(ev.Msg)
		}
	}
	return s.p.PublishFrame(frame)
}

func (s *scoped) note(m *feed.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.TS > s.ts {
		s.ts = m.TS
	}
	switch {
	case m.Type == feed.TypeCallStart && m.Call != nil:
		s.calls[m.Call.ID] = m.TS
	case m.Type == feed.TypeCallEnd:
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
		if err := s.p.Publish(&feed.Message{Type: feed.TypeCallEnd, TS: ts, CallID: id, Reason: reason}); err != nil {
			return err
		}
	}
	return nil
}
