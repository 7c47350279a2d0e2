package engine

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
	"github.com/calltop/calltop/diagnose/alert/webhook"
	"github.com/calltop/calltop/feed"
)

// lossCall starts call i tagged to hold a loss-inbound finding.
func lossCall(i int) *feed.Message {
	m := callStart(i)
	m.Call.Tags = map[string]string{"rule": "loss-inbound"}
	return m
}

// tick is a message that only moves data time to t0+s seconds.
func tick(s int) *feed.Message {
	return &feed.Message{Type: feed.TypeCallUpdate, TS: ms(t0.Add(time.Duration(s) * time.Second)),
		Call: &feed.Call{ID: "call-0"}}
}

func alertEngine(t *testing.T, store *statefile.Store) (*Engine, chan feed.Event) {
	t.Helper()
	events := make(chan feed.Event, 64)
	e := startLive(t, Options{NewMonitor: newTestMonitor, Source: "test", Events: events,
		FrameInterval: 10 * time.Millisecond, Store: store,
		NewBook: func() *alert.Book { return alert.NewBook(alert.Options{User: "tester"}) }})
	return e, events
}

func findAlert(f Frame, key string) *alert.Alert {
	for i := range f.Alerts.Active {
		if f.Alerts.Active[i].Key == key {
			return &f.Alerts.Active[i]
		}
	}
	return nil
}

// fireLossAlert starts a call with a loss finding and moves data time on
// until its alert fires; it returns the alert's key.
func fireLossAlert(t *testing.T, e *Engine, events chan feed.Event) string {
	t.Helper()
	key, _ := fireLossAlertFrame(t, e, events)
	return key
}

// fireLossAlertFrame is fireLossAlert that also returns the frame in which
// the alert was seen firing.
func fireLossAlertFrame(t *testing.T, e *Engine, events chan feed.Event) (string, Frame) {
	t.Helper()
	events <- feed.Event{Msg: lossCall(1)}
	for s := 2; s <= 15; s++ {
		events <- feed.Event{Msg: tick(s)}
	}
	var key string
	f := waitFrame(t, e, 2*time.Second, "a firing loss alert", func(f Frame) bool {
		for _, a := range f.Alerts.Active {
			if a.Rule == "loss-inbound" && a.State == alert.Firing {
				key = a.Key
				return true
			}
		}
		return false
	})
	return key, f
}

func TestAckAndMuteReachTheBook(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, err := statefile.OpenStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		e, events := alertEngine(t, store)
		key := fireLossAlert(t, e, events)

		e.Ack(key, "calling the customer")
		f := waitFrame(t, e, 2*time.Second, "the alert acknowledged", func(f Frame) bool {
			a := findAlert(f, key)
			return a != nil && a.State == alert.Acknowledged
		})
		if a := findAlert(f, key); a.Ack.Who != "tester" || a.Ack.Note != "calling the customer" {
			t.Errorf("ack %+v lost who or note", a.Ack)
		}

		e.Mute(alert.Matcher{CallID: "call-1"}, time.Hour, false, "known issue")
		f = waitFrame(t, e, 2*time.Second, "a silence", func(f Frame) bool { return len(f.Alerts.Silences) == 1 })
		if a := findAlert(f, key); a == nil || !a.Muted() {
			t.Errorf("the call's alert is not muted: %+v", a)
		}
		id := f.Alerts.Silences[0].ID

		e.Ack("no-such-alert", "")
		e.Unmute(id)
		f = waitFrame(t, e, 2*time.Second, "no silence", func(f Frame) bool { return len(f.Alerts.Silences) == 0 })
		if a := findAlert(f, key); a == nil || a.Muted() {
			t.Errorf("the alert is still muted after unmute: %+v", a)
		}
		if !eventLogSays(f, `no active alert "no-such-alert"`) {
			t.Error("acking an unknown alert left no word in the event log")
		}
		if _, err := os.Stat(store.Path); err != nil {
			t.Errorf("the ack and mutes were not saved: %v", err)
		}
	})
}

func TestMuteUntilResolved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, events := alertEngine(t, nil)
		key := fireLossAlert(t, e, events)
		e.Mute(alert.Matcher{Key: key}, 0, true, "")
		f := waitFrame(t, e, 2*time.Second, "a silence", func(f Frame) bool { return len(f.Alerts.Silences) == 1 })
		if s := f.Alerts.Silences[0]; !s.UntilResolved {
			t.Errorf("silence %+v is not until-resolved", s)
		}
		if a := findAlert(f, key); a == nil || !a.Muted() {
			t.Errorf("alert not muted: %+v", a)
		}
	})
}

func TestAlertStateSurvivesARestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		store, err := statefile.OpenStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		ctx1Events := make(chan feed.Event, 64)
		e1, err := New(Options{NewMonitor: newTestMonitor, Events: ctx1Events, FrameInterval: 10 * time.Millisecond,
			Store: store, NewBook: func() *alert.Book { return alert.NewBook(alert.Options{}) }})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- e1.Run(t.Context()) }()
		fireLossAlert(t, e1, ctx1Events)
		e1.Mute(alert.Matcher{Rule: "loss-inbound"}, 4*time.Hour, false, "")
		waitFrame(t, e1, 2*time.Second, "a silence", func(f Frame) bool { return len(f.Alerts.Silences) == 1 })
		close(ctx1Events)
		if err := <-done; err != nil {
			t.Fatal(err)
		}

		e2, events := alertEngine(t, store)
		events <- feed.Event{Msg: lossCall(1)}
		f := waitFrame(t, e2, 2*time.Second, "the restored silence", func(f Frame) bool { return len(f.Alerts.Silences) == 1 })
		if s := f.Alerts.Silences[0]; s.Matcher.Rule != "loss-inbound" {
			t.Errorf("restored silence %+v, want the loss-inbound rule muted", s)
		}
	})
}

func eventLogSays(f Frame, text string) bool {
	for _, ev := range f.Alerts.Events {
		if strings.Contains(ev.Text, text) {
			return true
		}
	}
	return false
}

func TestWebhookDeliveryReachesTheEventLog(t *testing.T) {
	posts := make(chan string, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		posts <- string(body)
	}))
	defer srv.Close()
	n, err := webhook.NewNotifier(webhook.NotifierOptions{Webhooks: []string{srv.URL}, Format: webhook.FormatJSON})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close(context.Background())
	events := make(chan feed.Event, 64)
	e := startLive(t, Options{NewMonitor: newTestMonitor, Source: "test", Events: events,
		FrameInterval: 10 * time.Millisecond, Deliveries: n.Reports(),
		NewBook: func() *alert.Book { return alert.NewBook(alert.Options{Sender: n}) }})
	_, f := fireLossAlertFrame(t, e, events)
	select {
	case body := <-posts:
		if !strings.Contains(body, "loss-inbound") {
			t.Errorf("webhook post does not name the rule: %s", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook post for the firing alert")
	}
	if eventLogSays(f, "sent to "+srv.URL) {
		return // reported before the firing frame went out
	}
	waitFrame(t, e, 10*time.Second, "the delivery in the event log", func(f Frame) bool {
		return eventLogSays(f, "sent to "+srv.URL)
	})
}

// A feed that is down before any data arrives must not set the book's
// clock to the wall clock: data replayed from the past would then never
// move it, and no alert would ever fire.
func TestFeedDownBeforeDataKeepsTheBookOnDataTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, events := alertEngine(t, nil)
		events <- feed.Event{Kind: feed.EventState, Status: reconnecting("connection refused")}
		f := waitFrame(t, e, 2*time.Second, "reconnecting", func(f Frame) bool { return f.Feed.State == "reconnecting" })
		if f.Alerts.FeedDown {
			t.Error("feed-down raised before any data, at a time the book cannot know")
		}
		events <- feed.Event{Kind: feed.EventState, Status: live()}
		fireLossAlert(t, e, events) // data from 2026-01-01: its alert still fires
	})
}
