package tui

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"go.uber.org/goleak"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// ignoreTeatest skips teatest's own SIGINT watcher, which never exits.
var ignoreTeatest = goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest/v2.NewTestModel.func2")

// flow runs the real program on a frame channel, as the engine would.
type flow struct {
	t      *testing.T
	tm     *teatest.TestModel
	rec    *recorder
	frames chan engine.Frame
}

func newFlow(t *testing.T, first engine.Frame) *flow {
	t.Helper()
	f := &flow{t: t, rec: &recorder{}, frames: make(chan engine.Frame)}
	f.tm = teatest.NewTestModel(t, New(f.rec, f.frames, Options{}), teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	f.frames <- first
	f.waitScreen("support-escalat", "Alice receives 12%")
	return f
}

// send hands the program a frame and returns once Update has applied it:
// the channel is unbuffered and the program reads the next frame only
// after it has handled the previous one, so sending it twice syncs.
func (f *flow) send(fr engine.Frame) {
	f.frames <- fr
	f.frames <- fr
}

// waitScreen waits until the program has drawn every want.
func (f *flow) waitScreen(want ...string) {
	f.t.Helper()
	var seen bytes.Buffer
	teatest.WaitFor(f.t, f.tm.Output(), func(b []byte) bool {
		seen.Write(b)
		for _, w := range want {
			if !bytes.Contains(seen.Bytes(), []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(3*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// waitAsked waits until the Controller was asked want.
func (f *flow) waitAsked(want string) {
	f.t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !slices.Contains(f.rec.log(), want) {
		if time.Now().After(deadline) {
			f.t.Fatalf("controller never got %q; got %v", want, f.rec.log())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *flow) press(keys ...string) {
	for _, k := range keys {
		f.tm.Send(press(k))
	}
}

// finish quits, closes the frame channel as the engine does on shutdown,
// and returns the final model; nothing may be left running.
func (f *flow) finish() *Model {
	f.t.Helper()
	f.press("q")
	f.tm.WaitFinished(f.t, teatest.WithFinalTimeout(3*time.Second))
	m := f.tm.FinalModel(f.t).(*Model)
	close(f.frames)
	goleak.VerifyNone(f.t, goleak.IgnoreCurrent(), ignoreTeatest)
	return m
}

func TestFlowFilterDrillInAndBack(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), ignoreTeatest)
	f := newFlow(t, frame(1, 40, ""))
	f.tm.Type("/alice")
	f.press("enter", "enter")
	f.waitAsked("focus c-wifi-001")
	f.send(frame(2, 40, "c-wifi-001"))
	f.press("esc")
	f.waitAsked("focus ")
	m := f.finish()
	if got := f.rec.log(); !slices.Equal(got, []string{"focus c-wifi-001", "focus "}) {
		t.Fatalf("controller was asked %v", got)
	}
	if m.screen != screenCalls || m.calls.filter != "alice" || m.calls.Selected().ID != "c-wifi-001" {
		t.Fatalf("back on %d with filter %q on %s", m.screen, m.calls.filter, m.calls.Selected().ID)
	}
	mustShow(t, m, "filter: alice", "support-escalat")
	if m.call.detail == nil || m.call.detail.Summary.ID != "c-wifi-001" {
		t.Fatal("the call screen never received the focused call's detail")
	}
}

// bookFrame is a frame whose alerts come from b.
func bookFrame(seq uint64, b *alert.Book) engine.Frame {
	f := frame(seq, 40, "")
	f.Alerts = b.Snapshot()
	return f
}

func TestFlowAck(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), ignoreTeatest)
	b := alertBook()
	f := newFlow(t, bookFrame(1, b))
	f.press("!", "a")
	key := diagnose.RuleLossInbound + "@" + diagnose.Subject{CallID: "c-wifi-001", ParticipantID: "p-alice"}.Key()
	f.waitAsked("ack " + key)
	// The engine acts on the request; the next frame shows the result.
	if err := b.Ack(key, "oncall", "", feedTime()); err != nil {
		t.Fatal(err)
	}
	f.send(bookFrame(2, b))
	m := f.finish()
	mustShow(t, m, "ALERTS  1 firing, 2 acked", "alerts 1 crit")
	if a := m.alerts.current(); a == nil || a.Rule != diagnose.RuleICEDisconnected || a.State != alert.Firing {
		t.Fatalf("after an ack the cursor should be on the next firing alert, got %+v", a)
	}
	if i := slices.IndexFunc(m.alerts.rows, func(a alert.Alert) bool { return a.Key == key }); i < 0 || m.alerts.rows[i].State != alert.Acknowledged {
		t.Fatal("the acknowledged alert is not listed as acknowledged")
	}
}

func TestFlowMuteUntilResolved(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), ignoreTeatest)
	b := alertBook()
	f := newFlow(t, bookFrame(1, b))
	f.press("!", "m", "up", "enter")
	f.waitAsked("mute alert")
	f.rec.mu.Lock()
	req := f.rec.mutes[0]
	f.rec.mu.Unlock()
	if !req.UntilResolved || req.For != 0 || req.Scope != MuteAlert || !strings.HasPrefix(req.AlertKey, diagnose.RuleLossInbound+"@") {
		t.Fatalf("mute request %+v", req)
	}
	if _, err := b.Mute(alert.Matcher{Key: req.AlertKey}, time.Time{}, true, "oncall", "", feedTime()); err != nil {
		t.Fatal(err)
	}
	f.send(bookFrame(2, b))
	// The loss clears: the alert resolves and its silence goes with it.
	later := feedTime().Add(time.Minute)
	b.Observe(later, []diagnose.Finding{
		finding(diagnose.RuleRTTHigh, diagnose.Warning, "c-rtt-002", "p-dmitri", "Dmitri", "", t0.Add(9*time.Minute)),
		finding(diagnose.RuleJitterHigh, diagnose.Warning, "c-00005", "p-5", "user-5", "", t0.Add(9*time.Minute)),
		finding(diagnose.RuleICEDisconnected, diagnose.Critical, "c-00011", "p-11", "user-11", "", t0.Add(9*time.Minute)),
	})
	f.send(bookFrame(3, b))
	f.press("H")
	m := f.finish()
	mustShow(t, m, "HISTORY", "RESOLVED")
	// The until-resolved silence waits out the alert's re-open window,
	// saying so, then ends.
	if n := len(m.alerts.snap.Silences); n != 2 || !strings.HasSuffix(m.alerts.snap.Silences[1].Waiting[0], "(resolved)") {
		t.Fatalf("silences after the alert resolved: %+v", m.alerts.snap.Silences)
	}
	resolved := slices.IndexFunc(m.alerts.rows, func(a alert.Alert) bool { return a.Key == req.AlertKey && a.State == alert.Resolved })
	if resolved < 0 {
		t.Fatal("the muted alert is not listed as resolved")
	}
}
