package tui

import (
	"testing"
	"time"
	"unicode/utf8"
)

func TestASCIIDrawsNoUTF8(t *testing.T) {
	rec := &recorder{}
	m := New(rec, nil, Options{ASCII: true})
	m.Update(teaSize(80, 24))
	m.Update(frameMsg(frame(1, 40, "")))
	screens := map[string]string{"calls": m.View().Content}
	keys(m, "!")
	screens["alerts"] = m.View().Content
	keys(m, "!", "enter")
	m.Update(frameMsg(frame(2, 40, "c-wifi-001")))
	screens["call"] = m.View().Content
	keys(m, "enter")
	screens["diagnosis"] = m.View().Content
	keys(m, "esc", "?")
	screens["help"] = m.View().Content
	keys(m, "?", "esc", "!", "v", "z") // a silence with a comment, zoomed
	screens["silences"] = m.View().Content
	fleet := New(rec, nil, Options{ASCII: true})
	fleet.Update(teaSize(80, 24))
	fleet.Update(frameMsg(simFrame(t, 40, 40*time.Second)))
	keys(fleet, "F") // a group stands out
	screens["fleet"] = fleet.View().Content
	for name, s := range screens {
		for i, r := range s {
			if r >= utf8.RuneSelf {
				t.Fatalf("%s screen draws %q at byte %d:\n%s", name, r, i, stripANSI(s))
			}
		}
	}
	if n := len(stripANSI(screens["call"])); n < 80*20 {
		t.Fatalf("the call screen is nearly empty (%d bytes)", n)
	}
}
