package engine

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
)

// A hub looping a recording ends every call (replay-restart) and plays the
// same data again from its start. Each pass's alerts are new incidents:
// the first pass's resolve ("replay started over") and the second's do not
// come back as flaps of them, however many passes run.
func TestLoopingReplayPassesAreNewIncidentsNotFlaps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pass := simEvents(t, 2, "wifi-loss", 40)
		var calls []string
		for _, ev := range pass {
			if ev.Msg.Type == feed.TypeCallStart {
				calls = append(calls, ev.Msg.Call.ID)
			}
		}
		events := make(chan feed.Event, 4*len(pass)+16)
		e := startLive(t, Options{NewMonitor: realMonitor, Source: "replay", Events: events,
			FrameInterval: 10 * time.Millisecond, NewBook: func() *alert.Book { return alert.NewBook(alert.Options{}) }})
		firing := func(f Frame) *alert.Alert {
			for i, a := range f.Alerts.Active {
				if a.Rule == diagnose.RuleLossInbound && a.State == alert.Firing {
					return &f.Alerts.Active[i]
				}
			}
			return nil
		}
		var ids []string
		for p := 0; p < 3; p++ {
			if p > 0 {
				last := pass[len(pass)-1].Msg.TS
				for _, id := range calls {
					events <- feed.Event{Msg: &feed.Message{Type: feed.TypeCallEnd, TS: last, CallID: id, Reason: feed.ReasonReplayRestart}}
				}
			}
			for _, ev := range simEvents(t, 2, "wifi-loss", 40) { // the same data again
				events <- ev
			}
			f := waitFrame(t, e, 20*time.Second, "a firing loss-inbound alert in this pass that is a new incident (not the last pass's, re-opened)", func(f Frame) bool {
				a := firing(f)
				return a != nil && (len(ids) == 0 || a.ID != ids[len(ids)-1])
			})
			a := firing(f)
			if a.Flaps != 0 {
				t.Errorf("pass %d: the alert is flap %d of the last pass's (%s), want a new incident", p+1, a.Flaps, a.Note)
			}
			ids = append(ids, a.ID)
			if p > 0 {
				var over bool
				for _, h := range f.Alerts.History {
					over = over || (h.ID == ids[p-1] && h.Note == "replay started over")
				}
				if !over {
					t.Errorf("pass %d: the last pass's alert %s is not in the history as resolved by the replay starting over", p+1, ids[p-1])
				}
			}
		}
	})
}
