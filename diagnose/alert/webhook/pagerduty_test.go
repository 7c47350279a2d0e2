package webhook

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed/feedtest"
)

const testRoutingKey = "R0123456789abcdef0123456789abcde" // 32 characters, as PagerDuty's are

// checkPagerDutyV2 checks an event against the Events API v2 schema (what
// PagerDuty answers 400 "Event object is invalid" for) and returns it.
func checkPagerDutyV2(body []byte) (map[string]any, error) {
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if k, _ := ev["routing_key"].(string); len(k) != 32 {
		return nil, fmt.Errorf("routing_key must be 32 characters, is %d", len(k))
	}
	action, _ := ev["event_action"].(string)
	if !slices.Contains([]string{"trigger", "acknowledge", "resolve"}, action) {
		return nil, fmt.Errorf("event_action %q", action)
	}
	if dk, _ := ev["dedup_key"].(string); dk == "" || len(dk) > 255 {
		return nil, fmt.Errorf("dedup_key %q: required here, at most 255 characters", dk)
	}
	if action != "trigger" {
		return ev, nil
	}
	p, ok := ev["payload"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a trigger needs a payload")
	}
	if s, _ := p["summary"].(string); s == "" || len(s) > 1024 {
		return nil, fmt.Errorf("payload.summary %q: required, at most 1024 characters", s)
	}
	if s, _ := p["source"].(string); s == "" {
		return nil, fmt.Errorf("payload.source is required")
	}
	if s, _ := p["severity"].(string); !slices.Contains([]string{"critical", "error", "warning", "info"}, s) {
		return nil, fmt.Errorf("payload.severity %q", s)
	}
	if ts, ok := p["timestamp"].(string); ok {
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			return nil, fmt.Errorf("payload.timestamp %q: %v", ts, err)
		}
	}
	return ev, nil
}

// A PagerDuty incident follows the alert: trigger, acknowledge, resolve,
// all with one dedup key; the receiver checks every event against the v2
// schema, and the routing key shows in no report.
func TestPagerDutyEventsFollowTheAlert(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		noLeaks(t)
		var events []map[string]any
		h := newHook(t, mem, func(n int, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
			w.Write([]byte(`{"status":"success","message":"Event processed"}`))
		})
		opts := fastOptions(mem, h.URL+"/v2/enqueue")
		opts.Format, opts.RoutingKey = FormatPagerDuty, testRoutingKey
		n, err := NewNotifier(opts)
		if err != nil {
			t.Fatal(err)
		}
		rep := collect(n)
		b := alert.NewBook(alert.Options{Sender: n, User: "ana", Reopen: -1})
		f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
		f.ParticipantName = "Ada <!channel>"
		b.Observe(t0, []diagnose.Finding{f})
		if err := b.Ack(f.Key(), "", "calling them", at(time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.MuteFor(alert.Matcher{CallID: "c9"}, time.Hour, "", "", at(time.Second)); err != nil {
			t.Fatal(err)
		}
		b.Observe(at(time.Minute), nil)
		wait(t, 5*time.Second, "three events", func() bool { return h.count() >= 3 })
		closeNotifier(t, n, time.Second)
		if h.count() != 3 {
			t.Fatalf("%d events, want trigger, acknowledge, resolve (a silence pages nobody)", h.count())
		}
		h.mu.Lock()
		bodies := slices.Clone(h.bodies)
		h.mu.Unlock()
		for i := range 3 {
			ev, err := checkPagerDutyV2(bodies[i])
			if err != nil {
				t.Fatalf("event %d is not a valid v2 event: %v\n%s", i, err, bodies[i])
			}
			events = append(events, ev)
		}
		var actions []string
		for _, ev := range events {
			actions = append(actions, ev["event_action"].(string))
			if ev["dedup_key"] != events[0]["dedup_key"] {
				t.Errorf("dedup keys differ: %v and %v", ev["dedup_key"], events[0]["dedup_key"])
			}
		}
		if !slices.Equal(actions, []string{"trigger", "acknowledge", "resolve"}) {
			t.Fatalf("actions %q", actions)
		}
		p := events[0]["payload"].(map[string]any)
		if s := p["summary"].(string); !strings.Contains(s, "Ada <!channel> (p1)") || p["severity"] != "critical" {
			t.Errorf("trigger payload %v", p)
		}
		if _, bad := rep.find(func(d alert.Delivery) bool { return strings.Contains(fmt.Sprint(d), testRoutingKey) }); bad {
			t.Error("a delivery report shows the routing key")
		}
	})
}

// A failure answer that echoes the key does not leak it into reports.
func TestPagerDutyErrorsNeverShowTheRoutingKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		noLeaks(t)
		h := newHook(t, mem, func(n int, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"status":"invalid event","errors":["routing_key %s unknown"]}`, testRoutingKey)
		})
		opts := fastOptions(mem, h.URL)
		opts.Format, opts.RoutingKey = FormatPagerDuty, testRoutingKey
		n, _ := NewNotifier(opts)
		rep := collect(n)
		n.Send(alert.Notification{Kind: alert.NotifyFiring, At: t0, Alert: &alert.Alert{Key: "k", ID: "k#1", Rule: "rtt-high", Start: t0}})
		wait(t, 5*time.Second, "a failure report", func() bool {
			_, ok := rep.find(func(d alert.Delivery) bool { return !d.OK && d.Status == 400 })
			return ok
		})
		closeNotifier(t, n, time.Second)
		d, _ := rep.find(func(d alert.Delivery) bool { return !d.OK && d.Status == 400 })
		if strings.Contains(d.Err, testRoutingKey) || !strings.Contains(d.Err, "[routing key]") {
			t.Fatalf("error %q", d.Err)
		}
		if _, err := NewNotifier(NotifierOptions{Webhooks: []string{h.URL}, Format: FormatPagerDuty}); err == nil {
			t.Fatal("a pagerduty notifier without a routing key was accepted")
		}
	})
}

// Notifications still queued when Close gives up are each reported lost,
// never dropped silently (#22 item 7).
func TestQueuedNotificationsAtCloseAreReportedLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := feedtest.NewMemNet()
		noLeaks(t)
		release := make(chan struct{})
		hang := newHook(t, mem, func(int, http.ResponseWriter, *http.Request) { <-release })
		defer close(release)
		opts := fastOptions(mem, hang.URL)
		opts.Format, opts.RoutingKey = FormatPagerDuty, testRoutingKey // one event per request
		opts.Timeout = time.Hour
		n, _ := NewNotifier(opts)
		rep := collect(n)
		for i := range 4 {
			n.Send(alert.Notification{Kind: alert.NotifyFiring, At: t0,
				Alert: &alert.Alert{Key: fmt.Sprintf("k%d", i), ID: fmt.Sprintf("k%d#1", i), Rule: "rtt-high", Start: t0}})
		}
		wait(t, time.Second, "the first request", func() bool { return hang.count() == 1 })
		closeNotifier(t, n, 100*time.Millisecond)
		synctest.Wait() // the collector has taken every report
		for i := range 4 {
			key := fmt.Sprintf("k%d", i)
			if _, ok := rep.find(func(d alert.Delivery) bool { return d.Key == key && !d.OK && !d.Retrying }); !ok {
				t.Errorf("no final report for %s: it vanished", key)
			}
		}
		if _, ok := rep.find(func(d alert.Delivery) bool { return strings.Contains(d.Err, "lost: calltop stopped") }); !ok {
			t.Error("no report says the queued notifications were lost")
		}
	})
}
