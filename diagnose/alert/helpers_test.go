package alert

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// t0 is the start of every test's clock.
var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// sink records the notifications a Book sends.
type sink struct {
	mu   sync.Mutex
	sent []Notification
}

func (s *sink) Send(n Notification) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, n)
}

// take returns and clears what was sent, as "kind key" strings.
func (s *sink) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, n := range s.sent {
		out = append(out, string(n.Kind)+" "+n.Key())
	}
	s.sent = nil
	return out
}

// finding returns an open finding of rule on participant p of call c.
func finding(rule string, sev diagnose.Severity, call, p string) diagnose.Finding {
	return diagnose.Finding{Rule: rule, Severity: sev,
		Subject:         diagnose.Subject{CallID: call, ParticipantID: p},
		ParticipantName: "Name of " + p, Start: t0,
		Message: fmt.Sprintf("%s on %s/%s", rule, call, p), Advice: "do something"}
}

// newTestBook returns a Book with a recording sink and a fixed user.
func newTestBook(opts Options) (*Book, *sink) {
	s := &sink{}
	opts.Sender = s
	if opts.User == "" {
		opts.User = "tester"
	}
	if opts.Reopen == 0 {
		opts.Reopen = -1 // resolved posts at once; reopen_test.go tests the window
	}
	return NewBook(opts), s
}

// active returns the active alert with key, failing the test if absent.
func active(t *testing.T, b *Book, key string) Alert {
	t.Helper()
	for _, a := range b.Snapshot().Active {
		if a.Key == key {
			return a
		}
	}
	t.Fatalf("no active alert %s; have %v", key, keys(b.Snapshot().Active))
	return Alert{}
}

func keys(as []Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Key+"="+a.Status())
	}
	return out
}

// wantSent checks the notifications sent since the last call.
func wantSent(t *testing.T, s *sink, want ...string) {
	t.Helper()
	got := s.take()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("notifications:\n got %q\nwant %q", got, want)
	}
}

// eventKinds lists the event kinds logged since seq.
func eventKinds(b *Book, seq uint64) []EventKind {
	var out []EventKind
	for _, e := range b.EventsSince(seq) {
		out = append(out, e.Kind)
	}
	return out
}
