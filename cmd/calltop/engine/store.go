package engine

import (
	"context"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
)

// StateStore is where the book's acks, silences and history are kept: the
// state file (statefile.Store, through FileStore) or a JetStream bucket
// shared by team hubs (natsstate.Store). The engine does not care which.
type StateStore interface {
	// Load returns the saved state (an empty one when there is none), a
	// notice for the event log when something was set aside, and an error
	// when the state could not be read at all.
	Load(wall time.Time) (p alert.Persisted, notice string, err error)
	// Where names the store in messages (a path, a bucket).
	Where() string
	// NewSyncer returns what saves the state off the engine's goroutine
	// and brings in what others sharing the store did.
	NewSyncer() StateSyncer
}

// StateSyncer saves the book's state and delivers others' changes;
// statefile.Syncer is one.
type StateSyncer interface {
	// Save queues p to be written; it never blocks.
	Save(p alert.Persisted)
	// Changes delivers state others saved, for Book.Merge.
	Changes() <-chan alert.Persisted
	// Notes delivers messages for the event log.
	Notes() <-chan string
	// Flush writes what waits, until ctx ends.
	Flush(ctx context.Context)
	// Run works until ctx ends.
	Run(ctx context.Context)
}

// FileStore is the state file as a StateStore.
type FileStore struct{ *statefile.Store }

// Where is the state file's path.
func (f FileStore) Where() string { return f.Path }

// NewSyncer returns a statefile.Syncer polling at its default pace.
func (f FileStore) NewSyncer() StateSyncer { return statefile.NewSyncer(f.Store, 0) }

// syncHolder holds the running loop's StateSyncer for FlushState.
type syncHolder struct{ s StateSyncer }

// FlushState waits until the state saves queued so far are written (one
// try) or ctx ends; without a store it returns at once. It may be called
// from any goroutine but the engine's: a team hub answers a user's
// command only once its effect is saved (Act queues the save before it
// calls done).
func (e *Engine) FlushState(ctx context.Context) {
	if h := e.stateSync.Load(); h != nil {
		h.s.Flush(ctx)
	}
}
