package history

import (
	"context"
	"sync"
	"time"
)

// WriterConfig sets up a Writer. Zero fields take the defaults named.
type WriterConfig struct {
	// Store is where calls go.
	Store Store
	// Queue is how many ended calls may wait (1024). When it is full the
	// oldest waiting call is dropped and counted, never the engine blocked.
	Queue int
	// Batch is the most calls written in one transaction (256).
	Batch int
	// MaxAge and MaxBytes are the retention (30 days, 2 GB); MaxAge < 0
	// keeps calls forever.
	MaxAge   time.Duration
	MaxBytes int64
	// PruneEvery is how often retention runs (10 minutes).
	PruneEvery time.Duration
	// Now is the clock retention measures age with (time.Now).
	Now func() time.Time
	// Logf reports write failures and drops (discarded when nil).
	Logf func(format string, args ...any)
}

// WriterStats counts what a Writer did.
type WriterStats struct {
	Queued, Written, Dropped, Failed, Pruned int64
	LastError                                string
}

// Writer takes ended calls from the engine and writes them to a Store in
// batches on its own goroutine (Run): Add never blocks and never does I/O,
// so storing never slows the live path. A crash loses at most the calls
// waiting and the batch in flight.
type Writer struct {
	cfg    WriterConfig
	mu     sync.Mutex
	queue  []Call
	stats  WriterStats
	wake   chan struct{}
	warned bool // a drop was logged since the queue last drained
}

// NewWriter returns a Writer for cfg.Store; start it with Run.
func NewWriter(cfg WriterConfig) *Writer {
	if cfg.Queue <= 0 {
		cfg.Queue = 1024
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 256
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = 30 * 24 * time.Hour
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = 2 << 30
	}
	if cfg.PruneEvery <= 0 {
		cfg.PruneEvery = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	return &Writer{cfg: cfg, wake: make(chan struct{}, 1)}
}

// Add queues an ended call for writing. It never blocks: with the queue
// full, the oldest waiting call is dropped (counted, logged once per
// overflow).
func (w *Writer) Add(c Call) {
	w.mu.Lock()
	if len(w.queue) >= w.cfg.Queue {
		w.queue = w.queue[1:]
		w.stats.Dropped++
		if !w.warned {
			w.warned = true
			w.cfg.Logf("history: write queue full (%d calls): dropping the oldest ended calls", w.cfg.Queue)
		}
	}
	w.queue = append(w.queue, c)
	w.stats.Queued++
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Stats returns the counters so far.
func (w *Writer) Stats() WriterStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

// Run writes queued calls until ctx ends, then writes what is still
// waiting (with a fresh 5-second deadline) and returns. Retention runs at
// start and every PruneEvery.
func (w *Writer) Run(ctx context.Context) error {
	w.prune(ctx)
	tick := time.NewTicker(w.cfg.PruneEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			flush, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for w.writeBatch(flush) {
			}
			return nil
		case <-w.wake:
			// A batch once taken is written whole: stopping Run must not
			// cancel it half way (the flush above bounds the shutdown).
			for w.writeBatch(context.WithoutCancel(ctx)) {
			}
		case <-tick.C:
			w.prune(ctx)
		}
	}
}

// writeBatch writes up to Batch waiting calls; it reports whether it
// wrote any (so the caller loops until the queue is empty).
func (w *Writer) writeBatch(ctx context.Context) bool {
	w.mu.Lock()
	n := min(len(w.queue), w.cfg.Batch)
	batch := w.queue[:n:n]
	w.queue = w.queue[n:]
	if len(w.queue) == 0 {
		w.queue = nil
		w.warned = false
	}
	w.mu.Unlock()
	if n == 0 {
		return false
	}
	err := w.cfg.Store.Put(ctx, batch)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.stats.Failed += int64(n)
		w.stats.LastError = err.Error()
		w.cfg.Logf("history: %d ended calls not stored: %v", n, err)
		return ctx.Err() == nil
	}
	w.stats.Written += int64(n)
	return true
}

// prune applies the retention.
func (w *Writer) prune(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	n, err := Retain(ctx, w.cfg.Store, w.cfg.Now(), w.cfg.MaxAge, w.cfg.MaxBytes)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.stats.LastError = err.Error()
		w.cfg.Logf("history: retention: %v", err)
		return
	}
	w.stats.Pruned += int64(n)
}
