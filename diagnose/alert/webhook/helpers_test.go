package webhook

import (
	"time"

	"github.com/calltop/calltop/diagnose"
)

// t0 is the start of every test's clock.
var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// finding returns an open finding of rule on participant p of call c.
func finding(rule string, sev diagnose.Severity, call, p string) diagnose.Finding {
	return diagnose.Finding{Rule: rule, Severity: sev, Start: t0, ParticipantName: "Name of " + p,
		Subject: diagnose.Subject{CallID: call, ParticipantID: p},
		Message: rule + " on " + call + "/" + p, Advice: "do something"}
}
