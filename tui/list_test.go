package tui

import (
	"fmt"
	"slices"
	"testing"
)

// rowsList is a list over ids, as a screen would hold it.
func rowsList(ids *[]string, height int) *list {
	keys := DefaultKeyMap()
	l := newList(&keys, func(i int) string { return (*ids)[i] })
	l.SetHeight(height)
	l.SetRows(len(*ids))
	return &l
}

func TestListPagesAndKeepsTheCursorInView(t *testing.T) {
	ids := make([]string, 50)
	for i := range ids {
		ids[i] = fmt.Sprint("call-", i)
	}
	l := rowsList(&ids, 10)
	for _, c := range []struct {
		key        string
		want, from int
	}{
		{"j", 1, 0}, {"pgdown", 11, 2}, {"ctrl+d", 21, 12}, {"k", 20, 12}, {"ctrl+u", 10, 10},
		{"pgup", 0, 0}, {"up", 0, 0}, {"G", 49, 40}, {"end", 49, 40}, {"g", 0, 0}, {"home", 0, 0},
		{"down", 1, 0},
	} {
		if !l.Update(press(c.key)) {
			t.Fatalf("%s is not a list key", c.key)
		}
		from, to := l.Window()
		if l.Cursor() != c.want || from != c.from || to != min(from+10, 50) {
			t.Fatalf("%s: cursor %d window %d-%d, want cursor %d from %d", c.key, l.Cursor(), from, to, c.want, c.from)
		}
	}
	if l.Update(press("s")) {
		t.Fatal("s moved the list")
	}
}

func TestListSelectionFollowsTheRowWhenReordered(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e"}
	l := rowsList(&ids, 3)
	if l.Cursor() != 0 || l.selected != "a" {
		t.Fatalf("an untouched list rests on its first row: %d %q", l.Cursor(), l.selected)
	}
	l.Update(press("j"))
	l.Update(press("j")) // on "c"
	ids = []string{"e", "c", "a", "d", "b"}
	l.SetRows(len(ids))
	if l.Cursor() != 1 || l.selected != "c" {
		t.Fatalf("after re-sorting the cursor is on %q (row %d), want c at 1", l.selected, l.Cursor())
	}
	ids = slices.Delete(ids, 1, 2) // c is gone: the cursor keeps its place
	l.SetRows(len(ids))
	if l.Cursor() != 1 || l.selected != "a" {
		t.Fatalf("when the selected row goes the cursor stays at row 1: %q at %d", l.selected, l.Cursor())
	}
	ids = ids[:0]
	l.SetRows(0)
	if from, to := l.Window(); l.Cursor() != 0 || from != 0 || to != 0 {
		t.Fatalf("an empty list: cursor %d window %d-%d", l.Cursor(), from, to)
	}
}

func TestTailListFollowsTheNewestUntilMoved(t *testing.T) {
	ids := []string{"1", "2", "3", "4"}
	l := rowsList(&ids, 2)
	l.tail = true
	l.SetRows(len(ids))
	if l.Cursor() != 3 {
		t.Fatalf("a log opens on its newest line: %d", l.Cursor())
	}
	ids = append(ids, "5")
	l.SetRows(len(ids))
	if from, to := l.Window(); l.Cursor() != 4 || from != 3 || to != 5 {
		t.Fatalf("a new line is followed: cursor %d window %d-%d", l.Cursor(), from, to)
	}
	l.Update(press("k"))
	ids = append(ids, "6")
	l.SetRows(len(ids))
	if l.selected != "4" {
		t.Fatalf("once moved, the cursor stays on its line: %q", l.selected)
	}
	l.Home()
	if l.Cursor() != 5 {
		t.Fatalf("Home goes back to the newest: %d", l.Cursor())
	}
}

func TestPagerScrollsByLine(t *testing.T) {
	ids := make([]string, 30)
	l := rowsList(&ids, 10)
	l.pager = true
	l.SetRows(30)
	for _, c := range []struct {
		key  string
		from int
	}{{"j", 1}, {"pgdown", 11}, {"G", 20}, {"k", 19}, {"g", 0}, {"up", 0}} {
		l.Update(press(c.key))
		if from, _ := l.Window(); from != c.from {
			t.Fatalf("%s: the page starts at line %d, want %d", c.key, from, c.from)
		}
	}
}
