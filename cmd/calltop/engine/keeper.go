package engine

import (
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
)

// saveEvery is the least wall time between two saves of the alert state
// after changes the user did not make (alert transitions).
const saveEvery = time.Second

// keeper loads the alert state into the book once and saves it when the
// book says something worth keeping changed.
type keeper struct {
	store    *statefile.Store
	restored bool
	saved    uint64 // the book's Changes() at the last save
	lastSave time.Time
	lastErr  string
	timer    *time.Timer
	armed    bool
}

func newKeeper(store *statefile.Store) keeper {
	k := keeper{store: store, timer: time.NewTimer(time.Hour)}
	k.timer.Stop()
	return k
}

// restore loads the state file into b (once, before b sees anything),
// noting in b's event log what went wrong, if anything.
func (k *keeper) restore(b *alert.Book, now time.Time) {
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
		b.Note(now, "alert state in "+k.store.Path+" not restored: "+err.Error())
	}
	if notice != "" {
		b.Note(now, notice)
	}
	k.saved = b.Changes()
}

// save writes the state when it changed: at once when now is set (a
// user's action, shutdown), otherwise at most once per saveEvery, arming
// the timer for a save that has to wait.
func (k *keeper) save(b *alert.Book, now bool) {
	if k.store == nil || b == nil || !k.restored {
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
	if err := k.store.Save(b.Persist()); err != nil {
		if msg := err.Error(); msg != k.lastErr {
			k.lastErr = msg
			b.Note(b.Now(), "alert state not saved: "+msg)
		}
		return
	}
	k.lastErr = ""
}
