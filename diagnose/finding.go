package diagnose

import (
	"fmt"
	"time"
)

// Severity ranks a finding or an alert. The zero value is None.
type Severity int

// Severities, in increasing order.
const (
	None Severity = iota
	Info
	Warning
	Critical
)

// String returns "info", "warning", "critical" or "" for None.
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Critical:
		return "critical"
	}
	return ""
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// ParseSeverity parses "info", "warning" or "critical" (and "" as None).
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "":
		return None, nil
	case "info":
		return Info, nil
	case "warning":
		return Warning, nil
	case "critical":
		return Critical, nil
	}
	return None, fmt.Errorf("unknown severity %q (want info, warning or critical)", s)
}

// Subject names what a finding is about. Empty fields are wider scopes: a
// finding with only CallID is about the whole call.
type Subject struct {
	CallID        string `json:"callId"`
	ParticipantID string `json:"participantId,omitempty"`
	ConnectionID  string `json:"connectionId,omitempty"`
	SSRC          int64  `json:"ssrc,omitempty"`
}

// Key returns a stable string for the subject, used to deduplicate.
func (s Subject) Key() string {
	return fmt.Sprintf("%s/%s/%s/%d", s.CallID, s.ParticipantID, s.ConnectionID, s.SSRC)
}

// Evidence is one measured value a finding rests on, beside its threshold.
type Evidence struct {
	Metric    string  `json:"metric"`
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"`
	Unit      string  `json:"unit"`
}

// Finding is one diagnosis: a rule that held for a subject from Start to
// End (zero while the finding is still open). Times come from the data.
type Finding struct {
	Rule            string     `json:"rule"`
	Severity        Severity   `json:"severity"`
	Subject         Subject    `json:"subject"`
	ParticipantName string     `json:"participantName,omitempty"`
	Start           time.Time  `json:"start"`
	End             time.Time  `json:"end"`
	Message         string     `json:"message"`
	Advice          string     `json:"advice"`
	Evidence        []Evidence `json:"evidence,omitempty"`
}

// Open reports whether the finding still holds.
func (f *Finding) Open() bool { return f.End.IsZero() }

// Key identifies a finding's rule and subject; at most one finding with a
// given key is open at a time.
func (f *Finding) Key() string { return f.Rule + "@" + f.Subject.Key() }
