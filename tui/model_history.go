package tui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/history"
)

// storedView is a call opened from history: its detail stands in for the
// engine's on the call screen until esc goes back.
type storedView struct {
	detail *diagnose.CallDetail
	from   screen // where esc returns
}

// openHistory shows the history screen, or says why there is none.
func (m *Model) openHistory() tea.Cmd {
	if m.opts.History == nil {
		return notice("call history is kept by a team hub (calltop hub --team): this feed has none")
	}
	m.screen = screenHistory
	m.layout()
	return m.hist.Open()
}

// historyKey handles keys on the history screen.
func (m *Model) historyKey(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "esc" {
		m.screen = screenCalls
		m.calls.Refresh()
		m.layout()
		return nil
	}
	cmd, id := m.hist.Update(msg)
	if id != "" {
		m.notice = "opening " + clean(id) + " from history…"
	}
	return cmd
}

// openStored puts a call fetched from history on the call screen, with
// the person the search named selected.
func (m *Model) openStored(msg storedCallMsg) tea.Cmd {
	if msg.err != nil {
		return notice(fmt.Sprintf("could not open %s from history: %s", clean(msg.id), clean(msg.err.Error())))
	}
	m.notice = ""
	from := m.screen
	if from == screenCall {
		from = screenCalls
	}
	d := msg.call.Detail()
	id := d.Summary.Key // the call's own id (msg.id may be its history key)
	m.stored = &storedView{detail: d, from: from}
	m.screen = screenCall
	m.focusID = id
	m.call.Open(id, roomOf(d.Summary), target{person: matchedPerson(d, m.historyQuery())})
	m.call.SetDetail(d, d.Summary.End, id)
	m.call.gone = false
	m.layout()
	return nil
}

// historyQuery is the person part of the search a stored call was found
// by ("dana room:x" -> "dana").
func (m *Model) historyQuery() string {
	text := m.hist.query
	if m.findText != "" {
		text = m.findText
	}
	q, _ := history.ParseQuery(text, time.Time{})
	return q.Person
}

// closeStored leaves a stored call for the screen it was opened from.
func (m *Model) closeStored() tea.Cmd {
	m.screen, m.stored, m.focusID = m.stored.from, nil, ""
	m.calls.Refresh()
	m.layout()
	return nil
}

// matchedPerson is the id of the stored call's first participant whose
// name or user id the query's words all start (none: "").
func matchedPerson(d *diagnose.CallDetail, query string) string {
	words := (history.Query{Person: query}).PersonWords()
	if len(words) == 0 {
		return ""
	}
	for _, p := range d.Participants {
		if history.MatchPerson(words, history.PersonWords(p.Name, p.UserID)) {
			return p.ID
		}
	}
	return ""
}

// findInHistory runs once while --find waits: when the live calls have
// come and none matches, it asks history, and opens the newest ended call
// that does (the live search goes on meanwhile).
func (m *Model) findInHistory() tea.Cmd {
	if m.opts.History == nil || m.findAsked || m.findText == "" || !m.hasFrame || len(m.shown.Calls.Calls) == 0 {
		return nil
	}
	m.findAsked = true
	src, text := m.opts.History, m.findText
	return func() tea.Msg {
		ctx, cancel := contextFor(historyTimeout)
		defer cancel()
		res, err := src.Search(ctx, text)
		if err != nil || len(res) == 0 {
			return nil
		}
		c, err := src.Call(ctx, res[0].Key)
		return findStoredMsg{storedCallMsg{id: res[0].Key, call: c, err: err}}
	}
}

// findStoredMsg is --find's answer from history.
type findStoredMsg struct{ storedCallMsg }
