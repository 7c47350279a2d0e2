package alert

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Stamp formats a time as RFC 3339 UTC with milliseconds, as every log
// line and payload does.
func Stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// CleanText strips from feed strings what diagnose.Clean strips (control and
// format characters such as bidi overrides, invalid UTF-8) but keeps their
// length: messages, advice and notes may be longer than its bound.
func CleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
}

// Plural says "1 active alert", "3 active alerts".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
