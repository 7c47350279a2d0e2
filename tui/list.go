package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// list is the cursor, the selection and the visible window of a list whose
// rows have ids. Every list on screen (calls, participants, diagnoses,
// alerts, the event log) uses one, so they all move and page alike. The
// selection follows the selected row's id as the rows are replaced or
// re-sorted; until the user moves, the cursor stays at home (the first
// row, or the last for a list that follows its newest row).
type list struct {
	keys     *KeyMap
	id       func(i int) string // the id of row i, read on demand
	tail     bool               // home is the last row (a log that follows its newest line)
	pager    bool               // text to read: the cursor is the top line on screen
	n        int                // rows
	height   int                // rows on screen
	cursor   int
	offset   int    // first row on screen
	selected string // the selected row's id
	pinned   bool   // the user chose a row; until then the cursor stays at home
}

func newList(keys *KeyMap, id func(i int) string) list {
	return list{keys: keys, id: id, height: 1}
}

// Cursor is the index of the selected row (0 when the list is empty).
func (l *list) Cursor() int { return l.cursor }

// Len is how many rows the list has.
func (l *list) Len() int { return l.n }

// Pinned reports whether the user chose the selected row.
func (l *list) Pinned() bool { return l.pinned }

// Window is the range of rows on screen, [from, to).
func (l *list) Window() (from, to int) {
	return l.offset, min(l.offset+l.height, l.n)
}

// SetHeight sets how many rows fit on screen and scrolls the cursor into view.
func (l *list) SetHeight(h int) {
	l.height = max(h, 1)
	l.scroll()
}

// SetRows takes a new row count and finds the selected id among the rows,
// so the cursor stays on the same row wherever it moved.
func (l *list) SetRows(n int) {
	at := -1
	if l.pinned && l.selected != "" {
		for i := 0; i < n; i++ {
			if l.id(i) == l.selected {
				at = i
				break
			}
		}
	}
	l.SetRowsAt(n, at)
}

// SetRowsAt takes a new row count when the caller knows where the selected
// row went (at; -1 when it is gone, and the cursor keeps its place).
func (l *list) SetRowsAt(n, at int) {
	l.n = max(n, 0)
	switch {
	case !l.pinned:
		l.cursor = l.home()
	case at >= 0 && at < l.n:
		l.cursor = at
	}
	l.cursor = max(min(l.cursor, l.n-1), 0)
	l.sync()
	l.scroll()
}

// Select puts the cursor on the row with this id, if the list has it; ok
// is false when it does not (the selection is then kept for later rows).
func (l *list) Select(id string) (ok bool) {
	l.selected, l.pinned = id, true
	for i := 0; i < l.n; i++ {
		if l.id(i) == id {
			l.MoveTo(i)
			return true
		}
	}
	return false
}

// Home forgets the user's choice: the cursor goes back to the first row
// (the last for a tail list) and stays there as rows change.
func (l *list) Home() {
	l.pinned = false
	l.cursor = l.home()
	l.offset = 0
	l.sync()
	l.scroll()
}

// MoveTo puts the cursor on row i (clamped) and selects it; from then on
// the cursor follows that row as the list changes.
func (l *list) MoveTo(i int) {
	l.pinned = true
	l.cursor = max(min(i, l.n-1), 0)
	l.sync()
	l.scroll()
}

// Update moves the cursor for the list keys (up/down, j/k, PgUp/PgDn,
// ctrl+u/d, g/G, home/end); it reports whether the key was one of them.
func (l *list) Update(msg tea.KeyPressMsg) bool {
	k := l.keys
	switch {
	case key.Matches(msg, k.Up):
		l.MoveTo(l.cursor - 1)
	case key.Matches(msg, k.Down):
		l.MoveTo(l.cursor + 1)
	case key.Matches(msg, k.PageUp):
		l.MoveTo(l.cursor - l.height)
	case key.Matches(msg, k.PageDown):
		l.MoveTo(l.cursor + l.height)
	case key.Matches(msg, k.Top):
		l.MoveTo(0)
	case key.Matches(msg, k.Bottom):
		l.MoveTo(l.n - 1)
	default:
		return false
	}
	return true
}

// home is where the cursor rests until the user moves it.
func (l *list) home() int {
	if l.tail {
		return max(l.n-1, 0)
	}
	return 0
}

// sync records the id of the row under the cursor.
func (l *list) sync() {
	if l.cursor < l.n && l.id != nil {
		l.selected = l.id(l.cursor)
	}
}

// scroll keeps the cursor inside the window, moving the window as little
// as it can, and never leaves empty rows under the last one.
func (l *list) scroll() {
	if l.pager {
		l.offset = max(min(l.cursor, l.n-l.height), 0)
		l.cursor = l.offset
		return
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+l.height {
		l.offset = l.cursor - l.height + 1
	}
	l.offset = max(min(l.offset, l.n-l.height), 0)
}
