package history

import (
	"fmt"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// Query is a history search. Every field set must match; an empty Query
// lists the newest calls.
type Query struct {
	// Person matches a participant whose name or user id has a word
	// starting with each word of Person (case-insensitive): "dan o" finds
	// "Dana O'Neil". All words must match the same participant.
	Person string
	// Room matches the room exactly (case-insensitive).
	Room string
	// CallID matches the call id exactly.
	CallID string
	// Tags match call tags exactly ("region" -> "eu-west-1").
	Tags map[string]string
	// Since and Until bound the call's end time (zero: unbounded).
	Since, Until time.Time
	// MinSeverity keeps calls whose worst finding is at least this.
	MinSeverity diagnose.Severity
	// Rule keeps calls that had a finding of this rule id.
	Rule string
	// Limit caps the results (0: DefaultLimit; at most MaxLimit).
	Limit int
}

// DefaultLimit and MaxLimit bound a search's results.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// PersonWords is the query's person words, folded, in order.
func (q Query) PersonWords() []string {
	var out []string
	for _, f := range strings.Fields(q.Person) {
		if w := Fold(f); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// Cap is the query's effective result limit.
func (q Query) Cap() int {
	switch {
	case q.Limit <= 0:
		return DefaultLimit
	case q.Limit > MaxLimit:
		return MaxLimit
	}
	return q.Limit
}

// ParseQuery reads a search as a person types it: free words are a person
// search; room:X, call:X, rule:X, sev:warning, since:24h and KEY=VALUE
// (a tag) narrow it. now anchors since:.
func ParseQuery(text string, now time.Time) (Query, error) {
	q := Query{}
	var person []string
	for _, f := range strings.Fields(text) {
		key, val, ok := strings.Cut(f, ":")
		if !ok {
			if k, v, isTag := strings.Cut(f, "="); isTag && k != "" {
				if q.Tags == nil {
					q.Tags = map[string]string{}
				}
				q.Tags[k] = v
				continue
			}
			person = append(person, f)
			continue
		}
		switch strings.ToLower(key) {
		case "room":
			q.Room = val
		case "call":
			q.CallID = val
		case "rule":
			q.Rule = val
		case "sev", "severity":
			s, err := diagnose.ParseSeverity(val)
			if err != nil {
				return q, fmt.Errorf("history search %q: %w", f, err)
			}
			q.MinSeverity = s
		case "since":
			d, err := time.ParseDuration(val)
			if err != nil || d <= 0 {
				return q, fmt.Errorf("history search %q: since takes a duration such as 24h", f)
			}
			q.Since = now.Add(-d)
		default:
			person = append(person, f)
		}
	}
	q.Person = strings.Join(person, " ")
	return q, nil
}
