package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/view"
	"github.com/calltop/calltop/feed"
)

// ViewController is a Controller whose calls list comes in windows from a
// hub's call index (calltop --view): the calls table asks it for the
// rows around the visible ones whenever its filter, sort, scroll position
// or height changes. The engine implements it.
type ViewController interface {
	Controller
	// SetView asks for another window (its Open is ignored: Focus says
	// which call is open). It must not block.
	SetView(q feed.ViewQuery)
}

// In view mode the calls table holds only the hub's window: the list is
// Matched rows long, but only the rows from Offset on are there. The
// cursor moves over all of them; the table asks for one screen above and
// one below the visible rows, so paging a screen shows rows at once while
// the next window comes. Rows not yet there show as "…".

// windowPages is how many screens of rows a request covers: the visible
// one and one on either side.
const windowPages = 3

// SetWindow takes the hub's newest window (nil on a full feed).
func (t *callsTable) SetWindow(w *engine.ViewFrame) {
	if w == nil {
		t.win = nil
		return
	}
	t.win = w
	t.hasFrame = true
	t.ended = w.Counts.Ended
	if !w.FeedTime.IsZero() && w.FeedTime.After(t.feedTime) {
		t.feedTime = w.FeedTime
	}
	at := -1
	if t.list.Pinned() && t.list.selected != "" {
		for i, c := range w.Rows {
			if c.Key == t.list.selected {
				at = w.Offset + i
				break
			}
		}
	}
	t.list.SetRowsAt(w.Matched, at)
	t.selCall = t.Selected()
	t.request()
}

// windowCurrent reports whether the rows on screen answer the filter and
// sort in force (always on a full feed).
func (t *callsTable) windowCurrent() bool {
	if t.win == nil {
		return true
	}
	q, w := t.query(), t.win.Query
	if t.win.Answers != nil { // the hub says which request the rows answer
		w = *t.win.Answers
	}
	return t.win.Seq > 0 && w.Filter == q.Filter && w.Sort == q.Sort && w.Desc == q.Desc
}

// openWaited opens the call an enter waited for, once the rows it asked
// for have come (a frame's window answers the filter and sort on screen);
// leaving the calls screen drops the wait.
func (m *Model) openWaited() tea.Cmd {
	t := m.calls
	switch {
	case !t.openWaiting:
		return nil
	case m.screen != screenCalls:
		t.openWaiting = false
		return nil
	case !t.windowCurrent():
		return nil
	}
	t.openWaiting = false
	c := t.Selected()
	if c == nil {
		return nil
	}
	return m.openCall(c.Key, target{person: t.matchedPerson(c)})
}

// row is row i of the list: the window's in view mode (nil when the
// window does not hold it), else the sorted rows'.
func (t *callsTable) row(i int) *diagnose.CallSummary {
	if t.win != nil {
		return t.win.Row(i)
	}
	if i >= 0 && i < len(t.rows) {
		return t.rows[i]
	}
	return nil
}

// rowID is the id of row i for the list ("" for a row not there yet).
func (t *callsTable) rowID(i int) string {
	if c := t.row(i); c != nil {
		return c.Key
	}
	return ""
}

// query is the request for the window the table needs now.
func (t *callsTable) query() feed.ViewQuery {
	from, _ := t.list.Window()
	h := t.list.height
	sort := feed.SortWorst
	if c := int(t.sortBy.Column()); c >= 0 && c < len(feed.ViewSorts) {
		sort = feed.ViewSorts[c]
	}
	return feed.ViewQuery{Filter: t.filter, Sort: sort, Desc: t.sortBy.Reversed(),
		Offset: max(from-h, 0), Limit: min(windowPages*h, feed.MaxViewRows), Ended: true}
}

// request notes a new request when the visible rows left the one asked
// for, or the filter, sort or height changed; the Model sends it.
func (t *callsTable) request() {
	if t.win == nil {
		return
	}
	q, a := t.query(), t.asked
	from, to := t.list.Window()
	to = max(to, from+t.list.height)
	if t.hasAsked && q.Filter == a.Filter && q.Sort == a.Sort && q.Desc == a.Desc && q.Limit == a.Limit &&
		from >= a.Offset && to <= a.Offset+a.Limit {
		return
	}
	t.asked, t.hasAsked, t.askPending = q, true, true
}

// takeRequest returns the request to send, if one is waiting.
func (t *callsTable) takeRequest() (feed.ViewQuery, bool) {
	if !t.askPending {
		return feed.ViewQuery{}, false
	}
	t.askPending = false
	return t.asked, true
}

// sendView sends the calls table's waiting request, if any.
func (m *Model) sendView() tea.Cmd {
	vc, ok := m.ctrl.(ViewController)
	if !ok {
		return nil
	}
	q, ok := m.calls.takeRequest()
	if !ok {
		return nil
	}
	return func() tea.Msg {
		vc.SetView(q)
		return nil
	}
}

// windowCall is the window's call with this key, or nil.
func (t *callsTable) windowCall(id string) *diagnose.CallSummary {
	if t.win == nil {
		return nil
	}
	for _, c := range t.win.Rows {
		if c.Key == id {
			return c
		}
	}
	return nil
}

// windowMatch is the participant the filter matched in a window's row
// (-1: none, or the call itself matched): the hub does not say, so the
// table asks the same matcher the hub uses.
func (t *callsTable) windowMatch(c *diagnose.CallSummary) int {
	if t.filter == "" {
		return -1
	}
	if t.winQuery.text != t.filter {
		t.winQuery = parsedFilter{text: t.filter, q: view.ParseQuery(t.filter)}
	}
	return t.winQuery.q.Match(view.NewCallText(c)).Person
}

// windowBest is bestMatches in view mode: how many of the window's top
// rows match the filter as well as its first (and are as ongoing or
// ended as it); -1 while the window does not answer the filter yet.
func (t *callsTable) windowBest() int {
	w := t.win
	if w.Error != "" {
		return 0
	}
	if w.Seq == 0 || w.Offset != 0 || !t.windowCurrent() {
		return -1
	}
	if w.Matched == 0 {
		if w.Query.Filter == t.filter && t.asked.Filter == t.filter && w.Total > 0 {
			return 0
		}
		return -1
	}
	match := func(c *diagnose.CallSummary) uint8 {
		t.windowMatch(c) // parses the filter if it changed
		return t.winQuery.q.Match(view.NewCallText(c)).Rank
	}
	top := match(w.Rows[0])
	if top == view.NoMatch {
		return -1 // a window from before the filter
	}
	n := 1
	for n < len(w.Rows) && match(w.Rows[n]) == top && w.Rows[n].Ended == w.Rows[0].Ended {
		n++
	}
	return n
}

// parsedFilter caches the filter's parse for windowMatch.
type parsedFilter struct {
	text string
	q    view.Query
}

// lost reports whether the hub serving c is lost (view mode only).
func (t *callsTable) lost(c *diagnose.CallSummary) bool {
	return t.win != nil && t.win.Lost[c.Key]
}

// windowEmptyText says why a window has no rows.
func (t *callsTable) windowEmptyText() string {
	w := t.win
	switch {
	case w.Error != "":
		return clean(w.Error)
	case w.Seq == 0:
		return "Waiting for the first window of calls from the hub…"
	case w.Total == 0:
		return "No calls right now."
	case t.filter == "":
		return "No calls to list."
	}
	return fmt.Sprintf("No call matches %q (esc clears the filter).", t.filter)
}
