package feedtest

import (
	"strings"
	"testing"
	"unicode"
)

// RequireSafeLog fails when a line of logs carries a control or format
// character (only a peer's bytes could have put it there) or starts with
// forgedLine, a line a peer tried to forge by sending a line break.
func RequireSafeLog(tb testing.TB, logs, forgedLine string) {
	tb.Helper()
	for _, line := range strings.Split(logs, "\n") {
		if i := strings.IndexFunc(line, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }); i >= 0 {
			tb.Fatalf("log line carries %q raw: %q", line[i:i+1], line)
		}
		if strings.HasPrefix(line, forgedLine) {
			tb.Fatalf("a forged line reached the log: %q", line)
		}
	}
}
