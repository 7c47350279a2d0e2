package view

import (
	"strings"

	"github.com/calltop/calltop/diagnose"
)

// Clean makes text from a feed or a user safe and single-line for a
// terminal: tabs and line breaks become spaces, other control characters
// go (diagnose.Clean). Plain ASCII is returned as it is. The calls list's
// filter and room sort use it, so the TUI and a hub's index see the same
// text.
func Clean(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return diagnose.Clean(strings.Map(func(r rune) rune {
				if r == '\t' || r == '\n' || r == '\r' {
					return ' '
				}
				return r
			}, s))
		}
	}
	return s
}
