package tui

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
)

// render is the view as a terminal with the given profile receives it
// (Bubble Tea downsamples the same way on output).
func render(m *Model, p colorprofile.Profile) string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: p}
	_, _ = w.WriteString(m.View().Content)
	return b.String()
}

// screens builds each screen the goldens cover, at a size.
var screens = map[string]func(w, h int) *Model{
	"calls": func(w, h int) *Model {
		m, _ := newTestModel(w, h, frame(1, 60, ""))
		hit(m, "j")
		return m
	},
	"calls-filtered": func(w, h int) *Model {
		m, _ := newTestModel(w, h, frame(1, 60, ""))
		hit(m, "/")
		typeText(m, "room-1")
		return m
	},
	"call": func(w, h int) *Model {
		m, _ := newTestModel(w, h, frame(1, 60, ""))
		hit(m, "enter")
		m.Update(frameMsg(frame(2, 60, "c-wifi-001")))
		return m
	},
	"alerts": func(w, h int) *Model {
		m, _ := newTestModel(w, h, frame(1, 60, ""))
		keys(m, "!", "j")
		return m
	},
	"mute-picker": func(w, h int) *Model {
		m, _ := newTestModel(w, h, frame(1, 60, ""))
		keys(m, "!", "m", "right", "up")
		return m
	},
	"events": func(w, h int) *Model {
		m, _ := newTestModel(w, h, frame(1, 60, ""))
		keys(m, "!", "e")
		return m
	},
	"help": func(w, h int) *Model {
		m, _ := newTestModel(w, h, frame(1, 60, ""))
		hit(m, "?")
		return m
	},
	"replay-paused": func(w, h int) *Model {
		m, _ := newTestModel(w, h, replayFrame(1, true))
		hit(m, "p")
		m.Update(frameMsg(replayFrame(2, true)))
		return m
	},
}

func TestGolden(t *testing.T) {
	profiles := map[string]colorprofile.Profile{"ansi256": colorprofile.ANSI256, "ascii": colorprofile.Ascii}
	for name, build := range screens {
		for _, size := range [][2]int{{80, 24}, {200, 50}} {
			for pname, p := range profiles {
				t.Run(fmt.Sprintf("%s_%dx%d_%s", name, size[0], size[1], pname), func(t *testing.T) {
					golden.RequireEqual(t, render(build(size[0], size[1]), p))
				})
			}
		}
	}
	for pname, p := range profiles {
		t.Run("too-small_60x20_"+pname, func(t *testing.T) {
			m, _ := newTestModel(60, 20, frame(1, 60, ""))
			golden.RequireEqual(t, render(m, p))
		})
	}
}
