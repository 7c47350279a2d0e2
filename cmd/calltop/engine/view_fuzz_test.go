package engine

import (
	"encoding/json"
	"testing"

	"github.com/calltop/calltop/feed"
)

// FuzzViewFrame feeds the engine's view-mode reader (takeView) any frame a
// hub could send: it must not panic, must take only view.window and
// view.error frames, and a window it takes must make sense to the calls
// list (offset not negative, the list at least as long as the rows, one
// summary per row). Seeds: testdata/fuzz/FuzzViewFrame.
func FuzzViewFrame(f *testing.F) {
	mos := 3.1
	win, _ := feed.EncodeView(feed.ViewWindow{Type: feed.TypeViewWindow, TS: 1.7e12, Window: feed.ViewPage{Seq: 3, Total: 5,
		Matched: 2, Offset: 0, Rows: []feed.ViewRow{{Key: "hub-a/call-7", ID: "call-7", Room: "standup", Participants: 2,
			Severity: "critical", WorstMOS: &mos, People: []feed.ViewPerson{{ID: "p1", Name: "Ana K.", UserID: "u-1"}}, Source: "lost"}}}})
	f.Add(win)
	f.Add([]byte(`{"type":"view.error","error":"this hub has no call index: run it with --index"}`))
	f.Add([]byte(`{"type":"view.window","window":{"offset":-4,"matched":1,"rows":[{"key":"a"},{"key":"b"}]}}`))
	f.Add([]byte(`{"window":{"type":"x"},"type":"view.window"}`))
	f.Add([]byte(`{"type":"team.alerts","alerts":[]}`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		e := &Engine{opts: Options{NewMonitor: realMonitor, View: &ViewOptions{Send: func([]byte) error { return nil }}},
			frames: make(chan Frame, 1), cmds: make(chan func(*loop), 1)}
		l := newLoop(e)
		defer l.stopTimers()
		took := l.takeView(frame)
		typ := frameType(frame)
		if took != (typ == feed.TypeViewWindow || typ == feed.TypeViewError) {
			t.Fatalf("took %v a frame of type %q", took, typ)
		}
		w := l.view.win
		if w.Offset < 0 || w.Matched < w.Offset+len(w.Rows) {
			t.Fatalf("window offset %d, %d rows, %d matched: the list cannot page over it", w.Offset, len(w.Rows), w.Matched)
		}
		var probe feed.ViewWindow
		if typ == feed.TypeViewWindow && json.Unmarshal(frame, &probe) == nil && len(w.Rows) != len(probe.Window.Rows) {
			t.Fatalf("%d rows on the wire, %d summaries", len(probe.Window.Rows), len(w.Rows))
		}
		for i := range w.Rows {
			if w.Row(w.Offset+i) != w.Rows[i] {
				t.Fatalf("Row(%d) is not the window's row %d", w.Offset+i, i)
			}
		}
	})
}
