package feedtest

import (
	"os"
	"os/exec"
	"testing"
)

// RequireTool returns the path of program name (tmux, chromium, node, ssh,
// ...), or stops the test when it is not installed: a skip with a one-line
// reason naming the tool and how to get it when $CI is unset, a failure
// when CI=true (.ci/run installs every tool the tests need, so a missing
// one there is a broken CI script, not a reason to pass).
func RequireTool(tb testing.TB, name, install string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	Missing(tb, name+" is not installed ("+install+")")
	return ""
}

// Missing stops the test for a missing outside tool or file, as
// RequireTool does: skip with reason when $CI is unset, fail under CI.
func Missing(tb testing.TB, reason string) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("needed under CI: %s", reason)
	}
	tb.Skipf("skipped: %s; set CI=true to make this a failure", reason)
}
