package statefile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
)

// runSyncer runs a Syncer for the test.
func runSyncer(t *testing.T, st *Store, poll time.Duration) *Syncer {
	y := NewSyncer(st, poll)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { y.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return y
}

// nextNote waits for the Syncer's next note.
func nextNote(t *testing.T, y *Syncer) string {
	t.Helper()
	select {
	case n := <-y.Notes():
		return n
	case <-time.After(5 * time.Second):
		t.Fatal("no note within 5 s")
		return ""
	}
}

// A save that keeps failing (a full disk, here a directory in the state
// file's place) is said once, and once more when saving works again.
func TestSaveFailureIsSaidOnceAndItsRecoveryToo(t *testing.T) {
	st, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(st.Path, "in-the-way"), 0o700); err != nil {
		t.Fatal(err)
	}
	y := runSyncer(t, st, time.Hour)
	flush := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		y.Flush(ctx)
	}
	p := book(3).Persist()
	for range 5 {
		y.Save(p)
		flush()
	}
	if n := nextNote(t, y); !strings.Contains(n, "not saved") {
		t.Fatalf("first note %q", n)
	}
	select {
	case n := <-y.Notes():
		t.Fatalf("the failure was said again: %q", n)
	default:
	}
	os.RemoveAll(st.Path)
	y.Save(p)
	flush()
	if n := nextNote(t, y); !strings.Contains(n, "saved again") {
		t.Fatalf("recovery note %q", n)
	}
}

// Another process's file change reaches Changes; a save over it keeps
// that process's silence.
func TestSyncerSeesAnotherProcessAndKeepsItsActions(t *testing.T) {
	dir := t.TempDir()
	mine, _ := OpenStore(dir)
	other, _ := OpenStore(dir)
	y := runSyncer(t, mine, 20*time.Millisecond)
	b := book(1)
	if _, err := b.MuteFor(alert.Matcher{CallID: "c0"}, time.Hour, "other", "theirs", t0); err != nil {
		t.Fatal(err)
	}
	if err := other.Save(b.Persist()); err != nil {
		t.Fatal(err)
	}
	select {
	case q := <-y.Changes():
		if len(q.Silences) != 1 || q.Silences[0].Why != "theirs" {
			t.Fatalf("change %+v", q.Silences)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the other process's change never arrived")
	}
	slow := runSyncer(t, mine, time.Hour)           // sees the file only when it saves
	if err := other.Save(b.Persist()); err != nil { // changed again, unseen
		t.Fatal(err)
	}
	y = slow
	y.Save(book(2).Persist())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	y.Flush(ctx)
	p, _, err := mine.Load(time.Now())
	if err != nil || len(p.Silences) != 1 || p.Silences[0].Why != "theirs" || len(p.Active) != 2 {
		t.Fatalf("saved %d silences, %d alerts (%v): the other's silence must stay", len(p.Silences), len(p.Active), err)
	}
}
