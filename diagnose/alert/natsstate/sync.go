package natsstate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/calltop/calltop/diagnose/alert"
)

// Syncer saves the hub's state to the bucket off the engine's goroutine
// and delivers the actions other hubs saved (statefile.Syncer's job for
// the state file). A save that fails is kept and tried again every
// Config.Retry until it is written or a newer one replaces it.
type Syncer struct {
	s        *Store
	saves    chan alert.Persisted // capacity 1: the newest state waiting
	changes  chan alert.Persisted // capacity 1: the newest foreign actions
	notes    chan string
	flushReq chan chan struct{}
	done     chan struct{}

	// Run's goroutine only:
	pending  *alert.Persisted // not written yet (a save failed)
	actRev   uint64           // ActionsKey's revision as last written or seen
	actBody  []byte           // its value then
	actState alert.Persisted  // decoded
	failing  bool

	unsaved atomic.Bool // a save failed and waits for its retry
}

// NewSyncer returns a Syncer for the store; Run does the work.
func (s *Store) NewSyncer() *Syncer {
	return &Syncer{s: s, saves: make(chan alert.Persisted, 1), changes: make(chan alert.Persisted, 1),
		notes: make(chan string, 8), flushReq: make(chan chan struct{}), done: make(chan struct{}),
		actState: alert.Persisted{Version: alert.StateVersion}}
}

// Save queues p to be written, replacing a state still waiting.
func (y *Syncer) Save(p alert.Persisted) { alert.PutNewest(y.saves, p) }

// Changes delivers the actions when another hub changed them.
func (y *Syncer) Changes() <-chan alert.Persisted { return y.changes }

// Notes delivers messages for the event log: saving failing (once until
// it works again) and working again.
func (y *Syncer) Notes() <-chan string { return y.notes }

// Flush writes the state waiting, if any, and returns when it is written
// or ctx ends.
func (y *Syncer) Flush(ctx context.Context) {
	alert.RequestFlush(ctx, y.flushReq, y.done)
}

// Run watches the actions and saves until ctx ends, then writes what is
// still waiting (one try).
func (y *Syncer) Run(ctx context.Context) {
	defer close(y.done)
	retry := time.NewTicker(y.s.cfg.Retry)
	defer retry.Stop()
	// The watch brings another hub's change at once; a read every Poll
	// brings it when the watch is stuck (its consumer lost with a node
	// until it notices), so a change shows within about Poll anyway.
	poll := time.NewTicker(y.s.cfg.Poll)
	defer poll.Stop()
	var updates <-chan jetstream.KeyValueEntry
	var w jetstream.KeyWatcher
	defer func() {
		if w != nil {
			w.Stop()
		}
	}()
	for {
		if w == nil { // (again) after the watch could not start or ended
			var err error
			if w, err = y.s.kv.Watch(ctx, ActionsKey); err == nil {
				updates = w.Updates()
			} else {
				w, updates = nil, nil
			}
		}
		select {
		case <-ctx.Done():
			y.takeNewest()
			if y.pending != nil {
				y.write(*y.pending)
			}
			return
		case p := <-y.saves:
			y.write(p)
		case ack := <-y.flushReq:
			y.takeNewest()
			if y.pending != nil {
				y.write(*y.pending)
			}
			close(ack)
		case e, ok := <-updates:
			if !ok {
				w.Stop()
				w, updates = nil, nil
				continue
			}
			if e != nil { // nil: the current value has been delivered
				y.take(e)
			}
		case <-poll.C:
			y.look()
		case <-retry.C:
			if y.pending != nil {
				y.write(*y.pending)
			}
		}
	}
}

// look reads the actions and takes them when they are newer than seen.
func (y *Syncer) look() {
	ctx, cancel := context.WithTimeout(context.Background(), y.s.cfg.Poll)
	defer cancel()
	if e, err := y.s.kv.Get(ctx, ActionsKey); err == nil {
		y.take(e)
	}
}

// takeNewest moves a queued save into pending.
func (y *Syncer) takeNewest() {
	select {
	case p := <-y.saves:
		y.pending = &p
	default:
	}
}

// take records an actions value seen in the bucket and, when it is not
// what this hub wrote, hands it to the engine.
func (y *Syncer) take(e jetstream.KeyValueEntry) {
	if e.Revision() <= y.actRev || e.Operation() != jetstream.KeyValuePut {
		return
	}
	same := bytes.Equal(e.Value(), y.actBody)
	y.actRev, y.actBody = e.Revision(), append([]byte(nil), e.Value()...)
	if same {
		return
	}
	q, err := decode(e.Value())
	if err != nil {
		y.note(fmt.Sprintf("another hub's alert actions in JetStream bucket %s are unusable: %v", y.s.cfg.Bucket, err))
		return
	}
	y.actState = q
	alert.PutNewest(y.changes, q)
}

// write saves p: the shared actions by compare-and-set (taking in another
// hub's actions written meanwhile and trying again), then this hub's book.
// On failure p stays pending for the next retry.
func (y *Syncer) write(p alert.Persisted) {
	err := y.writeActions(&p)
	if err == nil {
		err = y.put(y.s.bookKey(), p)
	}
	y.report(err)
	y.unsaved.Store(err != nil)
	if err != nil {
		y.pending = &p
		return
	}
	y.pending = nil
}

// Unsaved reports whether the last save failed and waits to be tried
// again (after Flush: whether what was flushed is not written yet).
func (y *Syncer) Unsaved() bool { return y.unsaved.Load() }

// writeActions writes p's actions (with the others' known so far added
// to p) unless the bucket holds them already.
func (y *Syncer) writeActions(p *alert.Persisted) error {
	for range 10 {
		*p = p.WithActions(y.actState)
		body, err := encode(actionsOf(*p))
		if err != nil {
			return err
		}
		if y.actRev > 0 && sameActions(body, y.actBody) {
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		var rev uint64
		if y.actRev == 0 {
			rev, err = y.s.kv.Create(ctx, ActionsKey, body)
		} else {
			rev, err = y.s.kv.Update(ctx, ActionsKey, body, y.actRev)
		}
		cancel()
		if err == nil {
			y.actRev, y.actBody = rev, body
			y.actState, _ = decode(body)
			return nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return fmt.Errorf("write %s to JetStream bucket %s: %w", ActionsKey, y.s.cfg.Bucket, err)
		}
		// Another hub wrote first: take its actions in, then try again.
		q, rev, _, err := y.s.get(ActionsKey)
		if err != nil {
			return err
		}
		y.actRev, y.actState = rev, q
		y.actBody, _ = encode(q)
		alert.PutNewest(y.changes, q)
	}
	return fmt.Errorf("write %s to JetStream bucket %s: other hubs kept writing first (10 tries)", ActionsKey, y.s.cfg.Bucket)
}

// sameActions reports whether two encoded action sets are equal (gzip'd
// bytes of the same JSON are the same at the same level).
func sameActions(a, b []byte) bool { return bytes.Equal(a, b) }

// put writes key's value.
func (y *Syncer) put(key string, p alert.Persisted) error {
	body, err := encode(p)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if _, err := y.s.kv.Put(ctx, key, body); err != nil {
		return fmt.Errorf("write %s (%d bytes) to JetStream bucket %s: %w", key, len(body), y.s.cfg.Bucket, err)
	}
	return nil
}

// report says that saving failed, once, and again when it works again.
func (y *Syncer) report(err error) {
	if (err != nil) == y.failing {
		return
	}
	y.failing = err != nil
	msg := "alert state saved again in JetStream bucket " + y.s.cfg.Bucket
	if err != nil {
		msg = "alert state not saved yet, trying again (said once until it works): " + err.Error()
	}
	y.note(msg)
}

// note hands a message to the event log without blocking.
func (y *Syncer) note(msg string) {
	select {
	case y.notes <- msg:
	default:
	}
}
