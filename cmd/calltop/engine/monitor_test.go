package engine

import (
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

// testMonitor keeps the calls it was told about, in order, and the newest
// data time: enough to see in frames what the engine applied.
type testMonitor struct {
	now      time.Time
	calls    []*diagnose.CallSummary
	findings []diagnose.Finding
}

func newTestMonitor() Monitor { return &testMonitor{} }

func (m *testMonitor) Apply(msg *feed.Message) {
	if msg.TS > 0 {
		m.now = time.UnixMilli(int64(msg.TS)).UTC()
	}
	if msg.Type == feed.TypeCallStart {
		m.calls = append(m.calls, &diagnose.CallSummary{ID: msg.Call.ID})
		// A call tagged with a rule holds that finding from its start.
		if rule := msg.Call.Tags["rule"]; rule != "" {
			m.findings = append(m.findings, diagnose.Finding{Rule: rule, Severity: diagnose.Warning,
				Subject: diagnose.Subject{CallID: msg.Call.ID}, Start: m.now, Message: rule + " on " + msg.Call.ID})
		}
	}
}

func (m *testMonitor) Now() time.Time                                     { return m.now }
func (m *testMonitor) OpenFindings() []diagnose.Finding                   { return m.findings }
func (m *testMonitor) StaleParticipants(time.Duration) []diagnose.Subject { return nil }

func (m *testMonitor) Snapshot(focus string) diagnose.Snapshot {
	s := diagnose.Snapshot{FeedTime: m.now, Calls: m.calls[:len(m.calls):len(m.calls)]}
	for _, c := range m.calls {
		if c.ID == focus {
			s.Focus = &diagnose.CallDetail{Summary: c}
		}
	}
	return s
}
