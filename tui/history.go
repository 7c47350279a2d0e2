package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose/history"
)

// HistorySource is a team hub's call history, as the history screen reads
// it (Options.History; nil when the feed is not a team hub).
type HistorySource interface {
	// Search lists the ended calls matching text, newest first.
	Search(ctx context.Context, text string) ([]history.Summary, error)
	// Call fetches one stored call.
	Call(ctx context.Context, id string) (history.Call, error)
}

// historyTimeout bounds one request to the hub's history.
const historyTimeout = 10 * time.Second

// historyResultsMsg carries a search's answer into Update.
type historyResultsMsg struct {
	query string
	res   []history.Summary
	err   error
}

// storedCallMsg carries a stored call (or why it could not be had).
type storedCallMsg struct {
	id   string
	call history.Call
	err  error
}

// historyScreen searches the hub's ended calls: a search box, then one
// row a call (when it ended, room, people, duration, MOS, worst finding);
// enter opens the stored call on the call screen.
type historyScreen struct {
	common
	src       HistorySource
	input     textinput.Model
	typing    bool   // the search box has the keyboard
	query     string // the search the rows answer
	asked     string // the search under way, while searching
	searching bool
	results   []history.Summary
	err       string
	list      list
}

func newHistoryScreen(c common, src HistorySource) *historyScreen {
	s := &historyScreen{common: c, src: src, input: newFilterInput(c.styles)}
	s.input.Prompt = "search: "
	s.input.Placeholder = "a name or user id; room:NAME rule:RULE sev:warning since:24h KEY=VALUE"
	s.list = newList(c.keys, func(i int) string { return s.results[i].Key })
	return s
}

// Open shows the screen with the search box focused and asks the hub
// again for the search it shows (the newest calls the first time): calls
// have ended since it was last open.
func (s *historyScreen) Open() tea.Cmd {
	s.typing = true
	return tea.Batch(s.input.Focus(), s.search(s.query))
}

// search asks the hub, in a command (I/O never runs in Update).
func (s *historyScreen) search(text string) tea.Cmd {
	s.asked, s.searching, s.err = text, true, ""
	src := s.src
	return func() tea.Msg {
		ctx, cancel := contextFor(historyTimeout)
		defer cancel()
		res, err := src.Search(ctx, text)
		return historyResultsMsg{query: text, res: res, err: err}
	}
}

// fetch asks the hub for one stored call.
func (s *historyScreen) fetch(id string) tea.Cmd {
	src := s.src
	return func() tea.Msg {
		ctx, cancel := contextFor(historyTimeout)
		defer cancel()
		c, err := src.Call(ctx, id)
		return storedCallMsg{id: id, call: c, err: err}
	}
}

// SetResults takes a search's answer (an older search's is ignored).
func (s *historyScreen) SetResults(msg historyResultsMsg) {
	if !s.searching || msg.query != s.asked {
		return
	}
	s.searching = false
	if msg.err != nil {
		s.err = clean(msg.err.Error())
		return
	}
	s.query, s.results = msg.query, msg.res
	s.list.Home()
	s.list.SetRows(len(s.results))
}

// Update handles the screen's keys: typing, then moving in the results.
// It returns a command and the id of a call to open ("" for none).
func (s *historyScreen) Update(msg tea.KeyPressMsg) (tea.Cmd, string) {
	k := s.keys
	if s.typing {
		switch msg.String() {
		case "enter":
			s.typing = false
			s.input.Blur()
			return s.search(strings.TrimSpace(s.input.Value())), ""
		case "esc", "down", "tab":
			s.typing = false
			s.input.Blur()
			return nil, ""
		}
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg)
		return cmd, ""
	}
	if s.list.Update(msg) {
		return nil, ""
	}
	switch {
	case key.Matches(msg, k.Filter):
		s.typing = true
		return s.input.Focus(), ""
	case key.Matches(msg, k.Open):
		if c := s.list.Cursor(); c < len(s.results) {
			return s.fetch(s.results[c].Key), s.results[c].ID
		}
	}
	return nil, ""
}

// Typing reports whether the search box has the keyboard.
func (s *historyScreen) Typing() bool { return s.typing }

// SetSize implements component.
func (s *historyScreen) SetSize(w, h int) {
	s.common.SetSize(w, h)
	s.input.SetWidth(max(w-len(s.input.Prompt)-1, 1))
	s.list.SetHeight(max(h-4, 1))
}

// ShortHelp implements help.KeyMap.
func (s *historyScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.typing {
		return []key.Binding{historyRun, k.Cancel}
	}
	return []key.Binding{k.Open, k.Filter, k.Back}
}

// FullHelp implements help.KeyMap.
func (s *historyScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.Filter, k.Back}}
}

// historyRun is the search box's enter, for the hint bar.
var historyRun = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "search"))

// View renders the title, the search box, the headings and the results.
func (s *historyScreen) View() string {
	st := s.styles
	lines := []string{fit(st.Section.Render("Call history")+st.Dim.Render(" · "+s.status()), s.width), s.input.View()}
	cols := historyColumns(s.width)
	lines = append(lines, st.ColumnHeader.Render(fit(cols.heading(), s.width)))
	if len(s.results) == 0 {
		lines = append(lines, "", "  "+s.emptyText())
		return block(lines, s.width, s.height)
	}
	from, to := s.list.Window()
	for i := from; i < to; i++ {
		row := fit(cols.row(&s.results[i]), s.width)
		if i == s.list.Cursor() {
			row = st.Selected.Render(row)
		}
		lines = append(lines, row)
	}
	return block(lines, s.width, s.height)
}

// status says what the rows are.
func (s *historyScreen) status() string {
	switch {
	case s.searching || (s.results == nil && s.err == ""):
		return "searching…"
	case s.err != "":
		return "search failed"
	case s.query == "" && len(s.results) == 0:
		return "no ended calls yet"
	case s.query == "":
		return fmt.Sprintf("the newest %s", plural(len(s.results), "ended call"))
	}
	return fmt.Sprintf("%s matching %q, newest first", plural(len(s.results), "ended call"), clean(s.query))
}

func (s *historyScreen) emptyText() string {
	switch {
	case s.err != "":
		return s.err
	case s.results == nil:
		return "Asking the hub…"
	case s.query == "":
		return "No call has ended since this hub began keeping history."
	}
	return fmt.Sprintf("No ended call matches %q. Try fewer words, or / to search again.", clean(s.query))
}

// contextFor is a context that ends after d, for one request in a command.
func contextFor(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
