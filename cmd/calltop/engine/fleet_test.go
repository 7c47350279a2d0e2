package engine

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
)

// These tests run the fleet-level alerts through the engine with the real
// diagnose.Monitor and alert.Book.

const (
	setupFailuresKey = alert.RuleSetupFailures + "@fleet"
	noNewCallsKey    = alert.RuleNoNewCalls + "@fleet"
)

// at is data time t0+s seconds in feed form.
func at(s int) float64 { return ms(t0.Add(time.Duration(s) * time.Second)) }

// setupCall returns the messages of call id starting at second s with one
// participant whose connection reaches iceState at second s+1 ("checking"
// stays so, as a stuck setup does).
func setupCall(id string, s int, iceState string) []*feed.Message {
	return []*feed.Message{
		{Type: feed.TypeCallStart, TS: at(s), Call: &feed.Call{ID: id, Start: at(s)}},
		{Type: feed.TypeParticipantJoin, TS: at(s), CallID: id, Participant: &feed.Participant{ID: "p1", Name: "Ada"}},
		{Type: feed.TypeConnectionEvent, TS: at(s), CallID: id, ParticipantID: "p1", ConnectionID: "pc-1",
			Event: &feed.ConnectionEvent{Kind: feed.EventICEConnectionState, State: "checking"}},
		{Type: feed.TypeConnectionEvent, TS: at(s + 1), CallID: id, ParticipantID: "p1", ConnectionID: "pc-1",
			Event: &feed.ConnectionEvent{Kind: feed.EventICEConnectionState, State: iceState}},
	}
}

// keepAlive moves data time to second s with an update of an existing call.
func keepAlive(id string, s int) *feed.Message {
	return &feed.Message{Type: feed.TypeCallUpdate, TS: at(s), Call: &feed.Call{ID: id}}
}

// fleetEngine runs the engine over the real Monitor and a Book with fleet.
func fleetEngine(t *testing.T, fleet alert.FleetOptions) (*Engine, chan feed.Event) {
	t.Helper()
	events := make(chan feed.Event, 256)
	e := startLive(t, Options{NewMonitor: realMonitor, Source: "test", Events: events, FrameInterval: 10 * time.Millisecond,
		NewBook: func() *alert.Book { return alert.NewBook(alert.Options{User: "tester", Fleet: fleet}) }})
	return e, events
}

func send(events chan feed.Event, msgs ...*feed.Message) {
	for _, m := range msgs {
		events <- feed.Event{Msg: m}
	}
}

// setupFeed is six calls, ten seconds apart: two whose ICE fails, two
// stuck checking (slow setup), two that connect; then 20 s more data.
func setupFeed() []*feed.Message {
	var out []*feed.Message
	states := []string{"failed", "checking", "connected", "failed", "checking", "connected"}
	for i, st := range states {
		out = append(out, setupCall(fmt.Sprintf("call-%d", i), 10*i, st)...)
		for s := 10*i + 2; s < 10*i+10; s++ {
			out = append(out, keepAlive(fmt.Sprintf("call-%d", i), s))
		}
	}
	for s := 60; s <= 80; s++ {
		out = append(out, keepAlive("call-5", s))
	}
	return out
}

// feedAll sends msgs and waits for the frame showing data time at the last.
func feedAll(t *testing.T, e *Engine, events chan feed.Event, msgs []*feed.Message) Frame {
	t.Helper()
	go send(events, msgs...)
	end := time.UnixMilli(int64(msgs[len(msgs)-1].TS)).UTC()
	return waitFrame(t, e, 10*time.Second, "the feed's last data time", func(f Frame) bool {
		return !f.Calls.FeedTime.Before(end)
	})
}

func TestSetupFailureAlertFiresWhenTurnedOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, events := fleetEngine(t, alert.FleetOptions{SetupFailurePct: 50, SetupWindow: 10})
		f := feedAll(t, e, events, setupFeed())
		a := findAlert(f, setupFailuresKey)
		if a == nil || a.State != alert.Firing {
			t.Fatalf("4 of 6 calls failed setup with a 50 %% threshold: want %s firing, got %+v", setupFailuresKey, a)
		}
		if a.Severity != diagnose.Critical || a.Message == "" {
			t.Errorf("setup-failure alert: severity %v, message %q", a.Severity, a.Message)
		}
		t.Logf("%s: %s", a.Key, a.Message)
		if want := "4 of the last 6 calls failed to set up"; len(a.Message) < len(want) || a.Message[:len(want)] != want {
			t.Errorf("message %q, want it to start %q (2 ICE failed, 2 slow, 2 connected)", a.Message, want)
		}
	})
}

func TestSetupFailureAlertIsOffByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, events := fleetEngine(t, alert.FleetOptions{})
		f := feedAll(t, e, events, setupFeed())
		if a := findAlert(f, setupFailuresKey); a != nil {
			t.Fatalf("fleet alerts are off by default, but %s is %s", a.Key, a.State)
		}
		iceFailed := 0
		for _, a := range f.Alerts.Active {
			if a.Rule == diagnose.RuleICEFailed {
				iceFailed++
			}
		}
		if iceFailed != 2 {
			t.Errorf("%d ice-failed alerts, want the feed's 2 (the per-call alerts still work)", iceFailed)
		}
	})
}

func TestSetupFailureAlertStaysQuietWhenCallsConnect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, events := fleetEngine(t, alert.FleetOptions{SetupFailurePct: 50, SetupWindow: 10})
		var msgs []*feed.Message
		for i := 0; i < 6; i++ {
			state := "connected"
			if i == 2 {
				state = "failed"
			}
			msgs = append(msgs, setupCall(fmt.Sprintf("call-%d", i), 2*i, state)...)
		}
		for s := 12; s <= 30; s++ {
			msgs = append(msgs, keepAlive("call-5", s))
		}
		f := feedAll(t, e, events, msgs)
		if a := findAlert(f, setupFailuresKey); a != nil {
			t.Fatalf("1 of 6 calls failed, under the 50 %% threshold, but %s is %s: %s", a.Key, a.State, a.Message)
		}
	})
}

func TestNoNewCallsAlertFiresAfterItsTimeOfData(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, events := fleetEngine(t, alert.FleetOptions{NoNewCallsFor: 2 * time.Minute})
		msgs := setupCall("call-0", 0, "connected")
		for s := 5; s <= 110; s += 5 {
			msgs = append(msgs, keepAlive("call-0", s))
		}
		f := feedAll(t, e, events, msgs)
		if a := findAlert(f, noNewCallsKey); a != nil {
			t.Fatalf("110 s of data after a call started, under the 2 m limit, but %s is %s", a.Key, a.State)
		}

		msgs = nil
		for s := 115; s <= 130; s += 5 {
			msgs = append(msgs, keepAlive("call-0", s))
		}
		f = feedAll(t, e, events, msgs)
		a := findAlert(f, noNewCallsKey)
		if a == nil || a.State != alert.Firing {
			t.Fatalf("130 s of data without a new call (limit 2 m): want %s firing, got %+v", noNewCallsKey, a)
		}
		t.Logf("%s: %s", a.Key, a.Message)

		f = feedAll(t, e, events, setupCall("call-1", 131, "connected"))
		if a := findAlert(f, noNewCallsKey); a != nil {
			t.Errorf("a new call started, but %s is still %s", a.Key, a.State)
		}
	})
}

func TestNoNewCallsAlertIsOffByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, events := fleetEngine(t, alert.FleetOptions{})
		msgs := setupCall("call-0", 0, "connected")
		for s := 10; s <= 600; s += 10 {
			msgs = append(msgs, keepAlive("call-0", s))
		}
		f := feedAll(t, e, events, msgs)
		if a := findAlert(f, noNewCallsKey); a != nil {
			t.Fatalf("fleet alerts are off by default, but after 10 m without a new call %s is %s", a.Key, a.State)
		}
	})
}
