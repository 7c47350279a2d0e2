package natshistory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/calltop/calltop/diagnose/history"
)

// WriterConfig sets up a Writer.
type WriterConfig struct {
	// Stream is the stream (OpenStream).
	Stream jetstream.Stream
	// Durable names the writer's consumer: one per writing hub
	// ("history-<hub-id>"), so each hub's store gets every call.
	Durable string
	// Store is where calls go.
	Store history.Store
	// Batch is the most calls stored in one transaction (256).
	Batch int
	// AckWait is how long a call fetched and not acknowledged (its writer
	// died) waits before it is delivered again (1 minute).
	AckWait time.Duration
	// MaxAge and MaxBytes are the store's retention (as history.Writer's).
	MaxAge     time.Duration
	MaxBytes   int64
	PruneEvery time.Duration // 10 minutes
	Now        func() time.Time
	// Logf reports failures (discarded when nil).
	Logf func(format string, args ...any)
}

// WriterStats counts what a Writer did.
type WriterStats struct {
	Written, Failed, Bad, Pruned int64
	LastError                    string
}

// Writer stores the stream's ended calls into a history store,
// acknowledging each call only once it is stored.
type Writer struct {
	cfg     WriterConfig
	mu      sync.Mutex
	stats   WriterStats
	failing bool
}

// NewWriter returns a Writer; Run does the work.
func NewWriter(cfg WriterConfig) *Writer {
	if cfg.Batch <= 0 {
		cfg.Batch = 256
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = time.Minute
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
	return &Writer{cfg: cfg}
}

// Stats returns the counters so far.
func (w *Writer) Stats() WriterStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

// Run consumes and stores until ctx ends. Calls fetched when ctx ends are
// stored and acknowledged before it returns (the batch in hand is not cut
// in half); the rest wait in the stream for the next run.
func (w *Writer) Run(ctx context.Context) error {
	w.prune(ctx)
	lastPrune := w.cfg.Now()
	var cons jetstream.Consumer
	for ctx.Err() == nil {
		if cons == nil {
			c, err := w.cfg.Stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: w.cfg.Durable,
				Description: "calltop history writer", AckPolicy: jetstream.AckExplicitPolicy, AckWait: w.cfg.AckWait,
				DeliverPolicy: jetstream.DeliverAllPolicy, MaxAckPending: 4 * w.cfg.Batch})
			if err != nil {
				w.fail(fmt.Errorf("history consumer %s: %w", w.cfg.Durable, err))
				pause(ctx, time.Second)
				continue
			}
			cons = c
		}
		batch, err := cons.Fetch(w.cfg.Batch, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			w.fail(fmt.Errorf("history consumer %s: %w", w.cfg.Durable, err))
			cons = nil
			pause(ctx, time.Second)
			continue
		}
		var msgs []jetstream.Msg
		for m := range batch.Messages() {
			msgs = append(msgs, m)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, jetstream.ErrNoHeartbeat) {
			w.fail(fmt.Errorf("history consumer %s: %w", w.cfg.Durable, err))
		}
		if len(msgs) > 0 {
			w.store(context.WithoutCancel(ctx), msgs)
		}
		if w.cfg.Now().Sub(lastPrune) >= w.cfg.PruneEvery {
			w.prune(ctx)
			lastPrune = w.cfg.Now()
		}
	}
	return nil
}

// store writes msgs' calls in one transaction and acknowledges them; on
// failure they are handed back (Nak) to come again.
func (w *Writer) store(ctx context.Context, msgs []jetstream.Msg) {
	var calls []history.Call
	var good []jetstream.Msg
	for _, m := range msgs {
		var c history.Call
		if err := json.Unmarshal(m.Data(), &c); err != nil || c.Report.ID == "" {
			w.mu.Lock()
			w.stats.Bad++
			w.mu.Unlock()
			w.cfg.Logf("history: a message on %s is not an ended call (%v); dropped", m.Subject(), err)
			m.Term()
			continue
		}
		calls, good = append(calls, c), append(good, m)
	}
	if len(calls) == 0 {
		return
	}
	if err := w.cfg.Store.Put(ctx, calls); err != nil {
		w.fail(fmt.Errorf("%d ended calls not stored: %w", len(calls), err))
		w.mu.Lock()
		w.stats.Failed += int64(len(calls))
		w.mu.Unlock()
		for _, m := range good {
			m.NakWithDelay(time.Second)
		}
		return
	}
	for _, m := range good {
		m.Ack() // a lost ack brings the call again; storing it twice is harmless
	}
	w.mu.Lock()
	w.stats.Written += int64(len(calls))
	if w.failing {
		w.failing = false
		w.cfg.Logf("history: storing ended calls again")
	}
	w.mu.Unlock()
}

// fail records err and logs it once until things work again.
func (w *Writer) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stats.LastError = err.Error()
	if !w.failing {
		w.failing = true
		w.cfg.Logf("history: %v", err)
	}
}

// prune applies the store's retention.
func (w *Writer) prune(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	n, err := history.Retain(ctx, w.cfg.Store, w.cfg.Now(), w.cfg.MaxAge, w.cfg.MaxBytes)
	if err != nil {
		w.fail(fmt.Errorf("retention: %w", err))
		return
	}
	w.mu.Lock()
	w.stats.Pruned += int64(n)
	w.mu.Unlock()
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
