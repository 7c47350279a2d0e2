package alert

import (
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/fleet"
)

var chrome142 = fleet.Claim{Rule: "loss-inbound", Dim: "version", Value: "Chrome 142", Affected: 52, People: 137,
	Share: 0.38, RestShare: 0.04, Z: 11}

const chrome142Key = "fleet-group@loss-inbound/version=Chrome 142"

// TestFleetGroupFiresAndResolves: a group that stands out is pending, fires
// after the default `for`, is notified once, and resolves (notified) when
// it no longer stands out.
func TestFleetGroupFiresAndResolves(t *testing.T) {
	b, s := newTestBook(Options{Fleet: FleetOptions{Groups: true}})
	b.FleetGroups(at(0), []fleet.Claim{chrome142})
	if a := active(t, b, chrome142Key); a.State != Pending || !strings.Contains(a.Message, "38 % of Chrome 142 participants vs 4 % of the rest") {
		t.Fatalf("first sighting: %s %q", a.State, a.Message)
	}
	wantSent(t, s)
	b.FleetGroups(at(10*time.Second), []fleet.Claim{chrome142})
	if a := active(t, b, chrome142Key); a.State != Firing {
		t.Fatalf("after 10 s: %s, want firing", a.State)
	}
	wantSent(t, s, "firing "+chrome142Key)
	b.Observe(at(11*time.Second), nil) // findings come and go; the fleet alert is not theirs to resolve
	active(t, b, chrome142Key)
	b.FleetGroups(at(20*time.Second), nil)
	if n := len(b.Snapshot().Active); n != 0 {
		t.Fatalf("%d alerts still active once nothing stands out", n)
	}
	wantSent(t, s, "resolved "+chrome142Key)
}

// TestFleetGroupOffAndSilenced: off by default; a silence on the rule
// keeps it from notifying.
func TestFleetGroupOffAndSilenced(t *testing.T) {
	b, _ := newTestBook(Options{})
	b.FleetGroups(at(0), []fleet.Claim{chrome142})
	if n := len(b.Snapshot().Active); n != 0 {
		t.Fatalf("fleet-group alerts are off by default, yet %d active", n)
	}
	b, s := newTestBook(Options{Fleet: FleetOptions{Groups: true}})
	if _, err := b.MuteFor(Matcher{Rule: RuleFleetGroup}, time.Hour, "tester", "known: Chrome rollout", at(0)); err != nil {
		t.Fatal(err)
	}
	s.take()
	b.FleetGroups(at(0), []fleet.Claim{chrome142})
	b.FleetGroups(at(15*time.Second), []fleet.Claim{chrome142})
	if a := active(t, b, chrome142Key); a.Status() != "muted" {
		t.Fatalf("silenced fleet alert: %s", a.Status())
	}
	wantSent(t, s)
}
