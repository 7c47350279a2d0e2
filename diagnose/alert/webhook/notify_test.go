package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed/feedtest"
	"go.uber.org/goleak"
)

// hook is a webhook receiver on the test's in-memory network. answer
// picks each response.
type hook struct {
	URL    string
	mu     sync.Mutex
	bodies [][]byte
	times  []time.Time
	answer func(n int, w http.ResponseWriter, r *http.Request) // n counts requests from 1
}

func newHook(t *testing.T, mem *feedtest.MemNet, answer func(n int, w http.ResponseWriter, r *http.Request)) *hook {
	h := &hook{answer: answer}
	h.URL = mem.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "application/json" || r.Method != http.MethodPost {
			t.Errorf("got %s with content type %q", r.Method, r.Header.Get("Content-Type"))
		}
		h.mu.Lock()
		h.bodies = append(h.bodies, body)
		h.times = append(h.times, time.Now())
		n := len(h.bodies)
		h.mu.Unlock()
		if h.answer != nil {
			h.answer(n, w, r)
		}
	}))
	return h
}

func (h *hook) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.bodies)
}

// slack decodes request i as a Slack payload.
func (h *hook) slack(t *testing.T, i int) SlackPayload {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var p SlackPayload
	if err := json.Unmarshal(h.bodies[i], &p); err != nil {
		t.Fatalf("request %d is not JSON: %v: %s", i, err, h.bodies[i])
	}
	return p
}

// notes returns the text of every notification received, across single
// and batched Slack posts, in order.
func (h *hook) notes(t *testing.T) []string {
	t.Helper()
	h.mu.Lock()
	n := len(h.bodies)
	h.mu.Unlock()
	var out []string
	for i := range n {
		for _, b := range h.slack(t, i).Blocks {
			if b.Type == "section" && !strings.HasPrefix(b.Text.Text, "*calltop:") {
				out = append(out, b.Text.Text)
			}
		}
	}
	return out
}

// wait polls until cond holds or fails after d.
func wait(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// drain collects a notifier's reports in the background.
type drain struct {
	mu  sync.Mutex
	got []alert.Delivery
}

func collect(n *Notifier) *drain {
	d := &drain{}
	go func() {
		for r := range n.Reports() {
			d.mu.Lock()
			d.got = append(d.got, r)
			d.mu.Unlock()
		}
	}()
	return d
}

func (d *drain) find(f func(alert.Delivery) bool) (alert.Delivery, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range d.got {
		if f(r) {
			return r, true
		}
	}
	return alert.Delivery{}, false
}

// noLeaks checks, after every cleanup (servers closed), that no goroutine
// started by the test is left.
func noLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// fastOptions are test-sized notifier options posting over mem.
func fastOptions(mem *feedtest.MemNet, urls ...string) NotifierOptions {
	return NotifierOptions{Webhooks: urls, Format: FormatSlack, MinInterval: 20 * time.Millisecond,
		Backoff: 20 * time.Millisecond, Timeout: 300 * time.Millisecond, Attempts: 3, Client: mem.HTTPClient()}
}

// closeNotifier closes n, giving queued notifications up to grace.
func closeNotifier(t *testing.T, n *Notifier, grace time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	start := time.Now()
	n.Close(ctx)
	if d := time.Since(start); d > grace+500*time.Millisecond {
		t.Fatalf("Close took %s with a grace of %s", d, grace)
	}
}

func TestSlackWebhookFireResolveAndNothingWhenMuted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		noLeaks(t)
		h := newHook(t, mem, nil)
		n, err := NewNotifier(fastOptions(mem, h.URL+"/services/T000/B000/secret"))
		if err != nil {
			t.Fatal(err)
		}
		rep := collect(n)
		b := alert.NewBook(alert.Options{Sender: n, User: "tester", Reopen: -1})
		f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
		f.ParticipantName = "Alice <admin>"
		b.Observe(t0, []diagnose.Finding{f})
		wait(t, 3*time.Second, "the firing post", func() bool { return h.count() == 1 })
		b.Observe(at(time.Minute), nil)
		wait(t, 3*time.Second, "the resolved post", func() bool { return h.count() == 2 })
		fire, res := h.slack(t, 0), h.slack(t, 1)
		if !strings.Contains(fire.Text, "FIRING") || !strings.Contains(fire.Text, "ice-failed") || len(fire.Blocks) != 2 {
			t.Fatalf("firing payload %+v", fire)
		}
		if body := fire.Blocks[0].Text.Text; !strings.Contains(body, "Alice &lt;admin&gt;") || !strings.Contains(body, "Advice") {
			t.Fatalf("firing block %q: want the escaped name and advice", body)
		}
		if !strings.Contains(res.Text, "RESOLVED") || !strings.Contains(res.Blocks[1].Elements[0].Text, "lasted 1m0s") {
			t.Fatalf("resolved payload %+v", res)
		}

		// A muted alert sends nothing (the silence itself is announced once).
		if _, err := b.MuteFor(alert.Matcher{CallID: "c2"}, time.Hour, "", "", at(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		g := finding(diagnose.RuleICEFailed, diagnose.Critical, "c2", "p2")
		b.Observe(at(2*time.Minute), []diagnose.Finding{g})
		b.Observe(at(40*time.Minute), []diagnose.Finding{g})
		b.Observe(at(41*time.Minute), nil)
		wait(t, 3*time.Second, "the muted post", func() bool { return h.count() >= 3 })
		time.Sleep(100 * time.Millisecond)
		if notes := h.notes(t); len(notes) != 3 || !strings.Contains(notes[2], "MUTED") {
			t.Fatalf("notifications %q; want fire, resolve and the mute notice only", notes)
		}
		if strings.Contains(string(h.bodies[0]), "secret") {
			t.Fatal("the webhook URL leaked into a payload")
		}
		closeNotifier(t, n, 2*time.Second)
		if d, ok := rep.find(func(d alert.Delivery) bool { return d.OK }); !ok || strings.Contains(d.Webhook, "secret") {
			t.Fatalf("delivery report %+v: want OK with the path hidden", d)
		}
	})
}

func TestWebhookHonours429RetryAfterAndRetries500(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		noLeaks(t)
		h := newHook(t, mem, func(n int, w http.ResponseWriter, r *http.Request) {
			switch n {
			case 1:
				w.Header().Set("Retry-After", "1")
				http.Error(w, "rate_limited", http.StatusTooManyRequests)
			case 2:
				http.Error(w, "oops", http.StatusInternalServerError)
			}
		})
		n, _ := NewNotifier(fastOptions(mem, h.URL))
		rep := collect(n)
		b := alert.NewBook(alert.Options{Sender: n})
		f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
		b.Observe(t0, []diagnose.Finding{f})
		wait(t, 4*time.Second, "three attempts", func() bool { return h.count() == 3 })
		h.mu.Lock()
		gap := h.times[1].Sub(h.times[0])
		h.mu.Unlock()
		if gap < time.Second {
			t.Fatalf("retried %s after a 429 with Retry-After: 1", gap)
		}
		wait(t, time.Second, "the OK report", func() bool {
			_, ok := rep.find(func(d alert.Delivery) bool { return d.OK && d.Attempt == 3 })
			return ok
		})
		closeNotifier(t, n, 2*time.Second)
		for _, want := range []int{429, 500} {
			d, ok := rep.find(func(d alert.Delivery) bool { return d.Status == want })
			if !ok || !d.Retrying || !strings.Contains(d.Err, "HTTP") {
				t.Fatalf("no retrying report for %d: %+v", want, d)
			}
		}
		// The reports land in the Book's event log.
		for _, d := range rep.got {
			b.Delivered(d)
		}
		var failed, sent int
		for _, e := range b.EventsSince(0) {
			switch e.Kind {
			case alert.EvNotifyFailed:
				failed++
			case alert.EvNotified:
				sent++
			}
		}
		if failed != 2 || sent != 1 {
			t.Fatalf("event log: %d failed, %d sent", failed, sent)
		}
	})
}

func TestHangingWebhookNeverBlocksTheEngine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		noLeaks(t)
		release := make(chan struct{})
		hang := newHook(t, mem, func(int, http.ResponseWriter, *http.Request) { <-release })
		defer close(release) // before the servers close (cleanups run after defers)
		good := newHook(t, mem, nil)
		opts := fastOptions(mem, hang.URL, good.URL)
		opts.QueueSize = 3
		opts.Attempts = 2
		n, _ := NewNotifier(opts)
		rep := collect(n)
		b := alert.NewBook(alert.Options{Sender: n})
		start := time.Now()
		for i := range 20 {
			f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p"+string(rune('a'+i)))
			b.Observe(at(time.Duration(i)*time.Second), []diagnose.Finding{f})
		}
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Fatalf("20 observations took %s with a hanging webhook", d)
		}
		wait(t, 3*time.Second, "a timeout report", func() bool {
			_, ok := rep.find(func(d alert.Delivery) bool { return strings.Contains(d.Err, "no answer within") })
			return ok
		})
		if _, ok := rep.find(func(d alert.Delivery) bool { return d.Dropped }); !ok {
			t.Fatal("no dropped report from the full queue")
		}
		wait(t, 3*time.Second, "the healthy webhook", func() bool { return len(good.notes(t)) >= 3 })
		closeNotifier(t, n, 200*time.Millisecond) // the hung request is aborted
	})
}

func TestWebhookRateLimitAndBatching(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		noLeaks(t)
		h := newHook(t, mem, nil)
		opts := fastOptions(mem, h.URL)
		opts.MinInterval = 300 * time.Millisecond
		n, _ := NewNotifier(opts)
		rep := collect(n)
		note := func(i int) alert.Notification {
			return alert.Notification{Kind: alert.NotifyFiring, At: t0, Alert: &alert.Alert{Key: "k" + strconv.Itoa(i), Rule: "rtt-high", Start: t0}}
		}
		n.Send(note(0))
		wait(t, 2*time.Second, "the first post", func() bool { return h.count() == 1 })
		for i := 1; i <= 5; i++ { // queued while the webhook is rate-limited: one batch
			n.Send(note(i))
		}
		wait(t, 2*time.Second, "the batch", func() bool { return h.count() == 2 })
		n.Send(note(6))
		wait(t, 2*time.Second, "the last post", func() bool { return h.count() == 3 })
		if batch := h.slack(t, 1); !strings.Contains(batch.Text, "5 alert notifications (5 firing)") || len(batch.Blocks) != 6 {
			t.Fatalf("batch %+v", batch)
		}
		if notes := h.notes(t); len(notes) != 7 {
			t.Fatalf("%d notifications delivered, want 7", len(notes))
		}
		h.mu.Lock()
		// Posts leave 300 ms apart (in virtual time, exactly). Without the
		// limit they would arrive at once.
		for i := 1; i < 3; i++ {
			if gap := h.times[i].Sub(h.times[i-1]); gap < 300*time.Millisecond {
				t.Errorf("posts %d and %d only %s apart", i-1, i, gap)
			}
		}
		h.mu.Unlock()
		closeNotifier(t, n, 2*time.Second)
		if _, ok := rep.find(func(d alert.Delivery) bool { return d.Key == "k5" && d.OK }); !ok {
			t.Fatal("no OK report for a batched notification")
		}
	})
}

func TestWebhookPermanentFailureIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		noLeaks(t)
		h := newHook(t, mem, func(n int, w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no_such_hook", http.StatusNotFound)
		})
		n, _ := NewNotifier(fastOptions(mem, h.URL))
		rep := collect(n)
		n.Send(alert.Notification{Kind: alert.NotifyFiring, At: t0, Alert: &alert.Alert{Key: "k0", Start: t0}})
		wait(t, 2*time.Second, "the post", func() bool { return h.count() == 1 })
		time.Sleep(100 * time.Millisecond)
		closeNotifier(t, n, 2*time.Second)
		d, ok := rep.find(func(d alert.Delivery) bool { return d.Status == 404 })
		if !ok || d.Retrying || d.Key != "k0" || h.count() != 1 {
			t.Fatalf("404 report %+v after %d posts: want given up at once", d, h.count())
		}
	})
}

func TestJSONPayload(t *testing.T) {
	a := &alert.Alert{Key: "ice-failed@c1/p1//0", ID: "ice-failed@c1/p1//0#1", Rule: diagnose.RuleICEFailed,
		Severity: diagnose.Critical, State: alert.Resolved, Subject: diagnose.Subject{CallID: "c1", ParticipantID: "p1"},
		Message: "m", Start: t0, FiredAt: t0, End: at(90 * time.Second), Ack: &alert.Ack{Who: "alice", At: t0}}
	body, err := Payload(FormatJSON, alert.Notification{Kind: alert.NotifyResolved, At: at(90 * time.Second), Alert: a})
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Version, Kind, Time string
		Alert               map[string]any
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Version != JSONVersion || p.Kind != "resolved" || p.Time != "2026-11-21T12:01:30.000Z" ||
		p.Alert["severity"] != "critical" || p.Alert["durationSec"] != 90.0 || p.Alert["end"] != "2026-11-21T12:01:30.000Z" {
		t.Fatalf("json payload %s", body)
	}
	s := &alert.Silence{ID: "s1", Matcher: alert.Matcher{Rule: "rtt-high"}, Who: "bob", Created: t0, Ends: at(time.Hour)}
	body, _ = Payload(FormatJSON, alert.Notification{Kind: alert.NotifyMuted, At: t0, Silence: s, Matched: 2})
	if !strings.Contains(string(body), `"matcher":"rule=rtt-high"`) || !strings.Contains(string(body), `"matched":2`) {
		t.Fatalf("silence payload %s", body)
	}
	body, _ = Payload(FormatJSON, alert.Notification{Kind: alert.NotifyResolved, At: t0, Alert: a}, alert.Notification{Kind: alert.NotifyMuted, At: t0, Silence: s})
	var batch JSONBatch
	if err := json.Unmarshal(body, &batch); err != nil || batch.Kind != "batch" || len(batch.Notifications) != 2 ||
		batch.Notifications[1].Silence == nil || batch.Notifications[0].Alert.Key != a.Key {
		t.Fatalf("batch payload %s (%v)", body, err)
	}
	if _, err := NewNotifier(NotifierOptions{Webhooks: []string{"ftp://x"}}); err == nil {
		t.Fatal("ftp webhook accepted")
	}
	if _, err := NewNotifier(NotifierOptions{Format: "xml"}); err == nil {
		t.Fatal("xml format accepted")
	}
}
