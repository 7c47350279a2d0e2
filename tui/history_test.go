package tui

import (
	"context"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose/history"
)

// endedCalls is a HistorySource over a list that grows as calls end.
type endedCalls struct {
	mu    sync.Mutex
	calls []history.Summary
}

func (e *endedCalls) Search(context.Context, string) ([]history.Summary, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]history.Summary{}, e.calls...), nil
}

func (e *endedCalls) Call(context.Context, string) (history.Call, error) {
	return history.Call{}, history.ErrNotFound
}

// pressAndDeliver presses k and hands the model what its commands answer.
func pressAndDeliver(m *Model, k string) {
	for _, msg := range hit(m, k) {
		m.Update(msg)
	}
}

// H opened before any call ended, then again after one did, lists it: the
// screen asks the hub again each time it opens.
func TestHistoryScreenShowsCallsThatEndedSinceItWasOpen(t *testing.T) {
	src := &endedCalls{}
	m := New(&recorder{}, nil, Options{History: src})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(frameMsg(frame(1, 40, "")))
	pressAndDeliver(m, "H")
	mustShow(t, m, "no ended calls yet", "No call has ended since this hub began keeping history.")
	keys(m, "esc", "esc") // the search box, then the screen
	src.mu.Lock()
	src.calls = append(src.calls, history.Summary{ID: "call-7", Room: "standup-ops", People: []string{"Maya C."},
		Start: t0, End: t0.Add(16 * time.Minute), MOSMean: 4.4})
	src.mu.Unlock()
	pressAndDeliver(m, "H")
	mustShow(t, m, "the newest 1 ended call", "standup-ops", "Maya C.")
}
