package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/history"
)

// The writer stores every call it is given, in batches, and what is still
// queued when it is stopped.
func TestWriterStoresEveryEndedCall(t *testing.T) {
	s := open(t)
	w := history.NewWriter(history.WriterConfig{Store: s, Batch: 7})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	for i := range 100 {
		w.Add(testCall(fmt.Sprintf("c%03d", i), "room", i, "", [2]string{"Dana", "u1"}))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st := w.Stats()
	if st.Written != 100 || st.Dropped != 0 || st.Failed != 0 {
		t.Fatalf("writer stats %+v, want 100 written", st)
	}
	if got := search(t, s, history.Query{Person: "dana", Limit: 1000}); len(got) != 100 {
		t.Fatalf("%d calls found, want 100", len(got))
	}
}

// blockingStore holds every Put until released, like a disk that stalls.
type blockingStore struct {
	history.Store
	release chan struct{}
	mu      sync.Mutex
	put     []string
}

func (b *blockingStore) Put(ctx context.Context, calls []history.Call) error {
	<-b.release
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range calls {
		b.put = append(b.put, c.Report.ID)
	}
	return b.Store.Put(ctx, calls)
}

// A stalled store never blocks Add: the queue keeps the newest calls and
// counts what it dropped.
func TestWriterDropsTheOldestWhenTheStoreStalls(t *testing.T) {
	bs := &blockingStore{Store: open(t), release: make(chan struct{})}
	var logs []string
	var mu sync.Mutex
	w := history.NewWriter(history.WriterConfig{Store: bs, Queue: 10, Batch: 100, Logf: func(f string, a ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	for i := range 25 { // before Run: nothing is taken off the queue yet
		w.Add(testCall(fmt.Sprintf("c%02d", i), "room", i, "", [2]string{"Dana", "u1"}))
	}
	if st := w.Stats(); st.Dropped != 15 {
		t.Fatalf("dropped %d, want 15 (queue of 10, 25 added)", st.Dropped)
	}
	close(bs.release)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Run flushes what is queued and returns
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if len(bs.put) != 10 || bs.put[0] != "c15" || bs.put[9] != "c24" {
		t.Fatalf("stored %v, want the newest ten c15..c24", bs.put)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logs) != 1 || !strings.Contains(logs[0], "dropping the oldest") {
		t.Fatalf("want one warning for the overflow, got %q", logs)
	}
}

const killChildEnv = "CALLTOP_HISTORY_KILL_CHILD"

// TestKillChild is the child of TestHistorySurvivesKill9: it stores calls
// one batch at a time and says which it stored, until it is killed.
func TestKillChild(t *testing.T) {
	path := os.Getenv(killChildEnv)
	if path == "" {
		t.Skip("runs only as TestHistorySurvivesKill9's child")
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		batch := []history.Call{testCall(fmt.Sprintf("c%05d", i), "room", i, "", [2]string{"Dana", "u1"})}
		if err := s.Put(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("stored %d\n", i)
	}
}

// Every call whose Put returned survives a kill -9 of the process.
func TestHistorySurvivesKill9(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	last := -1
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(30 * time.Second)
	for sc.Scan() && last < 200 && time.Now().Before(deadline) {
		if n, ok := strings.CutPrefix(sc.Text(), "stored "); ok {
			last, _ = strconv.Atoi(n)
		}
	}
	cmd.Process.Kill() // SIGKILL
	cmd.Wait()
	if last < 0 {
		t.Fatal("the child stored nothing")
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("reopening after kill -9: %v", err)
	}
	defer s.Close()
	for i := 0; i <= last; i++ {
		if _, err := s.Get(context.Background(), fmt.Sprintf("c%05d", i)); err != nil {
			t.Fatalf("call c%05d was stored before the kill and is gone: %v", i, err)
		}
	}
	t.Logf("%d calls stored before kill -9, all there after", last+1)
}
