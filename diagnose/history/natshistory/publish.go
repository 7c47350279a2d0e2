package natshistory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/calltop/calltop/diagnose/history"
)

// PublisherConfig sets up a Publisher.
type PublisherConfig struct {
	// JS is the hub's JetStream context; HubID names the subject.
	JS    jetstream.JetStream
	HubID string
	// Queue is how many ended calls may wait (4096); when full the oldest
	// is dropped and counted, never the engine blocked.
	Queue int
	// Retry is the pause after a failed publish (500 ms).
	Retry time.Duration
	// Logf reports failures and drops (discarded when nil).
	Logf func(format string, args ...any)
}

// PublisherStats counts what a Publisher did.
type PublisherStats struct {
	Queued, Published, Duplicates, Dropped, Failed int64
	LastError                                      string
}

// Publisher publishes a hub's ended calls to the stream, each until
// JetStream acknowledges it.
type Publisher struct {
	cfg     PublisherConfig
	subject string
	mu      sync.Mutex
	queue   []history.Call
	stats   PublisherStats
	wake    chan struct{}
	failing bool
}

// NewPublisher returns a Publisher; start it with Run.
func NewPublisher(cfg PublisherConfig) *Publisher {
	if cfg.Queue <= 0 {
		cfg.Queue = 4096
	}
	if cfg.Retry <= 0 {
		cfg.Retry = 500 * time.Millisecond
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	return &Publisher{cfg: cfg, subject: SubjectPrefix + cfg.HubID, wake: make(chan struct{}, 1)}
}

// Add queues an ended call; it never blocks and does no I/O.
func (p *Publisher) Add(c history.Call) {
	p.mu.Lock()
	if len(p.queue) >= p.cfg.Queue {
		p.queue = p.queue[1:]
		p.stats.Dropped++
		p.cfg.Logf("history: ended-call queue full (%d): dropped the oldest, not published", p.cfg.Queue)
	}
	p.queue = append(p.queue, c)
	p.stats.Queued++
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Stats returns the counters so far.
func (p *Publisher) Stats() PublisherStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Run publishes until ctx ends, then tries what still waits for up to 5 s.
func (p *Publisher) Run(ctx context.Context) error {
	for {
		for p.publishNext(ctx) {
		}
		select {
		case <-ctx.Done():
			flush, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for p.publishNext(flush) {
			}
			return nil
		case <-p.wake:
		case <-time.After(p.cfg.Retry): // a failed publish is tried again
		}
	}
}

// publishNext publishes the oldest waiting call; it reports whether it
// did (false: nothing waits, or it failed and waits for Retry).
func (p *Publisher) publishNext(ctx context.Context) bool {
	p.mu.Lock()
	if len(p.queue) == 0 {
		p.mu.Unlock()
		return false
	}
	c := p.queue[0]
	p.mu.Unlock()
	ack, err := p.publish(ctx, c)
	p.mu.Lock()
	defer p.mu.Unlock()
	if inProcess(err) { // another hub is storing the same call: ask again after Retry
		return false
	}
	if err != nil {
		p.stats.Failed++
		p.stats.LastError = err.Error()
		if !p.failing {
			p.failing = true
			p.cfg.Logf("history: ended calls not published yet, trying again: %v", err)
		}
		return false
	}
	if p.failing {
		p.failing = false
		p.cfg.Logf("history: ended calls published again")
	}
	if len(p.queue) > 0 && callKey(p.queue[0]) == callKey(c) { // not dropped meanwhile
		p.queue = p.queue[1:]
	}
	p.stats.Published++
	if ack.Duplicate {
		p.stats.Duplicates++
	}
	return ctx.Err() == nil || len(p.queue) > 0
}

// publish sends one call and waits for JetStream's acknowledgement.
func (p *Publisher) publish(ctx context.Context, c history.Call) (*jetstream.PubAck, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode ended call %s: %w", c.Report.ID, err)
	}
	m := &nats.Msg{Subject: p.subject, Data: data, Header: nats.Header{}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ack, err := p.cfg.JS.PublishMsg(ctx, m, jetstream.WithMsgID(callKey(c)))
	if err != nil {
		return nil, fmt.Errorf("publish ended call %s (%d bytes) to %s: %w", c.Report.ID, len(data), p.subject, err)
	}
	return ack, nil
}

// inProcess reports JetStream's answer that a message with the same id
// is being stored (another hub published the call at the same moment):
// asked again, it says duplicate.
func inProcess(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api) && api.ErrorCode == 10158
}

// callKey is a call's message id: its id and start, as history keys it.
func callKey(c history.Call) string { return history.Key(c.Report.ID, c.Report.Start.Time) }
