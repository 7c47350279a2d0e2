package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose"
)

func TestCallsMovementKeys(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 100, ""))
	n := len(m.calls.rows)
	for _, c := range []struct {
		key  string
		want int
	}{{"j", 1}, {"down", 2}, {"k", 1}, {"up", 0}, {"up", 0}, {"pgdown", 21}, {"pgup", 0}, {"G", n - 1}, {"g", 0}, {"end", n - 1}, {"home", 0}} {
		hit(m, c.key)
		if m.calls.list.Cursor() != c.want {
			t.Fatalf("%s: cursor %d, want %d", c.key, m.calls.list.Cursor(), c.want)
		}
	}
	hit(m, "G")
	mustShow(t, m, "1:1 dana/eve") // the last row (ended) is scrolled into view
}

func TestSortCycles(t *testing.T) {
	m, _ := newTestModel(200, 50, frame(1, 40, ""))
	seen := []string{}
	for range sortKeys {
		seen = append(seen, m.calls.sortBy.String()+":"+m.calls.rows[0].ID)
		hit(m, "s")
	}
	if m.calls.sortBy != sortSeverity {
		t.Fatal("s did not cycle back to severity")
	}
	mustShow(t, m, "sorted by severity, worst first; s for the next sort")
	want := []string{"severity:c-wifi-001", "MOS:c-00019", "loss:c-wifi-001", "RTT:c-rtt-002", "duration:c-wifi-001", "room:c-relay-005"}
	if !slices.Equal(seen, want) {
		t.Fatalf("sort tops %v, want %v", seen, want)
	}
}

func TestSortKeepsEndedLast(t *testing.T) {
	m, _ := newTestModel(200, 50, frame(1, 40, ""))
	for range sortKeys {
		rows := m.calls.rows
		if !rows[len(rows)-1].Ended {
			t.Fatalf("sort %s: last row %s is not the ended call", m.calls.sortBy, rows[len(rows)-1].ID)
		}
		hit(m, "s")
	}
}

func TestSelectionFollowsCallAcrossResort(t *testing.T) {
	m, _ := newTestModel(200, 50, frame(1, 40, ""))
	for m.calls.Selected().ID != "c-rtt-002" {
		hit(m, "j")
	}
	before := m.calls.list.Cursor()
	f := frame(2, 40, "")
	worse := *f.Calls.Calls[1]
	worse.Severity, worse.WorstMOS, worse.Version = diagnose.Critical, 1.5, 4
	f.Calls.Calls[1] = &worse
	m.Update(frameMsg(f))
	if m.calls.Selected().ID != "c-rtt-002" || m.calls.list.Cursor() == before || m.calls.list.Cursor() != 0 {
		t.Fatalf("selection did not follow the call: cursor %d (was %d), selected %s", m.calls.list.Cursor(), before, m.calls.Selected().ID)
	}
}

func TestCursorStaysOnTopUntilTheUserMoves(t *testing.T) {
	m, _ := newTestModel(200, 50, frame(1, 40, ""))
	f := frame(2, 40, "")
	worse := *f.Calls.Calls[1]
	worse.Severity, worse.WorstMOS = diagnose.Critical, 1.5
	f.Calls.Calls[1] = &worse
	m.Update(frameMsg(f))
	if m.calls.list.Cursor() != 0 || m.calls.Selected().ID != "c-rtt-002" {
		t.Fatalf("before any move the cursor should stay on the worst call, got %s at %d", m.calls.Selected().ID, m.calls.list.Cursor())
	}
}

func TestFilterLive(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 100, ""))
	hit(m, "/")
	if !m.calls.Filtering() {
		t.Fatal("/ did not open the filter")
	}
	typeText(m, "alice")
	if len(m.calls.rows) != 1 || m.calls.rows[0].ID != "c-wifi-001" {
		t.Fatalf("filter by participant name: %d rows", len(m.calls.rows))
	}
	mustShow(t, m, "/alice", "filter: alice")
	keys(m, "backspace", "backspace", "backspace", "backspace", "backspace")
	typeText(m, "team=support")
	if len(m.calls.rows) != 1 {
		t.Fatalf("filter by tag: %d rows", len(m.calls.rows))
	}
	hit(m, "enter")
	if m.calls.Filtering() || m.calls.filter != "team=support" {
		t.Fatal("enter did not keep the filter")
	}
	mustShow(t, m, "filter: team=support")
	hit(m, "esc")
	if m.calls.filter != "" || len(m.calls.rows) != 100 {
		t.Fatal("esc did not clear the kept filter")
	}
	keys(m, "/", "z", "z", "z")
	mustShow(t, m, `No call matches "zzz"`)
	hit(m, "esc")
	if m.calls.Filtering() || m.calls.filter != "" {
		t.Fatal("esc while typing did not clear and close the filter")
	}
}

func TestFilterMatchesRoomIDAndUser(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 100, ""))
	for _, c := range []struct {
		text string
		want string
	}{{"sales", "c-rtt-002"}, {"C-END", "c-end-004"}, {"bob@acme", "c-wifi-001"}, {"relay-005", "c-relay-005"}} {
		keys(m, "/")
		typeText(m, c.text)
		if len(m.calls.rows) != 1 || m.calls.rows[0].ID != c.want {
			t.Errorf("filter %q: got %d rows", c.text, len(m.calls.rows))
		}
		hit(m, "esc")
	}
}

func TestFilterPasteAndEditing(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 100, ""))
	hit(m, "/")
	m.Update(tea.PasteMsg{Content: "alice@acme\n"})
	if m.calls.filter != "alice@acme" || len(m.calls.rows) != 1 {
		t.Fatalf("paste: filter %q, %d rows", m.calls.filter, len(m.calls.rows))
	}
	hit(m, "ctrl+w")
	if m.calls.filter != "" {
		t.Fatalf("ctrl+w left %q", m.calls.filter)
	}
	typeText(m, "sales demo")
	keys(m, "ctrl+w")
	if m.calls.filter != "sales " {
		t.Fatalf("ctrl+w deletes a word: %q", m.calls.filter)
	}
	keys(m, "ctrl+u")
	if m.calls.filter != "" || len(m.calls.rows) != 100 {
		t.Fatal("ctrl+u did not clear the line")
	}
	m.Update(tea.PasteMsg{Content: strings.Repeat("x", 200)})
	if len(m.calls.filter) != 80 {
		t.Fatalf("the filter is not bounded: %d", len(m.calls.filter))
	}
}

func TestHonestRows(t *testing.T) {
	young := call("c-young", "just-started", diagnose.None, "Zoe")
	young.Start = feedTime().Add(-5 * time.Minute)      // going on before calltop connected:
	young.FirstStats = feedTime().Add(-5 * time.Second) // its stats are 5 s old
	old := call("c-old", "long-running", diagnose.None, "Yan")
	old.Start, old.FirstStats = feedTime().Add(-5*time.Minute), feedTime().Add(-5*time.Minute)
	f := frame(1, 5, "")
	f.Calls.Calls = append(f.Calls.Calls, young, old)
	m, _ := newTestModel(120, 24, f)
	s := screenText(m)
	row := func(room string) string {
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, room) {
				return l
			}
		}
		t.Fatalf("no row for %s:\n%s", room, s)
		return ""
	}
	if r := row("just-started"); !strings.Contains(r, "new") || !strings.Contains(r, "warming up") || strings.Contains(r, " ok ") {
		t.Fatalf("a 5 s old call should say it is warming up, not ok: %q", r)
	}
	if r := row("long-running"); !strings.Contains(r, "ok") {
		t.Fatalf("a 5 min old call with no finding is ok: %q", r)
	}
	if r := row("1:1 dana/eve"); !strings.Contains(r, "warning") || !strings.Contains(r, "ended 30s ago: Eve's microphone") {
		t.Fatalf("an ended call keeps its severity and says when it ended: %q", r)
	}
}
