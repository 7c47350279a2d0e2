package history

import (
	"context"
	"errors"
	"time"
)

// Store keeps ended calls and finds them. Implementations are safe for
// concurrent use. The SQLite store (history/sqlite) is the default; a
// store shared by several hubs (PostgreSQL) implements the same methods.
type Store interface {
	// Put keeps calls in one transaction. A call is its id and start: the
	// same id and start again replaces it; the same id with another start
	// (a simulator's ids after a restart, a meeting room used every day)
	// is another call.
	Put(ctx context.Context, calls []Call) error
	// Search lists the calls matching q, newest end first.
	Search(ctx context.Context, q Query) ([]Summary, error)
	// Get returns one kept call by its Summary.Key, or the newest call with
	// that id; ErrNotFound when there is none.
	Get(ctx context.Context, key string) (Call, error)
	// Prune removes calls that ended before olderThan, then the oldest
	// until the store is at most maxBytes (0: no size bound), and says how
	// many it removed.
	Prune(ctx context.Context, olderThan time.Time, maxBytes int64) (int, error)
	// Close releases the store.
	Close() error
}

// ErrNotFound is Get's answer for a call id that is not kept.
var ErrNotFound = errors.New("no such call in history")

// Retain applies a writer's retention to s: the calls that ended more
// than maxAge before now (none by age when maxAge is 0), then the oldest
// past maxBytes. It returns how many calls went.
func Retain(ctx context.Context, s Store, now time.Time, maxAge time.Duration, maxBytes int64) (int, error) {
	var before time.Time
	if maxAge > 0 {
		before = now.Add(-maxAge)
	}
	return s.Prune(ctx, before, maxBytes)
}
