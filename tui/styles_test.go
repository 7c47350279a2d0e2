package tui

import (
	"regexp"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

// TestNoBlackOrWhiteOn16Colours renders every golden screen as a
// 16-colour terminal receives it and fails on a black, white or grey
// foreground: one of them is the background of every theme.
func TestNoBlackOrWhiteOn16Colours(t *testing.T) {
	sgr := regexp.MustCompile(`\x1b\[([0-9;]*)m`)
	bad := map[string]bool{"30": true, "37": true, "90": true, "97": true}
	for name, build := range screens {
		out := render(build(80, 24), colorprofile.ANSI)
		for _, m := range sgr.FindAllStringSubmatch(out, -1) {
			for _, p := range regexp.MustCompile(`;`).Split(m[1], -1) {
				if bad[p] {
					t.Errorf("%s: SGR %q sets a black, white or grey foreground", name, m[1])
				}
			}
		}
	}
}
