package engine

import (
	"context"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
)

// saveEvery is the least wall time between two saves of the alert state
// after changes the user did not make (alert transitions).
const saveEvery = time.Second

// keeper loads the alert state into the book once, hands it to the
// store's StateSyncer (a statefile.Syncer for the state file) to save (off this goroutine: encoding and fsync happen
// there) when the book says something worth keeping changed, and brings
// in what another calltop on the same state directory did.
type keeper struct {
	store    StateStore
	problem  string // why there is no store, said once
	sync     StateSyncer
	stop     context.CancelFunc
	restored bool
	saved    uint64 // the book's Changes() at the last save
	lastSave time.Time
	timer    *time.Timer
	armed    bool
}

// newKeeper keeps the state in shared when set, else in file when set.
func newKeeper(file *statefile.Store, shared StateStore) keeper {
	k := keeper{timer: time.NewTimer(time.Hour)}
	k.timer.Stop()
	switch {
	case shared != nil:
		k.store = shared
	case file != nil:
		k.store = FileStore{file}
	}
	if k.store != nil {
		k.sync = k.store.NewSyncer()
	}
	return k
}

// start runs the Syncer until finish.
func (k *keeper) start() {
	if k.sync == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	k.stop = cancel
	go k.sync.Run(ctx)
}

// finish saves what changed and waits (up to 5 s) for it to be written.
func (k *keeper) finish(b *alert.Book) {
	k.timer.Stop()
	if k.sync == nil {
		return
	}
	k.save(b, true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	k.sync.Flush(ctx)
	cancel()
	k.stop()
}

// changes and notes are the Syncer's channels (nil without a store).
func (k *keeper) changes() <-chan alert.Persisted {
	if k.sync == nil {
		return nil
	}
	return k.sync.Changes()
}

func (k *keeper) notes() <-chan string {
	if k.sync == nil {
		return nil
	}
	return k.sync.Notes()
}

// restore loads the state file into b (once, before b sees anything),
// noting in b's event log what went wrong, if anything.
func (k *keeper) restore(b *alert.Book, now time.Time) {
	if k.store == nil && k.problem != "" && b != nil {
		b.Note(now, k.problem)
		k.problem = ""
	}
	if k.store == nil || b == nil || k.restored {
		return
	}
	k.restored = true
	p, notice, err := k.store.Load(time.Now())
	if err != nil {
		b.Note(now, err.Error())
		return
	}
	if err := b.Restore(p, now); err != nil {
		b.Note(now, "alert state in "+k.store.Where()+" not restored: "+err.Error())
	}
	if notice != "" {
		b.Note(now, notice)
	}
	k.saved = b.Changes()
}

// merge takes in another calltop's actions from the state file.
func (k *keeper) merge(b *alert.Book, p alert.Persisted, now time.Time) bool {
	if b == nil || !k.restored || now.IsZero() {
		return false
	}
	return b.Merge(p, now)
}

// save hands the state to the Syncer when it changed: at once when now is
// set (a user's action, shutdown), otherwise at most once per saveEvery,
// arming the timer for a save that has to wait.
func (k *keeper) save(b *alert.Book, now bool) {
	if k.sync == nil || b == nil || !k.restored {
		return
	}
	c := b.Changes()
	if c == k.saved {
		return
	}
	if wait := saveEvery - time.Since(k.lastSave); !now && wait > 0 {
		if !k.armed {
			k.timer.Reset(wait)
			k.armed = true
		}
		return
	}
	k.saved, k.lastSave = c, time.Now()
	k.sync.Save(b.Persist())
}
