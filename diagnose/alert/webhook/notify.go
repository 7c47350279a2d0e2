package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"golang.org/x/time/rate"
)

// NotifierOptions configure webhook delivery. Zero fields take defaults.
type NotifierOptions struct {
	// Webhooks are the URLs to POST to (http or https).
	Webhooks []string
	// Format is FormatSlack (default), FormatJSON or FormatPagerDuty.
	Format Format
	// RoutingKey is the PagerDuty integration's routing key (required
	// for FormatPagerDuty). It is a secret: no report or error shows it.
	RoutingKey string
	// Timeout bounds one request (default 10 s).
	Timeout time.Duration
	// Attempts is how many times one notification is tried (default 5).
	Attempts int
	// Backoff is the first retry delay, doubled each retry up to
	// MaxBackoff (defaults 1 s and 1 m), with ±20 % jitter.
	Backoff, MaxBackoff time.Duration
	// MaxRetryAfter caps a 429 or 503 Retry-After (default 5 m).
	MaxRetryAfter time.Duration
	// MinInterval is the least time between two posts to one webhook
	// (default 1 s: Slack's rate for incoming webhooks).
	MinInterval time.Duration
	// QueueSize bounds each webhook's queue (default 256); a notification
	// that finds it full is dropped and reported.
	QueueSize int
	// Client sends the requests (default a new http.Client).
	Client *http.Client
	// Now is the wall clock for reports (default time.Now).
	Now func() time.Time
}

// Notifier posts notifications to webhooks, one goroutine and one bounded
// queue per webhook, and reports outcomes on a channel. Send never blocks,
// so the engine can own the Book and call Send from its loop. It
// implements alert.Sender.
type Notifier struct {
	opts    NotifierOptions
	hooks   []*webhook
	reports chan alert.Delivery
	lost    atomic.Int64 // reports dropped because nobody drained them
	mu      sync.RWMutex // guards closing against Send racing Close
	closing bool
	cancel  context.CancelFunc
	ctx     context.Context
	wg      sync.WaitGroup
}

var _ alert.Sender = (*Notifier)(nil)

// webhook is one destination with its queue.
type webhook struct {
	url, shown string
	queue      chan alert.Notification
	limit      *rate.Limiter // MinInterval between posts
}

// NewNotifier checks the URLs and starts one sender goroutine per webhook.
// Close stops them.
func NewNotifier(opts NotifierOptions) (*Notifier, error) {
	opts = opts.withDefaults()
	switch {
	case opts.Format != FormatSlack && opts.Format != FormatJSON && opts.Format != FormatPagerDuty:
		return nil, fmt.Errorf("webhook format %q: want slack, json or pagerduty", opts.Format)
	case opts.Format == FormatPagerDuty && strings.TrimSpace(opts.RoutingKey) == "":
		return nil, fmt.Errorf("webhook format pagerduty needs a routing key (--pagerduty-routing-key or $%s)", PagerDutyKeyEnv)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Notifier{opts: opts, reports: make(chan alert.Delivery, 1024), ctx: ctx, cancel: cancel}
	for _, raw := range opts.Webhooks {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			cancel()
			return nil, fmt.Errorf("webhook %q: want an http:// or https:// URL", raw)
		}
		shown := u.Scheme + "://" + u.Host
		if u.Path != "" && u.Path != "/" {
			shown += "/…"
		}
		n.hooks = append(n.hooks, &webhook{url: raw, shown: shown, queue: make(chan alert.Notification, opts.QueueSize),
			limit: rate.NewLimiter(rate.Every(opts.MinInterval), 1)})
	}
	for _, h := range n.hooks {
		n.wg.Add(1)
		go n.run(h)
	}
	return n, nil
}

func (o NotifierOptions) withDefaults() NotifierOptions {
	if o.Format == "" {
		o.Format = FormatSlack
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Timeout, 10*time.Second)
	def(&o.Backoff, time.Second)
	def(&o.MaxBackoff, time.Minute)
	def(&o.MaxRetryAfter, 5*time.Minute)
	def(&o.MinInterval, time.Second)
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Send queues a notification for every webhook without blocking; a full
// queue drops it and reports so.
func (n *Notifier) Send(x alert.Notification) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.closing {
		return
	}
	if n.opts.Format == FormatPagerDuty && (pagerDutyAction(x.Kind) == "" || x.Alert == nil) {
		return // silences page nobody
	}
	for _, h := range n.hooks {
		select {
		case h.queue <- x:
		default:
			n.report(alert.Delivery{Webhook: h.shown, Kind: x.Kind, Key: x.Key(), Dropped: true,
				Err: fmt.Sprintf("queue full (%d waiting); notification dropped", cap(h.queue))})
		}
	}
}

// Reports delivers outcomes for the engine to pass to Book.Delivered. It
// is buffered; when nobody drains it, reports are counted in Lost.
func (n *Notifier) Reports() <-chan alert.Delivery { return n.reports }

// Lost counts reports dropped because Reports was not drained.
func (n *Notifier) Lost() int64 { return n.lost.Load() }

// Close stops accepting notifications, keeps delivering the queued ones
// until ctx is done, then aborts what is in flight, waits for the
// goroutines to end and closes Reports.
func (n *Notifier) Close(ctx context.Context) {
	n.mu.Lock()
	was := n.closing
	n.closing = true
	if !was {
		for _, h := range n.hooks {
			close(h.queue)
		}
	}
	n.mu.Unlock()
	if was {
		return
	}
	done := make(chan struct{})
	go func() { n.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		n.cancel()
		<-done
	}
	n.cancel()
	n.opts.Client.CloseIdleConnections()
	close(n.reports)
}

func (n *Notifier) report(d alert.Delivery) {
	if d.At.IsZero() {
		d.At = n.opts.Now()
	}
	select {
	case n.reports <- d:
	default:
		n.lost.Add(1)
	}
}

// errLost is the final report of a notification calltop stopped before
// it could send.
const errLost = "lost: calltop stopped before it could be sent"

// MaxBatch is the most notifications one post carries. Notifications
// that queue up while a webhook is rate-limited go out together, so an
// incident touching many calls is a few messages, not one per alert.
const MaxBatch = 10

// run delivers one webhook's queue in order, in batches (PagerDuty takes
// one event per request). What is still queued when Close gives up is
// reported lost, one report per notification, never dropped silently.
func (n *Notifier) run(h *webhook) {
	defer n.wg.Done()
	for x := range h.queue {
		if n.ctx.Err() != nil || h.limit.Wait(n.ctx) != nil {
			n.reportAll(h, []alert.Notification{x}, alert.Delivery{Dropped: true, Err: errLost})
			continue
		}
		batch := []alert.Notification{x}
		if n.opts.Format != FormatPagerDuty {
			batch = n.gather(h, x)
		}
		body, err := n.render(batch)
		if err != nil {
			n.reportAll(h, batch, alert.Delivery{Err: err.Error()})
			continue
		}
		n.deliver(h, batch, body)
	}
}

// gather adds to x what is already waiting in h's queue, up to MaxBatch.
func (n *Notifier) gather(h *webhook, x alert.Notification) []alert.Notification {
	batch := []alert.Notification{x}
	for len(batch) < MaxBatch {
		select {
		case y, ok := <-h.queue:
			if !ok {
				return batch
			}
			batch = append(batch, y)
		default:
			return batch
		}
	}
	return batch
}

// deliver posts one batch with retries, backoff, Retry-After and the
// per-webhook rate limit, reporting every attempt for each notification.
func (n *Notifier) deliver(h *webhook, batch []alert.Notification, body []byte) {
	backoff := n.opts.Backoff
	for attempt := 1; attempt <= n.opts.Attempts; attempt++ {
		if attempt > 1 && h.limit.Wait(n.ctx) != nil {
			n.reportAll(h, batch, alert.Delivery{Attempt: attempt, Err: errLost})
			return
		}
		status, retryAfter, err := n.post(h.url, body)
		d := alert.Delivery{Attempt: attempt, Status: status, OK: err == nil}
		if err == nil {
			n.reportAll(h, batch, d)
			return
		}
		d.Err = redactKey(err.Error(), n.opts.RoutingKey)
		d.Retrying = attempt < n.opts.Attempts && retryable(status)
		n.reportAll(h, batch, d)
		if !d.Retrying {
			return
		}
		wait := jitter(backoff)
		if retryAfter > 0 {
			wait = min(retryAfter, n.opts.MaxRetryAfter)
		}
		backoff = min(2*backoff, n.opts.MaxBackoff)
		if !n.sleep(wait) {
			n.reportAll(h, batch, alert.Delivery{Attempt: attempt, Err: errLost})
			return
		}
	}
}

// render makes the body of one post.
func (n *Notifier) render(batch []alert.Notification) ([]byte, error) {
	if n.opts.Format == FormatPagerDuty {
		return PagerDutyBody(n.opts.RoutingKey, batch[0])
	}
	return Payload(n.opts.Format, batch...)
}

// reportAll reports outcome d for every notification of a batch.
func (n *Notifier) reportAll(h *webhook, batch []alert.Notification, d alert.Delivery) {
	d.Webhook = h.shown
	for _, x := range batch {
		d.Kind, d.Key = x.Kind, x.Key()
		n.report(d)
	}
}

// post sends one request; err is nil only for a 2xx answer.
func (n *Notifier) post(u string, body []byte) (status int, retryAfter time.Duration, err error) {
	ctx, cancel := context.WithTimeout(n.ctx, n.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "calltop-alerts")
	resp, err := n.opts.Client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, 0, fmt.Errorf("no answer within %s", n.opts.Timeout)
		}
		return 0, 0, redactURL(err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return resp.StatusCode, 0, nil
	}
	retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return resp.StatusCode, retryAfter, fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(snippet))
}

// sleep waits d or until the notifier is aborted (false).
func (n *Notifier) sleep(d time.Duration) bool {
	if d <= 0 {
		return n.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-n.ctx.Done():
		return false
	}
}

// retryable: network errors (status 0), 408, 429 and 5xx are retried;
// other 4xx are the payload's or the URL's fault and are not.
func retryable(status int) bool {
	return status == 0 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// redactURL keeps a webhook's secret path out of error messages.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %v", ue.Op, ue.Err)
	}
	return err
}
