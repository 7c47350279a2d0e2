package engine

import (
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
)

// A TUI and a watch on one state directory: a silence or an ack made in
// one holds in the other, running, within 2 s, both ways (issue #16).
func TestActionsInOneCalltopHoldInAnotherWithin2s(t *testing.T) {
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
}
