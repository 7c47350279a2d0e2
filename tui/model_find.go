package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// startFind puts --find's text in the filter; frames then open the best
// match as soon as it is the only one (see findStep).
func (m *Model) startFind(text string) {
	if text = clean(text); text == "" {
		return
	}
	m.calls.finding = true
	m.findText = text
	m.calls.setFilter(text)
}

// findStep runs after each frame while --find is pending: with no match
// yet it keeps waiting; with one best match it opens that call on the
// matched person; with several equally good it leaves the filtered list
// to the user. Any key the user presses ends the search too.
func (m *Model) findStep() tea.Cmd {
	if !m.calls.finding || m.screen != screenCalls {
		return nil
	}
	n := m.calls.bestMatches()
	switch {
	case n < 0: // view mode: the hub has not answered the filter yet
		return nil
	case n == 0:
		return m.findInHistory()
	case n > 1:
		m.calls.finding = false
		return notice(fmt.Sprintf("%d calls match %q equally well: choose one (enter opens it)", n, m.calls.filter))
	}
	m.calls.finding = false
	c := m.calls.Selected()
	m.calls.moveTo(0)
	return m.openCall(c.Key, target{person: m.calls.matchedPerson(c)})
}
