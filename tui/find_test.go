package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
)

func TestQueryTermsAndPhrases(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{`Victor  V.`, []string{"victor", "v."}},
		{`"Carmen G." room-7`, []string{"carmen g.", "room-7"}},
		{`"Ada   J."`, []string{"ada j."}},
		{`"unclosed phrase`, []string{"unclosed phrase"}},
		{`""  x`, []string{"x"}},
		{"", nil},
	} {
		if got := parseQuery(c.in).Terms; !slices.Equal(got, c.want) {
			t.Errorf("parseQuery(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// call is a summary with a room and participants ("Name" or "Name/user").
func call(id, room string, sev diagnose.Severity, names ...string) *diagnose.CallSummary {
	return &diagnose.CallSummary{ID: id, Key: id, Room: room, Severity: sev, Participants: len(names),
		People: people(names...), Start: t0, FirstStats: t0, WorstMOS: 4, WorstLoss: 0, WorstRTTMs: 50, Version: 1}
}

func TestEveryWordMatchesTheSameParticipant(t *testing.T) {
	mixed := call("c1", "standup", diagnose.Critical, "Victor G.", "Yara V.")
	victor := call("c2", "sales", diagnose.None, "Victor V.", "Bo K.")
	carmen := call("c3", "ops", diagnose.Warning, "Carmen A.", "Lee G.")
	for _, c := range []struct {
		query string
		want  map[string]string // call id -> the participant shown as matched ("" for the call itself)
	}{
		{"victor v.", map[string]string{"c2": "Victor V."}},
		{`"carmen g."`, map[string]string{}},
		{"carmen g.", map[string]string{}},
		{`"victor g."`, map[string]string{"c1": "Victor G."}},
		{"yara standup", map[string]string{"c1": "Yara V."}},
		{"ops", map[string]string{"c3": ""}},
		{"c2", map[string]string{"c2": ""}},
	} {
		q := parseQuery(c.query)
		got := map[string]string{}
		for _, cl := range []*diagnose.CallSummary{mixed, victor, carmen} {
			if m := q.Match(newCallText(cl)); m.Rank != noMatch {
				got[cl.ID] = ""
				if m.Person >= 0 {
					got[cl.ID] = cl.People[m.Person].Name
				}
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("%q matched %v, want %v", c.query, got, c.want)
			continue
		}
		for id, who := range c.want {
			if g, ok := got[id]; !ok || g != who {
				t.Errorf("%q matched %v, want %v", c.query, got, c.want)
			}
		}
	}
}

// filterModel is a model at 80x24 over calls, with the filter typed.
func filterModel(t *testing.T, filter string, calls ...*diagnose.CallSummary) *Model {
	t.Helper()
	f := frame(1, 1, "")
	f.Calls.Calls = calls
	m, _ := newTestModel(80, 24, f)
	hit(m, "/")
	typeText(m, filter)
	return m
}

func TestExactMatchFirstThenWorst(t *testing.T) {
	jones := call("c1", "room-a", diagnose.Critical, "Ada J. Jones")
	ada := call("c2", "room-b", diagnose.None, "Ada J.")
	nada := call("c3", "room-c", diagnose.Warning, "Nada J.")
	adaB := call("c4", "room-d", diagnose.Warning, "Ada J.", "Ola P.")
	m := filterModel(t, "ada j.", jones, ada, nada, adaB)
	got := []string{}
	for _, c := range m.calls.rows {
		got = append(got, c.ID)
	}
	// Exact (c4 worse than c2), then word starts (c1), then inside a word (c3).
	if want := []string{"c4", "c2", "c1", "c3"}; !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
}

func TestCursorGoesToTheBestMatchOnEveryFilterChange(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 100, ""))
	keys(m, "j", "j", "j", "j")
	hit(m, "/")
	typeText(m, "user-1")
	if m.calls.list.Cursor() != 0 {
		t.Fatalf("after typing the cursor is on row %d, want the best match", m.calls.list.Cursor())
	}
	hit(m, "enter") // keeps the filter
	hit(m, "j")
	typeText(m, "/")
	typeText(m, "9")
	if m.calls.list.Cursor() != 0 || m.calls.Selected().People[0].Name != "user-19" {
		t.Fatalf("after changing the filter the cursor is on %s (row %d), want user-19's call on top",
			m.calls.Selected().ID, m.calls.list.Cursor())
	}
}

func TestRowShowsTheMatchedParticipant(t *testing.T) {
	a := call("c1", "standup", diagnose.Warning, "Ada J.", "Bo K.")
	b := call("c2", "standup", diagnose.Warning, "Cy D.", "Ada J.")
	m := filterModel(t, `"ada j."`, a, b)
	hit(m, "enter")
	rows := strings.Count(screenText(m), "standup") // both rooms are called standup
	if rows != 2 || strings.Count(screenText(m), "Ada J.") != 2 {
		t.Fatalf("both rows should show the room and Ada J.:\n%s", screenText(m))
	}
	mustNotShow(t, m, "Bo K.", "Cy D.")
}

func TestOpeningAPersonMatchSelectsThatPerson(t *testing.T) {
	m, rec := newTestModel(80, 24, frame(1, 40, ""))
	hit(m, "/")
	typeText(m, "bob")
	keys(m, "enter", "enter")
	if m.screen != screenCall || lastLog(rec) != "focus c-wifi-001" {
		t.Fatalf("enter enter did not open Bob's call: %v", rec.log())
	}
	m.Update(frameMsg(frame(2, 40, "c-wifi-001")))
	if p := m.call.participant(); p == nil || p.Name != "Bob" {
		t.Fatalf("selected %v, want Bob (the participant the filter matched)", p)
	}
	mustShow(t, m, "Bob, last 5 min")
}

func TestCallWithAHostileIDOpens(t *testing.T) {
	raw := "c-\x1b[31m-" + strings.Repeat("x", 300)
	f := frame(1, 3, "")
	c := *f.Calls.Calls[0]
	c.Key, c.ID, c.Room = raw, diagnose.Clean(raw), ""
	f.Calls.Calls[0] = &c
	m, rec := newTestModel(80, 24, f)
	hit(m, "enter")
	if lastLog(rec) != "focus "+raw {
		t.Fatalf("the call was asked for by %q, want the id the feed sent", lastLog(rec))
	}
	f2 := frame(2, 3, "")
	f2.Calls.Calls[0] = &c
	f2.Calls.Focus = wifiDetail(&c)
	m.Update(frameMsg(f2))
	if m.call.detail == nil {
		t.Fatal("the call never opened")
	}
	if strings.Contains(m.View().Content, "\x1b[31m-") {
		t.Fatal("the id's escape sequence reached the terminal")
	}
}

// findModel is a model started with --find text, sized 80x24.
func findModel(text string) (*Model, *recorder) {
	rec := &recorder{}
	m := New(rec, nil, Options{Find: text})
	m.Update(teaSize(80, 24))
	return m, rec
}

// show hands m a frame and runs what it asks for.
func show(m *Model, f engine.Frame) {
	_, cmd := m.Update(frameMsg(f))
	run(m, cmd)
}

func TestFindOpensTheBestMatchOnThePerson(t *testing.T) {
	m, rec := findModel("bob")
	show(m, frame(1, 40, ""))
	if m.screen != screenCall || lastLog(rec) != "focus c-wifi-001" {
		t.Fatalf("--find bob did not open Bob's call: screen %d, %v", m.screen, rec.log())
	}
	show(m, frame(2, 40, "c-wifi-001"))
	if p := m.call.participant(); p == nil || p.Name != "Bob" {
		t.Fatalf("selected %v, want Bob", p)
	}
	mustShow(t, m, "Bob, last 5 min")
	hit(m, "esc")
	mustShow(t, m, "filter: bob") // back on the list the search made
}

func TestFindWaitsForTheCallToAppear(t *testing.T) {
	m, rec := findModel("user-33")
	show(m, frame(1, 20, ""))
	if m.screen != screenCalls || len(rec.log()) != 0 {
		t.Fatalf("opened something before user-33's call existed: %v", rec.log())
	}
	mustShow(t, m, `No call matches "user-33" yet; waiting for it to appear`)
	show(m, frame(2, 40, ""))
	if m.screen != screenCall || lastLog(rec) != "focus c-00033" {
		t.Fatalf("did not open user-33's call once it appeared: %v", rec.log())
	}
}

func TestFindWithSeveralEqualMatchesShowsTheList(t *testing.T) {
	m, rec := findModel("user-1")
	show(m, frame(1, 40, ""))
	if m.screen != screenCalls || len(rec.log()) != 0 {
		t.Fatalf("opened one of several equal matches: %v", rec.log())
	}
	mustShow(t, m, `calls match "user-1" equally well`, "user-10", "user-11")
}
