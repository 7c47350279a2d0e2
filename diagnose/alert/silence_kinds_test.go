package alert

import (
	"slices"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// mutedKeys returns the keys of the active alerts a silence mutes now.
func mutedKeys(b *Book) []string {
	var out []string
	for _, a := range b.Snapshot().Active {
		if a.Muted() {
			out = append(out, a.Key)
		}
	}
	slices.Sort(out)
	return out
}

// Each kind of silence mutes what it names and nothing else, and says who
// made it, when and why.
func TestEachSilenceKindMutesWhatItNames(t *testing.T) {
	f := finding(diagnose.RuleLossInbound, diagnose.Warning, "c1", "p1")
	g := finding(diagnose.RuleRTTHigh, diagnose.Warning, "c1", "p2")
	h := finding(diagnose.RuleLossInbound, diagnose.Warning, "c2", "p3")
	all := []string{f.Key(), g.Key(), h.Key()}
	slices.Sort(all)
	for _, tc := range []struct {
		name string
		m    Matcher
		want []string
	}{
		{"call", Matcher{CallID: "c1"}, []string{f.Key(), g.Key()}},
		{"rule", Matcher{Rule: diagnose.RuleLossInbound}, []string{f.Key(), h.Key()}},
		{"person", Matcher{ParticipantID: "p2"}, []string{g.Key()}},
		{"everything", Matcher{All: true}, all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := newTestBook(Options{DefaultFor: -1})
			b.Observe(t0, []diagnose.Finding{f, g, h})
			sil, err := b.MuteFor(tc.m, time.Hour, "ana", "maintenance", at(time.Second))
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(tc.want)
			if got := mutedKeys(b); !slices.Equal(got, tc.want) {
				t.Fatalf("muted %q, want %q", got, tc.want)
			}
			st := b.Snapshot().Silences[0]
			if st.Who != "ana" || st.Why != "maintenance" || !st.Created.Equal(at(time.Second)) ||
				!st.Ends.Equal(at(time.Hour+time.Second)) || st.Muting != len(tc.want) {
				t.Fatalf("silence as listed: %+v", st)
			}
			b.Tick(at(time.Hour + time.Second)) // its time runs out
			if got := mutedKeys(b); len(got) != 0 || len(b.Snapshot().Silences) != 0 {
				t.Fatalf("after it ended: muted %q, silences %+v", got, b.Snapshot().Silences)
			}
			if _, err := b.MuteFor(tc.m, time.Hour, "ana", "", at(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := b.Unmute(sil.ID, at(2*time.Hour)); err == nil {
				t.Fatal("expiring an expired silence succeeded")
			}
			if err := b.Unmute(b.Silences()[0].ID, at(2*time.Hour)); err != nil || len(mutedKeys(b)) != 0 {
				t.Fatalf("expire: %v, muted %q", err, mutedKeys(b))
			}
		})
	}
}

// A rule-wide "until resolved" silence mutes only the alerts it was made
// for: a new loss alert 20 minutes later is not muted (issue #16), and it
// ends when its alerts have resolved (and can no longer re-open).
func TestUntilResolvedNeverCatchesANewSubject(t *testing.T) {
	b, s := newTestBook(Options{DefaultFor: -1, Reopen: 5 * time.Minute})
	f := finding(diagnose.RuleLossInbound, diagnose.Warning, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{f})
	s.take()
	sil, err := b.Mute(Matcher{Rule: diagnose.RuleLossInbound}, time.Time{}, true, "ana", "ISP", at(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	late := finding(diagnose.RuleLossInbound, diagnose.Warning, "c9", "p9")
	b.Observe(at(20*time.Minute), []diagnose.Finding{f, late})
	if got := mutedKeys(b); !slices.Equal(got, []string{f.Key()}) {
		t.Fatalf("muted %q: want only the alert the silence was made for", got)
	}
	if got := s.take(); !slices.Contains(got, "firing "+late.Key()) {
		t.Fatalf("the new subject was not posted: %q", got)
	}
	st := b.Snapshot().Silences[0]
	if !slices.Equal(st.Waiting, []string{f.Key() + " (muted)"}) {
		t.Fatalf("waiting for %q", st.Waiting)
	}
	b.Observe(at(21*time.Minute), []diagnose.Finding{late}) // f resolves: it may re-open for 5 min
	if ss := b.Snapshot().Silences; len(ss) != 1 || !slices.Equal(ss[0].Waiting, []string{f.Key() + " (resolved)"}) {
		t.Fatalf("inside the re-open window: %+v", ss)
	}
	b.Observe(at(27*time.Minute), []diagnose.Finding{late})
	if ss := b.Snapshot().Silences; len(ss) != 0 {
		t.Fatalf("silence %s still in force after its alert resolved: %+v", sil.ID, ss)
	}
}
