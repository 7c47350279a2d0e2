package tui

import "testing"

// A call whose hub is gone shows "source lost" in the calls list (with
// its last finding) and in the call screen's facts; it is live again, and
// says so no more, once its source is back.
func TestALostCallSaysSourceLostInTheListAndTheCallScreen(t *testing.T) {
	f := frame(1, 40, "")
	f.Calls.Calls[0].Source = "lost"
	m, _ := newTestModel(200, 50, f)
	mustShow(t, m, "source lost: Alice receives 12% packet loss")

	hit(m, "enter")
	f2 := frame(2, 40, "c-wifi-001")
	f2.Calls.Calls[0].Source = "lost"
	m.Update(frameMsg(f2))
	mustShow(t, m, "source lost")

	m.Update(frameMsg(frame(3, 40, "c-wifi-001")))
	mustNotShow(t, m, "source lost")
	hit(m, "esc")
	mustShow(t, m, "Alice receives 12% packet loss")
	mustNotShow(t, m, "source lost")
}
