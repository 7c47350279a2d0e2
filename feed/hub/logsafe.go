package hub

import (
	"fmt"

	"github.com/calltop/calltop/feed"
)

// SafeLogf wraps logf so that every line it is given is one line, escaped
// by feed.LogSafe: paths, ids, close reasons and errors that came from the
// network cannot forge log lines or reach a terminal raw.
func SafeLogf(logf func(format string, args ...any)) func(format string, args ...any) {
	return func(format string, args ...any) {
		logf("%s", feed.LogSafe(fmt.Sprintf(format, args...)))
	}
}
