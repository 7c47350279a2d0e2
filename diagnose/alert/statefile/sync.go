package statefile

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
)

// LockFileName is the lock file beside the state file.
const LockFileName = "alerts.lock"

func (s *Store) lockPath() string { return filepath.Join(filepath.Dir(s.Path), LockFileName) }

// DefaultPoll is how often a Syncer looks for another process's changes:
// an action made in one calltop holds in the other within about a second.
const DefaultPoll = 500 * time.Millisecond

// Syncer saves the alert state off the engine goroutine and watches the
// state file for another process (a TUI beside a watch) changing it. A
// save takes the directory's lock, reads the file if someone else wrote
// it since, adds their actions to what it writes (alert.Persisted
// WithActions), and hands their state to Changes for the Book to Merge.
type Syncer struct {
	store   *Store
	poll    time.Duration
	saves   chan alert.Persisted // capacity 1: the newest state waiting
	changes chan alert.Persisted // capacity 1: the newest foreign state
	notes   chan string          // problems, and recovery from them
	done    chan struct{}

	seen     fileStamp // the file as we last wrote or read it
	failing  bool      // the last save failed (and was reported)
	flushReq chan chan struct{}
}

// fileStamp identifies a version of the state file.
type fileStamp struct {
	size  int64
	mtime time.Time
	ino   any
}

// stampOf stats the state file (zero stamp when missing).
func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{size: fi.Size(), mtime: fi.ModTime(), ino: inode(fi)}
}

// NewSyncer returns a Syncer for the store; Run does the work. poll <= 0
// means DefaultPoll. seen is the state the process loaded at start.
func NewSyncer(store *Store, poll time.Duration) *Syncer {
	if poll <= 0 {
		poll = DefaultPoll
	}
	return &Syncer{store: store, poll: poll, saves: make(chan alert.Persisted, 1),
		changes: make(chan alert.Persisted, 1), notes: make(chan string, 8),
		done: make(chan struct{}), flushReq: make(chan chan struct{}), seen: stampOf(store.Path)}
}

// Save queues p to be written, replacing a state still waiting; it never
// blocks.
func (y *Syncer) Save(p alert.Persisted) { alert.PutNewest(y.saves, p) }

// Changes delivers another process's state when the file changed.
func (y *Syncer) Changes() <-chan alert.Persisted { return y.changes }

// Notes delivers messages for the event log: a save failing (said once
// until it works again) and saving working again.
func (y *Syncer) Notes() <-chan string { return y.notes }

// Flush writes the state waiting, if any, and returns when it is written
// or ctx ends (shutdown).
func (y *Syncer) Flush(ctx context.Context) {
	alert.RequestFlush(ctx, y.flushReq, y.done)
}

// Run saves and polls until ctx ends, then writes what is still waiting.
func (y *Syncer) Run(ctx context.Context) {
	defer close(y.done)
	t := time.NewTicker(y.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			select {
			case p := <-y.saves:
				y.write(p)
			default:
			}
			return
		case p := <-y.saves:
			y.write(p)
		case ack := <-y.flushReq:
			select {
			case p := <-y.saves:
				y.write(p)
			default:
			}
			close(ack)
		case <-t.C:
			y.look()
		}
	}
}

// look reads the file when another process changed it.
func (y *Syncer) look() {
	if st := stampOf(y.store.Path); st != y.seen && st != (fileStamp{}) {
		if q, ok := y.read(); ok {
			y.seen = st
			y.offer(q)
		}
	}
}

// write saves p under the lock, first taking in another process's
// actions when the file changed since we last saw it.
func (y *Syncer) write(p alert.Persisted) {
	unlock, err := y.store.lock()
	if err != nil {
		y.report(err)
		return
	}
	defer unlock()
	if st := stampOf(y.store.Path); st != y.seen && st != (fileStamp{}) {
		if q, ok := y.read(); ok {
			y.offer(q)
			p = p.WithActions(q)
		}
	}
	err = y.store.Save(p)
	y.report(err)
	if err == nil {
		y.seen = stampOf(y.store.Path)
	}
}

// read loads the file as another process left it.
func (y *Syncer) read() (alert.Persisted, bool) {
	data, err := os.ReadFile(y.store.Path)
	if err != nil {
		return alert.Persisted{}, false
	}
	var q alert.Persisted
	if decodeState(data, &q) != nil {
		return alert.Persisted{}, false // mid-way or corrupt: Load at start deals with it
	}
	return q, true
}

// offer hands q to the engine, replacing an older state not taken yet.
func (y *Syncer) offer(q alert.Persisted) { alert.PutNewest(y.changes, q) }

// report says that saving failed, once (a full disk fails every save),
// and says so again when saving works again.
func (y *Syncer) report(err error) {
	if (err != nil) == y.failing {
		return
	}
	y.failing = err != nil
	msg := "alert state saved again in " + y.store.Path
	if err != nil {
		msg = "alert state not saved (said once until it works again): " + err.Error()
	}
	select {
	case y.notes <- msg:
	default:
	}
}
