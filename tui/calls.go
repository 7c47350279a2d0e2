package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

// callsTable is the home screen: every call, worst first, filterable.
// Sorting and filtering happen when the snapshot, sort or filter changes;
// View only slices the visible window out of the cached rows.
type callsTable struct {
	common
	calls     []*diagnose.CallSummary
	ended     int  // how many calls have ended, counted once per snapshot
	stale     bool // calls changed but rows are not re-sorted yet
	feedTime  time.Time
	hasFrame  bool
	sortBy    sortKey
	input     textinput.Model
	filtering bool                    // the filter input has the keyboard
	filter    string                  // the filter in force
	finding   bool                    // --find waits for the filter's best match to appear
	feed      engine.FeedStatus       // the feed's state, said in the body when it is down
	now       time.Time               // the tick's wall clock, for countdowns
	banner    []string                // over the rows while the feed is down
	group     *groupFilter            // the fleet group the calls are narrowed to, or nil
	rows      []*diagnose.CallSummary // order.rows, the calls on screen in order
	order     callOrder
	byID      map[string]int32      // the snapshot's calls' slots by id
	list      list                  // cursor, selection by call id, window
	selCall   *diagnose.CallSummary // the summary that was selected
	paints    rowPaints

	// View mode (calls_window.go): the hub's window, the request last
	// made, and whether it waits to be sent.
	win        *engine.ViewFrame
	asked      feed.ViewQuery
	hasAsked   bool
	askPending bool
	winQuery   parsedFilter
	// An enter pressed while the window still answers an older filter or
	// sort waits for the rows it asked for; the Model then opens the
	// selected one (openWaited).
	openWaiting bool
}

func newCallsTable(c common) *callsTable {
	t := &callsTable{common: c, input: newFilterInput(c.styles), paints: newRowPaints(c.styles)}
	t.list = newList(c.keys, t.rowID)
	return t
}

// SetSnapshot replaces the calls. It re-sorts and re-filters them at once
// when the table is on screen; otherwise Refresh does it on the way back.
// A frame that changed no call (summaries are immutable and shared while
// unchanged) keeps the rows as they are, unless the sort is by duration
// and the feed time moved; otherwise only the changed calls are placed
// again (see callOrder).
func (t *callsTable) SetSnapshot(calls []*diagnose.CallSummary, feedTime time.Time, visible bool) {
	same := t.hasFrame && slices.Equal(calls, t.calls) && (t.sortBy.Column() != sortDuration || feedTime.Equal(t.feedTime))
	if same && !t.stale {
		t.order.Hold(calls) // the rows hold these calls too; the next diff starts here
	}
	if !same {
		t.index(t.order.Diff(t.calls, calls), calls)
		t.stale = true
	}
	t.calls, t.feedTime, t.hasFrame = calls, feedTime, true
	if visible {
		t.Refresh()
	}
}

// Refresh re-sorts and re-filters if the calls changed since last time.
func (t *callsTable) Refresh() {
	if t.stale {
		t.refresh()
	}
}

// SetSize implements component.
func (t *callsTable) SetSize(w, h int) {
	t.common.SetSize(w, h)
	t.input.SetWidth(max(t.width-lipWidth(t.input.Prompt)-1, 1))
	t.SetFeed(t.feed, t.now) // the banner wraps to the new width
}

// refresh rebuilds the cached rows and puts the cursor back on the
// selected call, wherever the sort moved it.
func (t *callsTable) refresh() {
	t.stale = false
	if t.win != nil { // the hub sorts and filters: ask it
		t.request()
		return
	}
	followAt, followID := -1, ""
	if l := &t.list; l.Pinned() {
		followID = l.selected
		if c := l.Cursor(); c < len(t.rows) && t.rows[c] == t.selCall {
			followAt = c
		}
	}
	at := t.order.Update(t.calls, t.feedTime, t.sortBy, t.filter, followAt, followID)
	t.rows = t.order.Rows()
	t.list.SetRowsAt(len(t.rows), at)
	t.selCall = t.Selected()
}

// index keeps the ended count and the slots by id up to date with what a
// snapshot changed; a call whose new summary took its old one's slot
// needs nothing.
func (t *callsTable) index(d *snapshotDiff, calls []*diagnose.CallSummary) {
	if t.byID == nil {
		t.byID = make(map[string]int32, len(d.Added))
	}
	for _, r := range d.Removed[d.Replaced:] {
		delete(t.byID, r.C.Key)
	}
	for _, m := range d.Moves {
		t.byID[calls[m.To].Key] = m.To
	}
	for _, a := range d.Added[d.Replaced:] {
		t.byID[a.C.Key] = a.Slot
	}
	t.ended += countEnded(d.Added) - countEnded(d.Removed)
}

// Call is the snapshot's call with this id (as the feed sent it), or nil.
func (t *callsTable) Call(id string) *diagnose.CallSummary {
	if slot, ok := t.byID[id]; ok {
		return t.calls[slot]
	}
	return t.windowCall(id)
}

// countEnded is how many of calls have ended.
func countEnded(calls []slotted) int {
	n := 0
	for _, c := range calls {
		if c.C.Ended {
			n++
		}
	}
	return n
}

// Selected returns the call under the cursor, or nil.
func (t *callsTable) Selected() *diagnose.CallSummary {
	return t.row(t.list.Cursor())
}

// Filtering reports whether the filter input has the keyboard.
func (t *callsTable) Filtering() bool { return t.filtering }

// SetFeed takes the feed's state and the tick's clock (zero before the
// first tick): while the feed is down, a banner over the rows says why.
func (t *callsTable) SetFeed(f engine.FeedStatus, now time.Time) {
	t.feed, t.now, t.banner = f, now, nil
	if feedDown(f) && len(t.calls) > 0 {
		t.banner = feedBanner(f, now, t.width, t.styles)
	}
	t.scroll()
}

// visibleRows is how many call rows fit under the headings.
func (t *callsTable) visibleRows() int {
	n := t.height - 1 - len(t.banner)
	if t.filtering {
		n--
	}
	return max(n, 1)
}

// scroll keeps the cursor inside the visible window.
func (t *callsTable) scroll() {
	t.list.SetHeight(t.visibleRows())
	t.request()
}

// moveTo puts the cursor on row i and selects that call; from then on the
// cursor follows that call as the list re-sorts.
func (t *callsTable) moveTo(i int) {
	t.list.MoveTo(i)
	t.selCall = t.Selected()
}

// Update handles the calls screen's keys. open is true when the user
// pressed enter on a call.
func (t *callsTable) Update(msg tea.KeyPressMsg) (cmd tea.Cmd, open bool) {
	t.openWaiting = false // any key drops an enter waiting for rows
	if t.filtering {
		return t.updateFilter(msg), false
	}
	if t.list.Update(msg) {
		t.selCall = t.Selected()
		t.request()
		return nil, false
	}
	k := t.keys
	switch {
	case key.Matches(msg, k.Sort):
		t.sortBy = (t.sortBy.Column() + 1) % sortKeys
		return t.resort("; s for the next sort, S reverses"), false
	case key.Matches(msg, k.Reverse):
		t.sortBy ^= sortReversed
		return t.resort("; S turns it back"), false
	case key.Matches(msg, k.Filter):
		t.filtering = true
		t.input.SetValue(t.filter)
		t.input.CursorEnd()
		t.scroll()
		return t.input.Focus(), false
	case key.Matches(msg, k.ClearFilter):
		t.setFilter("")
		t.SetGroup(nil)
	case key.Matches(msg, k.Open):
		if !t.windowCurrent() { // the rows on screen are for another filter or sort
			t.openWaiting = true
			return notice("opening the first match when the hub's rows come"), false
		}
		if t.Selected() == nil {
			return nil, false
		}
		t.moveTo(t.list.Cursor())
		return nil, true
	}
	return nil, false
}

// resort applies a new sort and shows the top of the new order.
func (t *callsTable) resort(hint string) tea.Cmd {
	t.list.Home()
	t.refresh()
	return notice("sorted by " + t.sortBy.String() + ", " + t.sortBy.Order() + hint)
}

// updateFilter edits the filter live; enter keeps it, esc clears it.
func (t *callsTable) updateFilter(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		t.filtering = false
		t.input.Blur()
		t.scroll()
		return nil
	case "esc":
		t.filtering = false
		t.input.Blur()
		t.setFilter("")
		return nil
	}
	var cmd tea.Cmd
	t.input, cmd = t.input.Update(msg)
	t.setFilter(t.input.Value())
	return cmd
}

// Paste adds pasted text to the filter being typed.
func (t *callsTable) Paste(text string) {
	t.input, _ = t.input.Update(tea.PasteMsg{Content: strings.TrimSpace(text)})
	t.setFilter(t.input.Value())
}

// setFilter applies a filter; the cursor goes to the best match (the
// top row) and stays there until the user moves it.
func (t *callsTable) setFilter(f string) {
	f = clean(f)
	if f == t.filter {
		return
	}
	t.filter = f
	t.list.Home()
	t.refresh()
}

// ShortHelp implements help.KeyMap.
func (t *callsTable) ShortHelp() []key.Binding {
	k := t.keys
	if t.filtering {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		}
	}
	out := []key.Binding{k.Open, k.Filter, k.Sort}
	if t.filter != "" || t.group != nil {
		out = append(out, k.ClearFilter)
	}
	return append(out, k.Fleet, k.CallHistory)
}

// FullHelp implements help.KeyMap.
func (t *callsTable) FullHelp() [][]key.Binding {
	k := t.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Filter, k.ClearFilter, k.Sort, k.Reverse, k.Fleet, k.CallHistory},
	}
}

// View renders the headings and the visible rows only.
func (t *callsTable) View() string {
	cols := callColumns(t.width)
	lines := make([]string, 0, t.height)
	if t.filtering {
		lines = append(lines, t.input.View())
	}
	lines = append(lines, t.banner...)
	lines = append(lines, t.styles.ColumnHeader.Render(fit(cols.heading(t.sortBy), t.width)))
	if t.win != nil && t.list.Len() == 0 {
		return block(append(lines, "", "  "+t.windowEmptyText()), t.width, t.height)
	}
	if t.win == nil && len(t.rows) == 0 {
		if t.hasFrame && len(t.calls) == 0 && feedDown(t.feed) {
			return block(append(lines, feedProblemLines(t.feed, t.now, t.width, t.styles)...), t.width, t.height)
		}
		lines = append(lines, "", "  "+t.emptyText())
		return block(lines, t.width, t.height)
	}
	from, to := t.list.Window()
	for i := from; i < to; i++ {
		c := t.row(i)
		if c == nil { // not in the hub's window yet
			lines = append(lines, t.paints.rest[rowEnded].render(fit("  …", t.width)))
			continue
		}
		lines = append(lines, t.renderRow(cols, c, i == t.list.Cursor()))
	}
	return block(lines, t.width, t.height)
}

func (t *callsTable) emptyText() string {
	switch {
	case !t.hasFrame:
		return "Waiting for the first update from the feed…"
	case len(t.calls) == 0:
		return "No calls right now."
	case t.finding:
		return fmt.Sprintf("No call matches %q yet; waiting for it to appear (esc stops).", t.filter)
	}
	if t.group != nil && t.filter == "" {
		return "No call has " + t.group.label + " (esc clears the filter)."
	}
	return fmt.Sprintf("No call matches %q (esc clears the filter).", t.filter)
}

// renderRow renders one call: the severity cell in its colour, the rest
// plain, the whole row reversed when selected and faint once ended.
func (t *callsTable) renderRow(cols columns, c *diagnose.CallSummary, selected bool) string {
	state := rowNormal
	switch {
	case selected:
		state = rowSelected
	case c.Ended, t.banner != nil, t.lost(c): // ended, stale while the feed is down, or its hub lost
		state = rowEnded
	}
	sev := min(max(c.Severity, diagnose.None), diagnose.Critical)
	sevText := sevGlyph(c.Severity) + " " + sevWord(c.Severity, cols.longWords)
	if warming(c, t.feedTime) {
		sevText = "~  new"
	}
	rest := t.paints.rest[state]
	line := t.paints.sev[sev][state].render(fit(sevText, cols.sev))
	head, room := " "+cols.row(c, t.feedTime), t.width-cols.sev
	who, finding := t.matchedName(c), topFinding(c, t.feedTime)
	if t.lost(c) {
		finding = "source lost"
	}
	if who == "" || lipWidth(head) >= room {
		return line + rest.render(fit(head+finding, room))
	}
	room -= lipWidth(head)
	who = clip(who, max(room/2, 1))
	line += rest.render(head) + t.paints.match[state].render(who)
	if room -= lipWidth(who); room > 0 {
		line += rest.render(fit(" "+finding, room))
	}
	return line
}

// bestMatches is how many calls match the filter as well as the top row
// does (0 with no rows).
func (t *callsTable) bestMatches() int {
	if t.win != nil {
		return t.windowBest()
	}
	return t.order.BestMatches()
}

// matchedPerson is the id of the participant the filter matched in c, or
// "" when no filter is on or the call itself matched.
func (t *callsTable) matchedPerson(c *diagnose.CallSummary) string {
	if i := t.personMatched(c); i >= 0 && i < len(c.People) {
		return c.People[i].ID
	}
	return ""
}

// matchedName is the name of the participant the filter matched in c, or
// "" when no filter is on or the call itself matched.
func (t *callsTable) matchedName(c *diagnose.CallSummary) string {
	if i := t.personMatched(c); i >= 0 && i < len(c.People) {
		return clean(c.People[i].Name)
	}
	return ""
}

// personMatched is the index of the participant the filter matched in c
// (-1: none).
func (t *callsTable) personMatched(c *diagnose.CallSummary) int {
	if t.win != nil {
		return t.windowMatch(c)
	}
	return t.order.MatchOf(c).Person
}
