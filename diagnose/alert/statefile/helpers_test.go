package statefile

import (
	"strconv"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// t0 is the start of every test's clock.
var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// finding returns an open finding of rule on participant p of call c.
func finding(rule string, sev diagnose.Severity, call, p string) diagnose.Finding {
	return diagnose.Finding{Rule: rule, Severity: sev, Start: t0, ParticipantName: "Name of " + p,
		Subject: diagnose.Subject{CallID: call, ParticipantID: p},
		Message: rule + " on " + call + "/" + p}
}

// book returns a Book with n firing alerts.
func book(n int) *alert.Book {
	b := alert.NewBook(alert.Options{User: "tester"})
	open := make([]diagnose.Finding, n)
	for i := range open {
		open[i] = finding(diagnose.RuleICEFailed, diagnose.Critical, "c"+strconv.Itoa(i/4), "p"+strconv.Itoa(i))
	}
	b.Observe(t0, open)
	return b
}
