package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/history"
)

var t0 = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

// testCall makes an ended call: room, start offset, and its people as
// name/user-id pairs; a finding of rule (critical) on the first when rule
// is set.
func testCall(id, room string, startMin int, rule string, people ...[2]string) history.Call {
	start := t0.Add(time.Duration(startMin) * time.Minute)
	end := diagnose.ReportTime{Time: start.Add(10 * time.Minute)}
	c := history.Call{Source: "sim", Series: map[string]history.Series{}}
	c.Report = diagnose.ReportCall{ID: id, Room: room, Tags: map[string]string{"region": "eu-west-1"},
		Start: diagnose.ReportTime{Time: start}, End: &end, DurationSec: 600, Findings: []diagnose.ReportFinding{}}
	for i, p := range people {
		pid := fmt.Sprintf("p%d", i+1)
		c.Report.Participants = append(c.Report.Participants, diagnose.ReportParticipant{ID: pid, Name: p[0],
			MOS: &diagnose.ReportMOS{Mean: 4.1, Min: 3.9}, Connections: []diagnose.ReportConnection{}})
		c.People = append(c.People, history.Person{ID: pid, Name: p[0], UserID: p[1], Browser: "Chrome 142", Network: "wifi"})
		c.Series[pid] = history.Series{Start: start, OffsetMs: []int32{0, 20000}, BitrateInKbps: history.Points{1200, 1180}, RTTMs: history.Points{80, 95}}
	}
	if rule != "" {
		c.Report.Findings = append(c.Report.Findings, diagnose.ReportFinding{Rule: rule, Severity: diagnose.Critical,
			Participant: "p1", Start: diagnose.ReportTime{Time: start.Add(time.Minute)}, Message: people[0][0] + "'s audio is losing 8 % of packets",
			Advice: "Ask them to move closer to the Wi-Fi router.", Evidence: []diagnose.Evidence{}})
	}
	return c
}

func open(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ids(sums []history.Summary) []string {
	out := []string{}
	for _, s := range sums {
		out = append(out, s.ID)
	}
	return out
}

func search(t *testing.T, s *Store, q history.Query) []string {
	t.Helper()
	got, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return ids(got)
}

func TestPersonSearchMatchesOnePersonsWordsNewestFirst(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	calls := []history.Call{
		testCall("c1", "standup-eng", 0, "", [2]string{"Dana O'Neil", "u-42"}, [2]string{"Olu G.", "u-7"}),
		testCall("c2", "retro-mkt", 30, "loss-inbound", [2]string{"Dana Smith", "u-43"}, [2]string{"Oscar B.", "u-8"}),
		testCall("c3", "standup-eng", 60, "", [2]string{"dana o'neil", "u-42"}),
		testCall("c4", "1on1-hr", 90, "", [2]string{"Victor G.", "u-9"}, [2]string{"Yara V.", "u-10"}),
	}
	if err := s.Put(ctx, calls); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		q    history.Query
		want []string
	}{
		{history.Query{Person: "dana"}, []string{"c3", "c2", "c1"}},
		{history.Query{Person: "DAN o"}, []string{"c3", "c1"}},     // c2 has Dana and Oscar, not one person
		{history.Query{Person: "victor v."}, []string{}},           // Victor G. and Yara V. are two people
		{history.Query{Person: "u42"}, []string{"c3", "c1"}},       // user id, punctuation folded
		{history.Query{Person: "oneil,"}, []string{"c3", "c1"}},    // apostrophe and comma folded
		{history.Query{Room: "Standup-ENG"}, []string{"c3", "c1"}}, // room exact, any case
		{history.Query{CallID: "c2"}, []string{"c2"}},
		{history.Query{Rule: "loss-inbound"}, []string{"c2"}},
		{history.Query{MinSeverity: diagnose.Warning}, []string{"c2"}},
		{history.Query{Tags: map[string]string{"region": "eu-west-1"}, Limit: 2}, []string{"c4", "c3"}},
		{history.Query{Tags: map[string]string{"region": "us-east-1"}}, []string{}},
		{history.Query{Person: "dana", Since: t0.Add(35 * time.Minute)}, []string{"c3", "c2"}},
		{history.Query{Person: "dana", Until: t0.Add(35 * time.Minute)}, []string{"c1"}},
		{history.Query{}, []string{"c4", "c3", "c2", "c1"}},
	}
	for _, tc := range cases {
		if got := search(t, s, tc.q); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("search %+v = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestGetGivesBackTheWholeCall(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	want := testCall("c1", "standup-eng", 0, "rtt-high", [2]string{"Dana O'Neil", "u-42"})
	if err := s.Put(ctx, []history.Call{want}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stored call came back different:\n got %+v\nwant %+v", got, want)
	}
	if _, err := s.Get(ctx, "nope"); !errors.Is(err, history.ErrNotFound) {
		t.Fatalf("Get of an unknown id: %v, want ErrNotFound", err)
	}
	sums, _ := s.Search(ctx, history.Query{CallID: "c1"})
	if len(sums) != 1 || sums[0].WorstRule != "rtt-high" || sums[0].Worst != diagnose.Critical || sums[0].People[0] != "Dana O'Neil" {
		t.Fatalf("summary %+v", sums)
	}
}

func TestPutReplacesACallKeptUnderTheSameID(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	if err := s.Put(ctx, []history.Call{testCall("c1", "a", 0, "", [2]string{"Dana", "u1"})}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, []history.Call{testCall("c1", "b", 0, "", [2]string{"Olu", "u2"})}); err != nil {
		t.Fatal(err)
	}
	if got := search(t, s, history.Query{Person: "dana"}); len(got) != 0 {
		t.Fatalf("the replaced call's person is still found: %v", got)
	}
	if got := search(t, s, history.Query{Person: "olu"}); !reflect.DeepEqual(got, []string{"c1"}) {
		t.Fatalf("search olu = %v", got)
	}
}

func TestPruneByAgeAndBySize(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	var calls []history.Call
	for i := range 20 {
		calls = append(calls, testCall(fmt.Sprintf("c%02d", i), "room", i*60, "", [2]string{"Dana", "u1"}))
	}
	if err := s.Put(ctx, calls); err != nil {
		t.Fatal(err)
	}
	// Calls end at t0+10m+i h: those ending before t0+5h10m are c00..c04.
	n, err := s.Prune(ctx, t0.Add(5*time.Hour+10*time.Minute), 0)
	if err != nil || n != 5 {
		t.Fatalf("prune by age removed %d (%v), want 5", n, err)
	}
	if got := search(t, s, history.Query{CallID: "c04"}); len(got) != 0 {
		t.Fatal("c04 survived its age")
	}
	stored, _ := s.StoredBytes(ctx)
	per := stored / 15
	n, err = s.Prune(ctx, time.Time{}, per*5)
	if err != nil || n < 9 || n > 11 {
		t.Fatalf("prune by size removed %d (%v), want about 10 of 15", n, err)
	}
	left := search(t, s, history.Query{Limit: 100})
	if len(left) != 15-n || left[0] != "c19" {
		t.Fatalf("after size pruning: %v (want the newest kept)", left)
	}
	if got := search(t, s, history.Query{Person: "dana", Limit: 100}); len(got) != len(left) {
		t.Fatalf("person index kept %d calls, the store %d", len(got), len(left))
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(context.Background(), path); err == nil {
		t.Fatal("a history file from a newer calltop was opened")
	}
}

// Ids repeat (a simulator after a restart, a meeting room used every
// day): a call is its id and start, both are kept, and Get opens either
// by its key, or the newest by the bare id.
func TestTheSameIDAtAnotherStartIsAnotherCall(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	monday := testCall("standup", "standup-eng", 0, "", [2]string{"Dana", "u1"})
	tuesday := testCall("standup", "standup-eng", 24*60, "", [2]string{"Olu", "u2"})
	if err := s.Put(ctx, []history.Call{monday, tuesday}); err != nil {
		t.Fatal(err)
	}
	sums, err := s.Search(ctx, history.Query{CallID: "standup"})
	if err != nil || len(sums) != 2 || sums[0].Key == sums[1].Key {
		t.Fatalf("two meetings of one room: %+v %v", sums, err)
	}
	for _, sum := range sums {
		c, err := s.Get(ctx, sum.Key)
		if err != nil || !c.Report.Start.Equal(sum.Start) {
			t.Fatalf("Get(%s): start %v, %v; want %v", sum.Key, c.Report.Start, err, sum.Start)
		}
	}
	if c, err := s.Get(ctx, "standup"); err != nil || c.People[0].Name != "Olu" {
		t.Fatalf("Get by the bare id: %+v %v, want the newest (Olu's)", c.People, err)
	}
	if _, err := s.Get(ctx, "standup@1"); !errors.Is(err, history.ErrNotFound) {
		t.Fatalf("a key of no call: %v", err)
	}
}
