package alert

import (
	"slices"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// One high-RTT participant raises rtt-high and mos-low; uplink congestion
// raises loss-outbound and bandwidth-limited (issue #16): each is one
// alert, the symptom named on the cause's.
func TestSymptomsFoldIntoTheirCause(t *testing.T) {
	b, s := newTestBook(Options{DefaultFor: -1})
	rtt := finding(diagnose.RuleRTTHigh, diagnose.Critical, "c1", "p1")
	mos := finding(diagnose.RuleMOSLow, diagnose.Warning, "c1", "p1")
	mos.Message = "voice quality MOS 3.1"
	up := finding(diagnose.RuleLossOutbound, diagnose.Warning, "c1", "p2")
	bw := finding(diagnose.RuleBandwidthLimited, diagnose.Warning, "c1", "p2")
	other := finding(diagnose.RuleMOSLow, diagnose.Warning, "c1", "p3") // no cause: its own alert
	b.Observe(t0, []diagnose.Finding{rtt, mos, up, bw, other})
	var keys []string
	for _, a := range b.Snapshot().Active {
		keys = append(keys, a.Key)
		if a.Key == rtt.Key() && !slices.Equal(a.Also, []string{"voice quality MOS 3.1"}) {
			t.Errorf("rtt-high's alert should name the folded mos-low: %q", a.Also)
		}
	}
	slices.Sort(keys)
	want := []string{other.Key(), up.Key(), rtt.Key()}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("active alerts %q, want %q", keys, want)
	}
	if got := s.take(); len(got) != 3 {
		t.Fatalf("want three firing posts, got %q", got)
	}
	// The cause clears, the symptom stays: now it is an alert of its own.
	b.Observe(at(5*time.Second), []diagnose.Finding{mos})
	if a := b.Snapshot().Active; len(a) != 1 || a[0].Key != mos.Key() {
		t.Fatalf("after the cause cleared: %+v", a)
	}
}

// A symptom already firing when its cause opens folds into it: it
// resolves with a note naming the cause.
func TestFiringSymptomFoldsWhenItsCauseOpens(t *testing.T) {
	b, _ := newTestBook(Options{DefaultFor: -1})
	cpu := finding(diagnose.RuleCPULimited, diagnose.Warning, "c1", "p1")
	poor := finding(diagnose.RuleVideoPoor, diagnose.Warning, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{poor})
	b.Observe(at(time.Second), []diagnose.Finding{poor, cpu})
	snap := b.Snapshot()
	if len(snap.Active) != 1 || snap.Active[0].Rule != diagnose.RuleCPULimited || len(snap.Active[0].Also) != 1 {
		t.Fatalf("active: %+v", snap.Active)
	}
	if len(snap.History) != 1 || snap.History[0].Note != "folded into "+cpu.Key() {
		t.Fatalf("history: %+v", snap.History)
	}
}
