package alert

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Matcher selects alerts for a silence. Set fields must all match; empty
// fields match anything. A matcher with no field set matches nothing
// unless All is true ("mute everything").
type Matcher struct {
	All           bool   `json:"all,omitempty"`
	Key           string `json:"key,omitempty"` // one alert, by its Key
	CallID        string `json:"call,omitempty"`
	ParticipantID string `json:"participant,omitempty"`
	Rule          string `json:"rule,omitempty"`
	// Person matches a participant by name (ParticipantName), in every
	// call: `calltop alerts silence --person NAME`.
	Person string `json:"person,omitempty"`
}

// Empty reports whether no field is set (and All is false).
func (m Matcher) Empty() bool {
	return !m.All && m.Key == "" && m.CallID == "" && m.ParticipantID == "" && m.Rule == "" && m.Person == ""
}

// Matches reports whether the matcher selects the alert.
func (m Matcher) Matches(a *Alert) bool {
	if m.Empty() {
		return false
	}
	return (m.Key == "" || m.Key == a.Key) &&
		(m.CallID == "" || m.CallID == a.Subject.CallID) &&
		(m.ParticipantID == "" || m.ParticipantID == a.Subject.ParticipantID) &&
		(m.Rule == "" || m.Rule == a.Rule) &&
		(m.Person == "" || m.Person == a.ParticipantName)
}

// String renders the matcher as ParseMatcher reads it: "everything" or
// space-separated key=value pairs, e.g. "call=c1 rule=loss-inbound".
func (m Matcher) String() string {
	if m.All {
		return "everything"
	}
	var parts []string
	for _, kv := range [][2]string{{"alert", m.Key}, {"call", m.CallID},
		{"participant", m.ParticipantID}, {"person", quoteSpaces(m.Person)}, {"rule", m.Rule}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

// quoteSpaces quotes a value with spaces (a person's name).
func quoteSpaces(v string) string {
	if strings.ContainsAny(v, " ,") {
		return strconv.Quote(v)
	}
	return v
}

// ParseMatcher reads "everything" (or "all", "*") or key=value pairs
// separated by spaces or commas, keys being alert, call, participant and
// rule: "call=c42 rule=loss-inbound".
func ParseMatcher(s string) (Matcher, error) {
	var m Matcher
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	if len(fields) == 1 && (fields[0] == "everything" || fields[0] == "all" || fields[0] == "*") {
		return Matcher{All: true}, nil
	}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok || v == "" {
			return Matcher{}, fmt.Errorf("matcher %q: want key=value (call=, participant=, rule=, alert=) or \"everything\"", f)
		}
		switch k {
		case "alert", "key":
			m.Key = v
		case "call":
			m.CallID = v
		case "participant":
			m.ParticipantID = v
		case "rule":
			m.Rule = v
		case "person":
			m.Person = v
		default:
			return Matcher{}, fmt.Errorf("matcher %q: unknown key %q (want call, participant, rule or alert)", f, k)
		}
	}
	if m.Empty() {
		return Matcher{}, errors.New("empty matcher: name a call, participant, rule or alert, or say \"everything\"")
	}
	return m, nil
}

// Silence mutes the alerts its matcher selects, until Ends or, when
// UntilResolved, until every alert it muted at creation has resolved.
type Silence struct {
	ID            string    `json:"id"`
	Matcher       Matcher   `json:"matcher"`
	Who           string    `json:"who"`
	Why           string    `json:"why,omitempty"`
	Created       time.Time `json:"created"`
	Ends          time.Time `json:"ends,omitzero"`
	UntilResolved bool      `json:"untilResolved,omitempty"`
	// Alerts are the ids of the alerts an UntilResolved silence waits for.
	Alerts []string `json:"alerts,omitempty"`
	// Keys are those alerts' keys: another process on the same state
	// directory knows the alerts by key (its ids differ).
	Keys []string `json:"keys,omitempty"`
}

// Mutes reports whether the silence mutes the alert: its matcher selects
// it and, for an until-resolved silence, it is one of the alerts the
// silence was made for (it never catches a new subject).
func (s *Silence) Mutes(a *Alert) bool {
	if !s.Matcher.Matches(a) {
		return false
	}
	return !s.UntilResolved || slices.Contains(s.Alerts, a.ID)
}

// Left is the time the silence has left at now (0 for UntilResolved ones).
func (s *Silence) Left(now time.Time) time.Duration {
	if s.UntilResolved || s.Ends.IsZero() {
		return 0
	}
	return max(s.Ends.Sub(now), 0)
}

// Describe says what the silence covers and for how long, for log lines.
func (s *Silence) Describe(now time.Time) string {
	if s.UntilResolved {
		return s.Matcher.String() + " until resolved"
	}
	return s.Matcher.String() + " for " + s.Left(now).Round(time.Second).String()
}

// ParseMuteSpan reads a mute duration: "15m", "1h", "4h", any Go duration
// or a bare number of minutes, or "resolved" / "until-resolved".
func ParseMuteSpan(s string) (d time.Duration, untilResolved bool, err error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "resolved", "until-resolved", "untilresolved", "ur":
		return 0, true, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		d = time.Duration(n) * time.Minute
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, false, fmt.Errorf("mute duration %q: want 15m, 1h, 4h, a Go duration or \"until-resolved\"", s)
	}
	if d <= 0 {
		return 0, false, fmt.Errorf("mute duration %q: must be positive", s)
	}
	return d, false, nil
}
