package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose"
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
	input     lineInput
	filtering bool                    // the filter input has the keyboard
	filter    string                  // the filter in force
	rows      []*diagnose.CallSummary // order.rows, the calls on screen in order
	order     callOrder
	byID      map[string]int32      // the snapshot's calls' slots by id
	selected  string                // id of the selected call; the cursor follows it
	selCall   *diagnose.CallSummary // the summary that was selected
	pinned    bool                  // the user chose a call; until then the cursor stays on top
	paints    rowPaints
	cursor    int
	offset    int
}

func newCallsTable(c common) *callsTable {
	in := lineInput{prompt: "/", placeholder: "type to filter by call, room, participant, user or tag", limit: 80}
	return &callsTable{common: c, input: in, paints: newRowPaints(c.styles)}
}

// SetSnapshot replaces the calls. It re-sorts and re-filters them at once
// when the table is on screen; otherwise Refresh does it on the way back.
// A frame that changed no call (summaries are immutable and shared while
// unchanged) keeps the rows as they are, unless the sort is by duration
// and the feed time moved; otherwise only the changed calls are placed
// again (see callOrder).
func (t *callsTable) SetSnapshot(calls []*diagnose.CallSummary, feedTime time.Time, visible bool) {
	same := t.hasFrame && slices.Equal(calls, t.calls) && (t.sortBy != sortDuration || feedTime.Equal(t.feedTime))
	if same && !t.stale {
		t.order.from = calls // the rows hold these calls too; the next diff starts here
	}
	if !same {
		t.index(t.order.diff.between(t.calls, calls), calls)
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
	t.scroll()
}

// refresh rebuilds the cached rows and puts the cursor back on the
// selected call, wherever the sort moved it.
func (t *callsTable) refresh() {
	t.stale = false
	followAt, followID := -1, ""
	if t.pinned {
		followID = t.selected
		if t.cursor < len(t.rows) && t.rows[t.cursor] == t.selCall {
			followAt = t.cursor
		}
	}
	at := t.order.update(t.calls, t.feedTime, t.sortBy, t.filter, followAt, followID)
	t.rows = t.order.rows
	t.cursor = min(t.cursor, max(len(t.rows)-1, 0))
	if !t.pinned {
		t.cursor = 0
	} else if at >= 0 {
		t.cursor = at
	}
	t.syncSelected()
	t.scroll()
}

func (t *callsTable) syncSelected() {
	if t.cursor < len(t.rows) {
		t.selCall = t.rows[t.cursor]
		t.selected = t.selCall.ID
	}
}

// index keeps the ended count and the slots by id up to date with what a
// snapshot changed; a call whose new summary took its old one's slot
// needs nothing.
func (t *callsTable) index(d *snapshotDiff, calls []*diagnose.CallSummary) {
	if t.byID == nil {
		t.byID = make(map[string]int32, len(d.added))
	}
	for _, r := range d.removed[d.replaced:] {
		delete(t.byID, r.c.ID)
	}
	for _, m := range d.moves {
		t.byID[calls[m.to].ID] = m.to
	}
	for _, a := range d.added[d.replaced:] {
		t.byID[a.c.ID] = a.slot
	}
	t.ended += countEnded(d.added) - countEnded(d.removed)
}

// Call is the snapshot's call with this id, or nil.
func (t *callsTable) Call(id string) *diagnose.CallSummary {
	if slot, ok := t.byID[id]; ok {
		return t.calls[slot]
	}
	return nil
}

// countEnded is how many of calls have ended.
func countEnded(calls []slotted) int {
	n := 0
	for _, c := range calls {
		if c.c.Ended {
			n++
		}
	}
	return n
}

// Selected returns the call under the cursor, or nil.
func (t *callsTable) Selected() *diagnose.CallSummary {
	if t.cursor < len(t.rows) {
		return t.rows[t.cursor]
	}
	return nil
}

// Filtering reports whether the filter input has the keyboard.
func (t *callsTable) Filtering() bool { return t.filtering }

// visibleRows is how many call rows fit under the headings.
func (t *callsTable) visibleRows() int {
	n := t.height - 1
	if t.filtering {
		n--
	}
	return max(n, 1)
}

// scroll keeps the cursor inside the visible window.
func (t *callsTable) scroll() {
	n := t.visibleRows()
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+n {
		t.offset = t.cursor - n + 1
	}
	t.offset = max(min(t.offset, len(t.rows)-n), 0)
}

// moveTo puts the cursor on row i (clamped) and selects that call; from
// then on the cursor follows that call as the list re-sorts.
func (t *callsTable) moveTo(i int) {
	t.pinned = true
	t.cursor = max(min(i, len(t.rows)-1), 0)
	t.syncSelected()
	t.scroll()
}

// Update handles the calls screen's keys. open is true when the user
// pressed enter on a call.
func (t *callsTable) Update(msg tea.KeyPressMsg) (cmd tea.Cmd, open bool) {
	if t.filtering {
		return t.updateFilter(msg), false
	}
	k := t.keys
	switch {
	case key.Matches(msg, k.Up):
		t.moveTo(t.cursor - 1)
	case key.Matches(msg, k.Down):
		t.moveTo(t.cursor + 1)
	case key.Matches(msg, k.PageUp):
		t.moveTo(t.cursor - t.visibleRows())
	case key.Matches(msg, k.PageDown):
		t.moveTo(t.cursor + t.visibleRows())
	case key.Matches(msg, k.Top):
		t.moveTo(0)
	case key.Matches(msg, k.Bottom):
		t.moveTo(len(t.rows) - 1)
	case key.Matches(msg, k.Sort):
		t.sortBy = (t.sortBy + 1) % sortKeys
		t.refresh()
		return notice("sorted by " + t.sortBy.String() + sortOrder[t.sortBy] + "; s for the next sort"), false
	case key.Matches(msg, k.Filter):
		t.filtering = true
		t.input.value = t.filter
		t.scroll()
		return nil, false
	case key.Matches(msg, k.ClearFilter):
		t.setFilter("")
	case key.Matches(msg, k.Open):
		t.pinned = t.Selected() != nil
		return nil, t.pinned
	}
	return nil, false
}

// updateFilter edits the filter live; enter keeps it, esc clears it.
func (t *callsTable) updateFilter(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		t.filtering = false
		t.scroll()
		return nil
	case "esc":
		t.filtering = false
		t.setFilter("")
		return nil
	}
	t.input.Update(msg)
	t.setFilter(t.input.value)
	return nil
}

// Paste adds pasted text to the filter being typed.
func (t *callsTable) Paste(text string) {
	t.input.Insert(strings.TrimSpace(text))
	t.setFilter(t.input.value)
}

func (t *callsTable) setFilter(f string) {
	f = clean(f)
	if f == t.filter {
		return
	}
	t.filter = f
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
	if t.filter != "" {
		out = append(out, k.ClearFilter)
	}
	return out
}

// FullHelp implements help.KeyMap.
func (t *callsTable) FullHelp() [][]key.Binding {
	k := t.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Filter, k.ClearFilter, k.Sort},
	}
}

// View renders the headings and the visible rows only.
func (t *callsTable) View() string {
	cols := callColumns(t.width)
	lines := make([]string, 0, t.height)
	if t.filtering {
		lines = append(lines, t.input.View(t.styles, t.width))
	}
	lines = append(lines, t.styles.ColumnHeader.Render(fit(cols.heading(t.sortBy), t.width)))
	if len(t.rows) == 0 {
		lines = append(lines, "", "  "+t.emptyText())
		return block(lines, t.width, t.height)
	}
	end := min(t.offset+t.visibleRows(), len(t.rows))
	for i := t.offset; i < end; i++ {
		lines = append(lines, t.renderRow(cols, t.rows[i], i == t.cursor))
	}
	return block(lines, t.width, t.height)
}

func (t *callsTable) emptyText() string {
	switch {
	case !t.hasFrame:
		return "Waiting for the first update from the feed…"
	case len(t.calls) == 0:
		return "No calls right now."
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
	case c.Ended:
		state = rowEnded
	}
	sev := min(max(c.Severity, diagnose.None), diagnose.Critical)
	sevText := sevGlyph(c.Severity) + " " + sevWord(c.Severity, cols.longWords)
	body := cols.row(c, t.feedTime)
	return t.paints.sev[sev][state].render(fit(sevText, cols.sev)) + t.paints.rest[state].render(fit(" "+body, t.width-cols.sev))
}
