package alert

import (
	"github.com/calltop/calltop/diagnose"
)

// Level is an event's log level: "error" for critical alerts firing,
// "warn" for other firing alerts and failed notifications, "info" else.
func (e Event) Level() string {
	switch e.Kind {
	case EvFiring, EvEscalated, EvAckExpired:
		if e.Severity == diagnose.Critical {
			return "error"
		}
		return "warn"
	case EvNotifyFailed, EvState:
		return "warn"
	}
	return "info"
}

// LogLine is an event as one JSON log line (calltop watch --json).
type LogLine struct {
	Time          string `json:"time"`
	Level         string `json:"level"`
	Event         string `json:"event"`
	Alert         string `json:"alert,omitempty"`
	Rule          string `json:"rule,omitempty"`
	Severity      string `json:"severity,omitempty"`
	CallID        string `json:"call,omitempty"`
	ParticipantID string `json:"participant,omitempty"`
	ConnectionID  string `json:"connection,omitempty"`
	Name          string `json:"name,omitempty"`
	Who           string `json:"who,omitempty"`
	Msg           string `json:"msg"`
	Seq           uint64 `json:"seq"`
}

// Line returns the event as a LogLine, strings stripped of control
// characters.
func (e Event) Line() LogLine {
	return LogLine{Time: Stamp(e.At), Level: e.Level(), Event: string(e.Kind), Alert: CleanText(e.Key),
		Rule: e.Rule, Severity: e.Severity.String(), CallID: CleanText(e.Subject.CallID),
		ParticipantID: CleanText(e.Subject.ParticipantID), ConnectionID: CleanText(e.Subject.ConnectionID),
		Name: CleanText(e.Name), Who: CleanText(e.Who), Msg: CleanText(e.Text), Seq: e.Seq}
}
