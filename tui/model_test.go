package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/cmd/calltop/engine"
)

func TestQuitKeys(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		m, _ := newTestModel(80, 24, frame(1, 10, ""))
		if !hasQuit(hit(m, k)) {
			t.Errorf("%s did not quit", k)
		}
	}
	m, _ := newTestModel(80, 24, frame(1, 10, ""))
	keys(m, "/", "q")
	if m.calls.filter != "q" {
		t.Fatalf("q while filtering should type, filter is %q", m.calls.filter)
	}
	if !hasQuit(hit(m, "ctrl+c")) {
		t.Fatal("ctrl+c while filtering did not quit")
	}
}

func TestHelpKey(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 10, ""))
	hit(m, "?")
	if !m.showHelp {
		t.Fatal("? did not open help")
	}
	mustShow(t, m, "Keys", "sort", "filter", "pause display", "alerts")
	hit(m, "j")
	if m.calls.list.Cursor() != 0 || !m.showHelp {
		t.Fatal("keys under the help moved the list")
	}
	hit(m, "esc")
	if m.showHelp {
		t.Fatal("esc did not close help")
	}
	keys(m, "?", "?")
	if m.showHelp {
		t.Fatal("? did not toggle help")
	}
}

func TestPauseHoldsDisplayNotIngestion(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 10, ""))
	hit(m, "p")
	if !m.paused {
		t.Fatal("p did not pause")
	}
	f := frame(2, 10, "")
	f.Calls.Calls = f.Calls.Calls[:3]
	m.Update(frameMsg(f))
	m.Update(frameMsg(f))
	if m.waiting != 2 || m.latest.Seq != 2 || m.shown.Seq != 1 {
		t.Fatalf("paused: waiting %d latest %d shown %d", m.waiting, m.latest.Seq, m.shown.Seq)
	}
	mustShow(t, m, "PAUSED, 2 updates waiting", "9 calls (+1 ended)")
	hit(m, "p")
	if m.paused || m.waiting != 0 || m.shown.Seq != 2 {
		t.Fatal("p did not resume with the latest frame")
	}
	mustShow(t, m, "3 calls |")
	mustNotShow(t, m, "PAUSED")

	keys(m, "p", "enter")
	mustShow(t, m, "Loading call support-escalation… The display is paused: p resumes it.")
	m.Update(frameMsg(frame(3, 10, "c-wifi-001")))
	hit(m, "p")
	mustShow(t, m, "DIAGNOSES")
}

func TestAlertPaneToggleAndTab(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 10, ""))
	hit(m, "!")
	if !m.alertOpen || !m.alertKeys {
		t.Fatal("! did not open the alert pane with the keyboard")
	}
	mustShow(t, m, "ALERTS", "FIRING")
	hit(m, "tab")
	if m.alertKeys {
		t.Fatal("tab did not give the keyboard back to the screen")
	}
	hit(m, "j")
	if m.calls.list.Cursor() != 1 {
		t.Fatal("j with the screen focused did not move the calls cursor")
	}
	hit(m, "!")
	if m.alertOpen {
		t.Fatal("! did not close the pane")
	}
	mustNotShow(t, m, "ALERTS")
}

func replayFrame(seq uint64, paused bool) engine.Frame {
	f := frame(seq, 10, "")
	f.Feed = engine.FeedStatus{Source: "/tmp/calls.jsonl.gz", State: "replay"}
	f.Replay = &engine.ReplayStatus{Start: t0, End: t0.Add(20 * time.Minute), Position: feedTime(), Speed: 2, Paused: paused}
	return f
}

func TestReplayKeys(t *testing.T) {
	m, rec := newTestModel(80, 24, replayFrame(1, false))
	mustShow(t, m, "replay playing", "12:00 / 20:00", "speed x2")
	for _, c := range []struct{ key, want string }{
		{"space", "replay-pause true"},
		{"left", "replay-seek -10s"},
		{"right", "replay-seek 10s"},
		{"]", "replay-speed 4"},
		{"[", "replay-speed 2"}, // one step down from the x4 just asked for
	} {
		hit(m, c.key)
		if got := lastLog(rec); got != c.want {
			t.Errorf("%s: controller got %q, want %q", c.key, got, c.want)
		}
	}
	m.Update(frameMsg(replayFrame(2, true)))
	hit(m, "space")
	if got := lastLog(rec); got != "replay-pause false" {
		t.Errorf("space on a paused replay: %q", got)
	}
}

func TestReplayKeysOffWhenLive(t *testing.T) {
	m, rec := newTestModel(80, 24, frame(1, 10, ""))
	keys(m, "space", "left", "right", "[", "]")
	if len(rec.log()) != 0 {
		t.Fatalf("replay keys reached the controller while live: %v", rec.log())
	}
	hit(m, "?")
	mustNotShow(t, m, "back 10s", "slower")
}

func TestOpenCallAndBack(t *testing.T) {
	m, rec := newTestModel(80, 24, frame(1, 40, ""))
	keys(m, "/")
	typeText(m, "support")
	keys(m, "enter", "enter")
	if m.screen != screenCall || lastLog(rec) != "focus c-wifi-001" {
		t.Fatalf("enter: screen %d, controller %v", m.screen, rec.log())
	}
	mustShow(t, m, "Loading call support-escalation")
	m.Update(frameMsg(frame(2, 40, "c-wifi-001")))
	mustShow(t, m, "support-escalation | c-wifi-001", "Alice", "Bitrate in", "DIAGNOSES", "packet loss")
	newer := frame(3, 40, "c-wifi-001")
	escalated := *newer.Calls.Calls[0]
	escalated.Room = "support-escalation-2"
	newer.Calls.Calls[0] = &escalated
	m.Update(frameMsg(newer))
	hit(m, "esc")
	if m.calls.Selected().Room != "support-escalation-2" {
		t.Fatal("the list did not catch up with the frames shown meanwhile")
	}
	if m.screen != screenCalls || lastLog(rec) != "focus " {
		t.Fatalf("esc: screen %d, controller %v", m.screen, rec.log())
	}
	if m.calls.filter != "support" || m.calls.Selected().ID != "c-wifi-001" {
		t.Fatal("back did not restore the filter and cursor")
	}
}

func TestCallScreenKeys(t *testing.T) {
	m, _ := newTestModel(200, 50, frame(1, 40, ""))
	hit(m, "enter")
	m.Update(frameMsg(frame(2, 40, "c-wifi-001")))
	if m.call.participant().Name != "Alice" {
		t.Fatal("first participant not selected")
	}
	keys(m, "j", "down")
	if m.call.participant().Name != "Carol" {
		t.Fatalf("down twice: %s", m.call.participant().Name)
	}
	hit(m, "j")
	if m.call.participant().Name != "Carol" {
		t.Fatal("down past the end moved off the list")
	}
	keys(m, "k", "up", "up")
	if m.call.participant().Name != "Alice" {
		t.Fatal("up did not come back")
	}
	hit(m, "down")
	mustShow(t, m, "Bob, last 5 min")
	if m.call.Window() != 5*time.Minute {
		t.Fatal("default window is not 5 minutes")
	}
	keys(m, "+")
	mustShow(t, m, "last 15 min")
	keys(m, "+", "-", "-")
	if m.call.Window() != time.Minute {
		t.Fatalf("window %s after + + - -", m.call.Window())
	}
	hit(m, "-")
	mustShow(t, m, "last 1 min")
	m.Update(frameMsg(frame(3, 40, "c-wifi-001")))
	if m.call.participant().Name != "Bob" {
		t.Fatal("a new frame moved the participant selection")
	}
}

func TestCopyDiagnosis(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 40, ""))
	hit(m, "enter")
	msgs := hit(m, "y")
	if _, ok := clipboardText(msgs); ok {
		t.Fatal("copied before the detail arrived")
	}
	mustShow(t, m, "nothing to copy yet")
	m.Update(frameMsg(frame(2, 40, "c-wifi-001")))
	text, ok := clipboardText(hit(m, "y"))
	if !ok {
		t.Fatal("y did not set the clipboard")
	}
	for _, want := range []string{"Call c-wifi-001 (room support-escalation)", "Open problems:",
		"- [critical] Alice receives 12% packet loss", "Advice: Ask Alice", "Cleared:", "Bob (Firefox 133, ethernet, us-east): MOS 4.1"} {
		if !strings.Contains(text, want) {
			t.Errorf("copied text lacks %q:\n%s", want, text)
		}
	}
	if strings.ContainsRune(text, 0x1b) {
		t.Error("copied text holds escape codes")
	}
	mustShow(t, m, "copied the diagnosis of support-escalation to the clipboard")
	hit(m, "j")
	mustNotShow(t, m, "copied the diagnosis")
}

func TestTooSmall(t *testing.T) {
	m, _ := newTestModel(60, 20, frame(1, 10, ""))
	mustShow(t, m, "calltop needs at least 80x24; this terminal is 60x20")
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	mustShow(t, m, "support-escalat")
	mustNotShow(t, m, "needs at least")
}

func TestEveryLineFitsTheTerminal(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {200, 50}, {61, 19}} {
		m, _ := newTestModel(sz[0], sz[1], frame(1, 200, ""))
		check := func(where string) {
			lines := strings.Split(m.View().Content, "\n")
			if len(lines) != sz[1] {
				t.Fatalf("%dx%d %s: %d lines", sz[0], sz[1], where, len(lines))
			}
			for i, l := range lines {
				if w := lipWidth(l); w != sz[0] {
					t.Fatalf("%dx%d %s: line %d is %d wide: %q", sz[0], sz[1], where, i, w, stripANSI(l))
				}
			}
		}
		check("calls")
		hit(m, "!")
		check("calls+alerts")
		keys(m, "tab", "enter")
		m.Update(frameMsg(frame(2, 200, "c-wifi-001")))
		check("call+alerts")
		hit(m, "!")
		check("call")
		hit(m, "?")
		check("help")
	}
}

func TestFeedStringsAreSanitised(t *testing.T) {
	f := frame(1, 10, "")
	evil := *f.Calls.Calls[0]
	evil.Room = "evil\x1b[2J\x1b]52;c;aGk=\x07room"
	evil.TopFinding = "bad\r\nnews\x9b31m"
	f.Calls.Calls[0] = &evil
	f.Feed.Source = "ws://x/\x1b[31mred"
	m, _ := newTestModel(200, 50, f)
	out := m.View().Content
	for _, bad := range []string{"\x1b[2J", "\x1b]52", "\x07", "\r", "\x9b"} {
		if strings.Contains(out, bad) {
			t.Fatalf("screen holds %q from the feed", bad)
		}
	}
	mustShow(t, m, "evil[2J]52;c;aGk=room", "bad  news31m")
}

func TestFeedClosedAndReconnectCountdown(t *testing.T) {
	f := frame(1, 10, "")
	retry := time.Date(2026, 11, 21, 22, 0, 10, 0, time.UTC)
	f.Feed = engine.FeedStatus{Source: "ws://127.0.0.1:7070/feed", State: "reconnecting", Reason: "connection refused", NextRetry: retry}
	m := New(&recorder{}, nil, Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	_, cmd := m.Update(frameMsg(f))
	if cmd == nil || !m.ticking {
		t.Fatal("a reconnecting feed did not start the countdown tick")
	}
	mustShow(t, m, "reconnecting (connection refused)")
	m.Update(tickMsg(retry.Add(-3 * time.Second)))
	mustShow(t, m, "reconnecting in 3 s (connection refused)")
	f.Feed = engine.FeedStatus{Source: "ws://127.0.0.1:7070/feed", State: "live"}
	m.Update(frameMsg(f))
	if _, cmd := m.Update(tickMsg(retry)); cmd != nil || m.ticking {
		t.Fatal("the tick kept running once the feed was live")
	}
	m.Update(feedClosedMsg{})
	mustShow(t, m, "engine stopped")
}

func TestListenReadsFramesAndClose(t *testing.T) {
	ch := make(chan engine.Frame, 1)
	m := New(&recorder{}, ch, Options{})
	ch <- frame(7, 3, "")
	if msg, ok := m.Init()().(frameMsg); !ok || msg.Seq != 7 {
		t.Fatalf("Init's command did not read the frame: %#v", msg)
	}
	close(ch)
	if _, ok := m.listen()().(feedClosedMsg); !ok {
		t.Fatal("a closed channel did not report feedClosedMsg")
	}
}

func TestReplayKeysCountEveryPress(t *testing.T) {
	m, rec := newTestModel(80, 24, replayFrame(1, false))
	keys(m, "]", "]") // no frame in between: the second press starts from x4
	if got := rec.log(); strings.Join(got, ",") != "replay-speed 4,replay-speed 8" {
		t.Fatalf("] ] sent %v, want speeds 4 then 8", got)
	}
	mustShow(t, m, "replay speed x8")
	f := replayFrame(2, false)
	f.Replay.Speed = 8
	m.Update(frameMsg(f))
	keys(m, "[", "[", "[", "[", "[", "[")
	if got := lastLog(rec); got != "replay-speed 0.5" {
		t.Errorf("six [ from x8 ended at %q, want the slowest step 0.5", got)
	}
	keys(m, "space", "space")
	if got := rec.log(); strings.Join(got[len(got)-2:], ",") != "replay-pause true,replay-pause false" {
		t.Errorf("space twice sent %v, want pause then resume", got[len(got)-2:])
	}
}

func TestReplayEndedSaysSo(t *testing.T) {
	f := replayFrame(1, false)
	f.Replay.Ended, f.Replay.Position = true, f.Replay.End.Add(-time.Second)
	m, _ := newTestModel(80, 24, f)
	mustShow(t, m, "replay ended  20:00 / 20:00")
	mustNotShow(t, m, "playing")
}
