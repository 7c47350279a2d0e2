package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/view"
	"github.com/calltop/calltop/feed"
)

// windowHub answers the calls table's view requests as a hub's call index
// does, with the shared filter and sorts (diagnose/view), so these tests
// see what a user of --view sees.
type windowHub struct {
	recorder
	calls []*diagnose.CallSummary
	asked []feed.ViewQuery
	seq   uint64
}

func (h *windowHub) SetView(q feed.ViewQuery) { h.asked = append(h.asked, q) }

// last is the newest request (it fails the test when there is none).
func (h *windowHub) last(t *testing.T) feed.ViewQuery {
	t.Helper()
	if len(h.asked) == 0 {
		t.Fatal("the calls table asked the hub for nothing")
	}
	return h.asked[len(h.asked)-1]
}

// answer shows m the window for the newest request, in a frame.
func (h *windowHub) answer(t *testing.T, m *Model) {
	t.Helper()
	h.answerFor(t, m, h.last(t))
}

// answerFor shows m a window answering q, in a frame whose request in
// force is the newest one, as the engine's are.
func (h *windowHub) answerFor(t *testing.T, m *Model, q feed.ViewQuery) {
	t.Helper()
	by := sortKey(0)
	for i, s := range feed.ViewSorts {
		if s == q.Sort {
			by = sortKey(i)
		}
	}
	if q.Desc {
		by |= sortReversed
	}
	rows := view.Sorted(h.calls, q.Filter, by, feedTime())
	from := min(q.Offset, len(rows))
	to := min(from+q.Limit, len(rows))
	h.seq++
	w := &engine.ViewFrame{Query: h.last(t), Answers: &q, Seq: h.seq, Total: len(h.calls), Matched: len(rows), Offset: from,
		Rows: rows[from:to], FeedTime: feedTime()}
	if to-from > 1 { // the second row's hub is lost
		w.Lost = map[string]bool{rows[from+1].Key: true}
	}
	f := engine.Frame{Seq: h.seq, Feed: engine.FeedStatus{Source: "ws://hub:7070/feed", State: "live"}, View: w}
	_, cmd := m.Update(frameMsg(f))
	run(m, cmd)
}

// newWindowModel is an 80x24 model in view mode over n calls, showing
// the hub's first answer.
func newWindowModel(t *testing.T, n int) (*Model, *windowHub) {
	t.Helper()
	h := &windowHub{calls: manyCalls(n)}
	m := New(h, nil, Options{})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	_, cmd := m.Update(frameMsg(engine.Frame{Seq: 1, Feed: engine.FeedStatus{Source: "ws://hub:7070/feed", State: "live"},
		View: &engine.ViewFrame{}}))
	run(m, cmd)
	mustShow(t, m, "Waiting for the first window")
	h.answer(t, m)
	return m, h
}

// placeholders counts the rows on screen that wait for the hub ("…").
func placeholders(m *Model) int {
	n := 0
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.TrimSpace(l) == "…" {
			n++
		}
	}
	return n
}

// press sends one key and runs what it asks (the view request included).
func pressIn(m *Model, k string) { hit(m, k) }

func TestViewModeListsTheHubsWindowWorstFirst(t *testing.T) {
	m, h := newWindowModel(t, 2000)
	q := h.last(t)
	if q.Offset != 0 || q.Limit < 20 || q.Sort != feed.SortWorst || q.Desc || !q.Ended {
		t.Errorf("first request %+v: want the top rows and more, worst first, ended calls too", q)
	}
	mustShow(t, m, "2000 calls")
	s := screenText(m)
	lines := strings.Split(s, "\n")
	want := view.Sorted(h.calls, "", sortSeverity, feedTime())
	for i, c := range want[:21] { // the rows under the header and headings
		if !strings.Contains(lines[2+i], roomOf(c)+" ") && !strings.Contains(lines[2+i], roomOf(c)[:14]) {
			t.Fatalf("row %d shows %q, want %s (worst first):\n%s", i, lines[2+i], roomOf(c), s)
		}
	}
	if !strings.Contains(lines[3], "source lost") || strings.Contains(lines[2], "source lost") {
		t.Errorf("the second row's hub is lost: the list does not say so on that row only:\n%s", s)
	}
}

func TestViewModePagesThroughRowsItDoesNotHold(t *testing.T) {
	m, h := newWindowModel(t, 2000)
	asked := len(h.asked)
	pressIn(m, "down") // inside the window: no new request
	if len(h.asked) != asked {
		t.Errorf("moving one row inside the window asked %d more times", len(h.asked)-asked)
	}
	for range 3 {
		pressIn(m, "pgdown")
	}
	q := h.last(t)
	if len(h.asked) == asked || q.Offset == 0 {
		t.Fatalf("three pages down asked for %+v, want a window further down", q)
	}
	h.answer(t, m)
	rows := m.calls.list
	from, to := rows.Window()
	for i := from; i < to; i++ {
		if m.calls.row(i) == nil {
			t.Fatalf("row %d on screen is not in the window at %d (+%d) after the answer", i, h.last(t).Offset, h.last(t).Limit)
		}
	}
	if n := placeholders(m); n != 0 {
		t.Errorf("%d rows still wait after the answer", n)
	}

	pressIn(m, "end")
	if q := h.last(t); q.Offset+q.Limit < 2000 {
		t.Errorf("end asked for rows %d to %d of 2000", q.Offset, q.Offset+q.Limit)
	}
	if placeholders(m) == 0 { // the bottom is not there yet
		t.Errorf("end shows rows before the hub sent them:\n%s", screenText(m))
	}
	h.answer(t, m)
	if n := placeholders(m); n != 0 {
		t.Errorf("%d rows at the end still wait after the answer:\n%s", n, screenText(m))
	}
	if c := m.calls.Selected(); c == nil || c != m.calls.row(1999) {
		t.Errorf("end selects %v, want the last of 2000 rows", c)
	}
	pressIn(m, "home")
	if q := h.last(t); q.Offset != 0 {
		t.Errorf("home asked for offset %d, want 0", q.Offset)
	}
}

func TestViewModeFilterAndSortAskTheHub(t *testing.T) {
	m, h := newWindowModel(t, 2000)
	keys(m, "/")
	typeText(m, "user-1234")
	pressIn(m, "enter")
	if q := h.last(t); q.Filter != "user-1234" || q.Offset != 0 {
		t.Fatalf("filter asked for %+v, want filter user-1234 from the top", q)
	}
	h.answer(t, m)
	mustShow(t, m, "filter: user-1234 (1)", "room-1234", "user-1234")
	pressIn(m, "s")
	if q := h.last(t); q.Sort != feed.SortMOS || q.Filter != "user-1234" {
		t.Errorf("s asked for %+v, want the MOS sort, filter kept", q)
	}
	pressIn(m, "S")
	if q := h.last(t); !q.Desc {
		t.Errorf("S asked for %+v, want it reversed", q)
	}
	h.answer(t, m)
	msgs := hit(m, "enter")
	_ = msgs
	if log := h.log(); len(log) == 0 || log[len(log)-1] != "focus c-01234" {
		t.Errorf("enter on the one match asked %v, want focus c-01234", log)
	}
}

func TestViewModeSaysTheHubHasNoIndex(t *testing.T) {
	h := &windowHub{}
	m := New(h, nil, Options{})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(frameMsg(engine.Frame{Seq: 1, Feed: engine.FeedStatus{Source: "ws://hub:7070/feed", State: "live"},
		View: &engine.ViewFrame{Error: feed.NoIndexError}}))
	mustShow(t, m, "this hub has no call index: run it with --index")
}

func TestViewModeFitsAn80x24Screen(t *testing.T) {
	m, _ := newWindowModel(t, 2000)
	lines := strings.Split(screenText(m), "\n")
	if len(lines) != 24 {
		t.Errorf("%d lines on a 24-line terminal", len(lines))
	}
	for i, l := range lines {
		if w := lipWidth(l); w > 80 {
			t.Errorf("line %d is %d wide: %q", i, w, l)
		}
	}
	if testing.Verbose() {
		fmt.Println(screenText(m))
	}
}

func TestViewModeFindOpensTheOneMatch(t *testing.T) {
	h := &windowHub{calls: manyCalls(2000)}
	m := New(h, nil, Options{Find: "user-1234"})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	_, cmd := m.Update(frameMsg(engine.Frame{Seq: 1, Feed: engine.FeedStatus{Source: "ws://hub:7070/feed", State: "live"},
		View: &engine.ViewFrame{}}))
	run(m, cmd)
	if q := h.last(t); q.Filter != "user-1234" {
		t.Fatalf("--find asked the hub for %+v, want filter user-1234", q)
	}
	if log := h.log(); len(log) != 0 {
		t.Fatalf("--find acted before the hub answered: %v", log)
	}
	h.answer(t, m)
	if log := h.log(); len(log) == 0 || log[len(log)-1] != "focus c-01234" {
		t.Errorf("--find user-1234 asked %v once the hub answered, want focus c-01234", log)
	}
}

func TestViewModeHeaderSaysAlertsCoverTheOpenCall(t *testing.T) {
	h := &windowHub{calls: manyCalls(50)}
	m := New(h, nil, Options{})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	_, cmd := m.Update(frameMsg(engine.Frame{Seq: 1, Feed: engine.FeedStatus{Source: "ws://hub:7070/feed", State: "live"},
		View: &engine.ViewFrame{Seq: 1, Total: 50, Matched: 50, OpenCallAlerts: true}}))
	run(m, cmd)
	mustShow(t, m, "alerts: open call")
	mustNotShow(t, m, "no alerts")
}

func TestViewModeFleetScreenSaysItIsNotThere(t *testing.T) {
	m, _ := newWindowModel(t, 200)
	pressIn(m, "F")
	mustShow(t, m, "not in view mode")
	mustNotShow(t, m, "Fleet by")
}

func TestViewModeOpeningAnEndedCallSaysWhyNoDetail(t *testing.T) {
	h := &windowHub{calls: manyCalls(30)}
	h.calls[0].Ended, h.calls[0].End = true, feedTime().Add(-10*time.Second)
	m := New(h, nil, Options{})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	_, cmd := m.Update(frameMsg(engine.Frame{Seq: 1, Feed: engine.FeedStatus{Source: "ws://hub:7070/feed", State: "live"},
		View: &engine.ViewFrame{}}))
	run(m, cmd)
	h.answer(t, m)
	pressIn(m, "end") // ended calls come last
	h.answer(t, m)
	if c := m.calls.Selected(); c == nil || !c.Ended {
		t.Fatalf("the last row is %+v, want the ended call", c)
	}
	pressIn(m, "enter")
	h.answer(t, m) // the hub sends no detail for an ended call
	mustShow(t, m, "has ended: with --view the hub streams ongoing")
}

func TestViewModeCursorFollowsTheChosenCallAsTheHubReorders(t *testing.T) {
	m, h := newWindowModel(t, 200)
	keys(m, "down", "down", "down", "down", "down")
	chosen := m.calls.Selected()
	if chosen == nil {
		t.Fatal("no call under the cursor")
	}
	// The chosen call turns critical: the hub moves it up the list.
	for i, c := range h.calls {
		if c.Key == chosen.Key {
			up := *c
			up.Severity, up.TopFinding, up.WorstMOS = diagnose.Critical, "Audio reaching Ana is cut", 1.2
			h.calls[i] = &up
		}
	}
	h.answer(t, m)
	if c := m.calls.Selected(); c == nil || c.Key != chosen.Key {
		t.Fatalf("after the reorder the cursor is on %v, want the chosen call %s", c, chosen.Key)
	}
	if m.calls.list.Cursor() >= 5 {
		t.Errorf("the chosen call went up the list but the cursor stayed at row %d", m.calls.list.Cursor())
	}
	mustShow(t, m, "Audio reaching Ana")
}

// TestViewModeCallScreenShowsTheHubsFindingWhileItWarmsUp: in view mode
// the call screen diagnoses the open call from when it opened; until its
// own diagnoses start, it shows the hub's worst finding of the call (the
// row the user chose), not a bare "warming up".
func TestViewModeCallScreenShowsTheHubsFindingWhileItWarmsUp(t *testing.T) {
	m, h := newWindowModel(t, 30)
	c := m.calls.Selected()
	if c == nil || c.Severity != diagnose.Critical || c.TopFinding == "" {
		t.Fatalf("the first row is %+v, want a critical call with a finding", c)
	}
	pressIn(m, "enter")
	// The engine's own detail of the call: stats for 4 s, no finding yet.
	own := &diagnose.CallSummary{ID: c.ID, Key: c.Key, Room: c.Room, Start: c.Start, FirstStats: feedTime().Add(-4 * time.Second), Participants: 2}
	h.seq++
	_, cmd := m.Update(frameMsg(engine.Frame{Seq: h.seq, Feed: engine.FeedStatus{Source: "ws://hub:7070/feed", State: "live"},
		View:  &engine.ViewFrame{Query: h.last(t), Seq: h.seq, Total: len(h.calls), Matched: len(h.calls), FeedTime: feedTime()},
		Calls: diagnose.Snapshot{FeedTime: feedTime(), Focus: &diagnose.CallDetail{Summary: own}}}))
	run(m, cmd)
	screen := screenText(m)
	if !strings.Contains(screen, "the hub: "+c.TopFinding[:30]) || !strings.Contains(screen, "This screen's own diagnoses, with advice, start after 20s") {
		t.Fatalf("the call screen of a warming call the hub finds critical:\n%s", screen)
	}
	if strings.Contains(screen, "No diagnoses yet") {
		t.Fatalf("the call screen says no diagnoses beside the hub's:\n%s", screen)
	}
}

// filterThenEnterTwice types a filter in view mode and presses enter twice,
// with no answer from the hub yet.
func filterThenEnterTwice(t *testing.T, filter string) (*Model, *windowHub) {
	t.Helper()
	m, h := newWindowModel(t, 2000)
	keys(m, "/")
	typeText(m, filter)
	pressIn(m, "enter")
	pressIn(m, "enter")
	return m, h
}

// An agent on a slow link types a name and presses enter twice before the
// hub's filtered rows come: the second enter opens the match once they
// come, not the row the old window had at the top.
func TestViewModeEnterBeforeTheFilteredRowsOpensTheMatch(t *testing.T) {
	m, h := filterThenEnterTwice(t, "user-1234")
	if log := h.log(); len(log) != 0 {
		t.Fatalf("enter before the hub answered the filter acted on the old rows: %v", log)
	}
	// A window of the old request, already on its way, comes first.
	h.answerFor(t, m, h.asked[0])
	if log := h.log(); len(log) != 0 {
		t.Fatalf("a window answering the old request opened %v", log)
	}
	h.answer(t, m)
	if log := h.log(); len(log) == 0 || log[len(log)-1] != "focus c-01234" {
		t.Fatalf("once the hub answered, asked %v, want focus c-01234", log)
	}
	mustShow(t, m, "user-1234")
}

// The enter waiting for the rows is forgotten when the agent goes on
// typing: a later answer opens nothing by itself.
func TestViewModeAWaitingEnterIsDroppedByTheNextKey(t *testing.T) {
	m, h := filterThenEnterTwice(t, "user-1234")
	pressIn(m, "down")
	h.answer(t, m)
	if log := h.log(); len(log) != 0 {
		t.Fatalf("a key after the waiting enter did not drop it: %v", log)
	}
}
