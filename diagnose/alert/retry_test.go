package alert

import (
	"slices"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// After a webhook gave up on a firing post, the alert is not taken as
// posted: it is posted again after a backoff, and a success ends that
// (#22 item 7).
func TestGivenUpFiringPostIsRetriedWithBackoff(t *testing.T) {
	b, s := newTestBook(Options{})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{f})
	if got := s.take(); !slices.Equal(got, []string{"firing " + f.Key()}) {
		t.Fatalf("got %q", got)
	}
	fail := Delivery{Webhook: "https://hooks.example/…", Kind: NotifyFiring, Key: f.Key(), Attempt: 5, Err: "HTTP 503"}
	b.Delivered(fail)
	if a := b.Snapshot().Active[0]; a.Notified || !a.RetryAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after the failure: %+v", a)
	}
	b.Tick(at(59 * time.Second))
	if got := s.take(); len(got) != 0 {
		t.Fatalf("posted before the backoff: %q", got)
	}
	b.Tick(at(time.Minute))
	if got := s.take(); !slices.Equal(got, []string{"firing " + f.Key()}) {
		t.Fatalf("retry: got %q", got)
	}
	b.Delivered(fail) // second failure: two minutes
	if a := b.Snapshot().Active[0]; !a.RetryAt.Equal(at(3 * time.Minute)) {
		t.Fatalf("second backoff: %+v", a.RetryAt)
	}
	b.Tick(at(3 * time.Minute))
	s.take()
	b.Delivered(Delivery{Kind: NotifyFiring, Key: f.Key(), OK: true, Attempt: 1})
	if a := b.Snapshot().Active[0]; !a.Notified || a.NotifyFailures != 0 {
		t.Fatalf("after the success: %+v", a)
	}
	b.Observe(at(4*time.Minute), nil)
	if got := s.take(); !slices.Equal(got, []string{"resolved " + f.Key()}) {
		t.Fatalf("resolve: got %q", got)
	}
}
