package engine

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
	"github.com/calltop/calltop/feed"
)

// A TUI and a watch on one state directory: a silence or an ack made in
// one holds in the other, running, within 2 s, both ways (issue #16). In
// virtual time, so a busy machine cannot stretch the Syncer's polling.
func TestActionsInOneCalltopHoldInAnotherWithin2s(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		openStore := func() *statefile.Store {
			st, err := statefile.OpenStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		tui, tuiEvents := alertEngine(t, openStore())
		watch, watchEvents := alertEngine(t, openStore())
		key := fireLossAlert(t, tui, tuiEvents)
		if k := fireLossAlert(t, watch, watchEvents); k != key {
			t.Fatalf("the two engines see different alerts: %s and %s", key, k)
		}

		tui.Mute(alert.Matcher{CallID: "call-1"}, time.Hour, false, "known ISP issue")
		f := waitFrame(t, watch, 2*time.Second, "the TUI's silence in the watch", func(f Frame) bool {
			a := findAlert(f, key)
			return a != nil && a.Muted() && len(f.Alerts.Silences) == 1
		})
		sil := f.Alerts.Silences[0]
		if sil.Why != "known ISP issue" || sil.Who != "tester" {
			t.Errorf("the silence arrived as %+v", sil)
		}

		watch.Ack(key, "paged the ISP")
		waitFrame(t, tui, 2*time.Second, "the watch's ack in the TUI", func(f Frame) bool {
			a := findAlert(f, key)
			return a != nil && a.State == alert.Acknowledged && a.Ack.Note == "paged the ISP"
		})

		tui.Unack(key)
		tui.Unmute(sil.ID)
		waitFrame(t, watch, 2*time.Second, "the un-ack and the expiry in the watch", func(f Frame) bool {
			a := findAlert(f, key)
			return a != nil && a.State == alert.Firing && !a.Muted() && len(f.Alerts.Silences) == 0
		})
	})
}

// With a state directory it cannot use (read-only), the engine runs
// without saving and says so in the event log.
func TestUnusableStateDirIsSaidAndTheBookRuns(t *testing.T) {
	if _, err := statefile.OpenStore("/dev/null/calltop"); err == nil {
		t.Fatal("a state directory under a file was accepted")
	}
	events := make(chan feed.Event, 64)
	e := startLive(t, Options{NewMonitor: newTestMonitor, Events: events, FrameInterval: 10 * time.Millisecond,
		StoreProblem: "acks, silences and history are not saved (they last until you quit): read-only",
		NewBook:      func() *alert.Book { return alert.NewBook(alert.Options{User: "tester"}) }})
	key := fireLossAlert(t, e, events)
	e.Ack(key, "")
	f := waitFrame(t, e, 2*time.Second, "the ack", func(f Frame) bool {
		a := findAlert(f, key)
		return a != nil && a.State == alert.Acknowledged
	})
	if !eventLogSays(f, "not saved (they last until you quit)") {
		t.Error("the event log does not say the state is not saved")
	}
}

// While the feed is down the book's clock goes on (once a second, on the
// wall clock): the feed-down alert fires after its grace and the alerts'
// ages tick instead of staying at "0s" (issue #16).
func TestBookClockTicksWhileTheFeedIsDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, events := alertEngine(t, nil)
		key := fireLossAlert(t, e, events)
		events <- feed.Event{Kind: feed.EventState, Status: live()}
		events <- feed.Event{Kind: feed.EventState, Status: reconnecting("connection refused")}
		f := waitFrame(t, e, 2*time.Second, "feed-down raised", func(f Frame) bool { return f.Alerts.FeedDown })
		age := findAlert(f, key).Duration(f.Alerts.Now)
		later := waitFrame(t, e, 5*time.Second, "the ages ticking", func(g Frame) bool {
			a := findAlert(g, key)
			return a != nil && a.Duration(g.Alerts.Now) >= age+2*time.Second
		})
		if !later.Alerts.FeedDown {
			t.Fatal("the feed came back by itself")
		}
	})
}
