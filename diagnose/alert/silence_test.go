package alert

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
)

func TestMuteForSilencesUntilExpiry(t *testing.T) {
	b, s := newTestBook(Options{})
	f := finding(diagnose.RuleLossInbound, diagnose.Warning, "c1", "p1")
	other := finding(diagnose.RuleLossInbound, diagnose.Warning, "c2", "p9")
	b.Observe(t0, []diagnose.Finding{f, other})
	sil, err := b.MuteFor(Matcher{CallID: "c1"}, time.Hour, "", "known wifi issue", at(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if sil.ID != "s1" || sil.Who != "tester" || !sil.Ends.Equal(at(time.Hour+time.Second)) {
		t.Fatalf("silence %+v", sil)
	}
	wantSent(t, s, "muted s1")
	// Fires while muted: no notification for c1; c2 notifies.
	b.Observe(at(10*time.Second), []diagnose.Finding{f, other})
	wantSent(t, s, "firing "+other.Key())
	snap := b.Snapshot()
	if snap.Counts.Muted != 1 || snap.Counts.Firing != 2 || len(snap.Silences) != 1 {
		t.Fatalf("counts %+v silences %d", snap.Counts, len(snap.Silences))
	}
	if left := snap.Silences[0].Left; left != time.Hour-9*time.Second || snap.Silences[0].Muting != 1 {
		t.Fatalf("silence left %s muting %d", left, snap.Silences[0].Muting)
	}
	if a := active(t, b, f.Key()); a.Status() != "muted" || !slices.Equal(a.SilencedBy, []string{"s1"}) {
		t.Fatalf("muted alert status %s by %v", a.Status(), a.SilencedBy)
	}
	// No repeat while muted (c2 repeats after 30 m).
	b.Observe(at(45*time.Minute), []diagnose.Finding{f, other})
	wantSent(t, s, "repeat "+other.Key())
	// Expiry: the still-firing c1 alert, never notified, notifies now.
	b.Observe(at(time.Hour+time.Second), []diagnose.Finding{f, other})
	wantSent(t, s, "firing "+f.Key())
	if n := len(b.Snapshot().Silences); n != 0 {
		t.Fatalf("%d silences after expiry", n)
	}
	if !slices.Contains(eventKinds(b, 0), EvSilenceExpired) {
		t.Fatal("no silence-expired event")
	}
}

func TestMuteUntilResolved(t *testing.T) {
	b, s := newTestBook(Options{})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	if _, err := b.Mute(Matcher{Key: f.Key()}, time.Time{}, true, "bob", "", t0); err == nil ||
		!strings.Contains(err.Error(), "nothing to mute") {
		t.Fatalf("mute-until-resolved with no alert: %v", err)
	}
	b.Observe(t0, []diagnose.Finding{f})
	wantSent(t, s, "firing "+f.Key())
	sil, err := b.Mute(Matcher{Key: f.Key()}, time.Time{}, true, "bob", "ISP outage", at(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	wantSent(t, s, "muted "+sil.ID)
	// Muted for days: no repeat, and the silence does not run out.
	b.Observe(at(48*time.Hour), []diagnose.Finding{f})
	wantSent(t, s)
	if snap := b.Snapshot(); len(snap.Silences) != 1 || snap.Silences[0].Left != 0 || !snap.Silences[0].UntilResolved {
		t.Fatalf("silences %+v", snap.Silences)
	}
	// Resolution ends the silence; a muted alert's resolution does not notify.
	b.Observe(at(48*time.Hour+time.Second), nil)
	wantSent(t, s)
	if n := len(b.Snapshot().Silences); n != 0 {
		t.Fatalf("%d silences after the alert resolved", n)
	}
	// The next occurrence is not muted.
	b.Observe(at(49*time.Hour), []diagnose.Finding{f})
	wantSent(t, s, "firing "+f.Key())
}

func TestUnmuteAndMatchers(t *testing.T) {
	b, s := newTestBook(Options{})
	f := finding(diagnose.RuleICEFailed, diagnose.Critical, "c1", "p1")
	g := finding(diagnose.RuleICEFailed, diagnose.Critical, "c2", "p2")
	h := finding(diagnose.RuleLossInbound, diagnose.Critical, "c2", "p3")
	sil, err := b.MuteFor(Matcher{Rule: diagnose.RuleICEFailed}, 4*time.Hour, "", "", t0)
	if err != nil {
		t.Fatal(err)
	}
	b.Observe(t0, []diagnose.Finding{f, g, h})
	wantSent(t, s, "muted s1")
	if c := b.Snapshot().Counts; c.Muted != 2 {
		t.Fatalf("muted %d, want the two ice-failed", c.Muted)
	}
	if err := b.Unmute("s99", at(time.Second)); err == nil {
		t.Fatal("unmuting an unknown silence succeeded")
	}
	if err := b.Unmute(sil.ID, at(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got := s.take()
	slices.Sort(got)
	// The loss alert was never muted: it fires after its 10 s `for`, on
	// the same tick.
	want := []string{"firing " + f.Key(), "firing " + g.Key(), "firing " + h.Key()}
	if !slices.Equal(got, want) {
		t.Fatalf("after unmute sent %v, want %v", got, want)
	}
	if _, err := b.MuteFor(Matcher{}, time.Hour, "", "", at(time.Minute)); err == nil {
		t.Fatal("an empty matcher was accepted")
	}
	if _, err := b.Mute(Matcher{All: true}, at(time.Second), false, "", "", at(time.Minute)); err == nil {
		t.Fatal("a silence ending in the past was accepted")
	}
	if _, err := b.MuteFor(Matcher{All: true}, 15*time.Minute, "", "", at(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if c := b.Snapshot().Counts; c.Muted != 3 {
		t.Fatalf("mute everything: muted %d of 3", c.Muted)
	}
}

func TestParseMatcherAndSpan(t *testing.T) {
	m, err := ParseMatcher("call=c1, rule=loss-inbound")
	if err != nil || m != (Matcher{CallID: "c1", Rule: "loss-inbound"}) || m.String() != "call=c1 rule=loss-inbound" {
		t.Fatalf("%+v %v %q", m, err, m.String())
	}
	if m, _ := ParseMatcher("everything"); !m.All {
		t.Fatal("everything is not All")
	}
	for _, bad := range []string{"", "call", "room=x", "call="} {
		if _, err := ParseMatcher(bad); err == nil {
			t.Errorf("ParseMatcher(%q) accepted", bad)
		}
	}
	for in, want := range map[string]time.Duration{"15m": 15 * time.Minute, "1h": time.Hour, "4h": 4 * time.Hour, "90": 90 * time.Minute} {
		if d, ur, err := ParseMuteSpan(in); err != nil || ur || d != want {
			t.Errorf("ParseMuteSpan(%q) = %s %v %v", in, d, ur, err)
		}
	}
	if _, ur, err := ParseMuteSpan("until-resolved"); err != nil || !ur {
		t.Error("until-resolved")
	}
	for _, bad := range []string{"soon", "-5m", "0"} {
		if _, _, err := ParseMuteSpan(bad); err == nil {
			t.Errorf("ParseMuteSpan(%q) accepted", bad)
		}
	}
}

func TestFeedLossInhibitsPerCallAlerts(t *testing.T) {
	b, s := newTestBook(Options{})
	firing := finding(diagnose.RuleLossInbound, diagnose.Warning, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{firing})
	b.Observe(at(10*time.Second), []diagnose.Finding{firing})
	wantSent(t, s, "firing "+firing.Key())

	b.FeedDown(at(20*time.Second), "connection refused")
	b.FeedDown(at(30*time.Second), "connection refused") // still one alert, firing after its 10 s
	snap := b.Snapshot()
	if !snap.FeedDown || snap.Counts.Firing != 2 || snap.Counts.Inhibited != 1 {
		t.Fatalf("feed down: %+v %v", snap.Counts, keys(snap.Active))
	}
	if snap.Active[0].Rule != RuleFeedDown {
		t.Fatalf("feed-down alert not first: %v", keys(snap.Active))
	}
	wantSent(t, s, "firing "+feedDownKey)
	// Alerts raised while the feed is down are inhibited; no stale alerts.
	nomedia := finding(diagnose.RuleNoMediaInbound, diagnose.Critical, "c2", "p2")
	b.Stale(at(30*time.Second), []diagnose.Subject{{CallID: "c1", ParticipantID: "p1"}})
	b.Observe(at(40*time.Second), []diagnose.Finding{firing, nomedia})
	b.Observe(at(time.Hour), []diagnose.Finding{firing, nomedia}) // no repeats while inhibited
	wantSent(t, s, "repeat "+feedDownKey)
	if a := active(t, b, nomedia.Key()); a.Status() != "inhibited" || a.InhibitedBy != feedDownKey {
		t.Fatalf("no-media alert: %s by %q", a.Status(), a.InhibitedBy)
	}
	for _, a := range b.Snapshot().Active {
		if a.Rule == RuleParticipantStale {
			t.Fatal("stale alert raised while the feed is down")
		}
	}
	// Feed back: feed-down resolves; inhibition lifts after the grace.
	b.FeedUp(at(time.Hour + time.Second))
	wantSent(t, s, "resolved "+feedDownKey)
	b.Observe(at(time.Hour+10*time.Second), []diagnose.Finding{firing, nomedia})
	wantSent(t, s)
	b.Observe(at(time.Hour+16*time.Second), []diagnose.Finding{firing, nomedia})
	// The no-media alert never notified: it does now. The loss alert
	// notified before the outage and is due a repeat.
	got := s.take()
	slices.Sort(got)
	if want := []string{"firing " + nomedia.Key(), "repeat " + firing.Key()}; !slices.Equal(got, want) {
		t.Fatalf("after the grace: %v, want %v", got, want)
	}
}

func TestFleetAlertsOffByDefaultAndOnWhenAsked(t *testing.T) {
	b, _ := newTestBook(Options{})
	b.Tick(t0)
	b.Tick(at(24 * time.Hour))
	for i := range 10 {
		b.CallSetup(at(24*time.Hour), "c", i%2 == 0)
	}
	if n := len(b.Snapshot().Active); n != 0 {
		t.Fatalf("fleet alerts raised with defaults: %v", keys(b.Snapshot().Active))
	}
	b, s := newTestBook(Options{Fleet: FleetOptions{NoNewCallsFor: 10 * time.Minute, SetupFailurePct: 30, SetupWindow: 10}})
	b.CallStarted(t0, "c1")
	b.Tick(at(9 * time.Minute))
	wantSent(t, s)
	b.Tick(at(10 * time.Minute))
	wantSent(t, s, "firing "+noNewCallsKey)
	b.CallStarted(at(11*time.Minute), "c2")
	wantSent(t, s, "resolved "+noNewCallsKey)
	for i := range 10 { // 3 of 10 failed: not above 30 %
		b.CallSetup(at(12*time.Minute), "c", i >= 7)
	}
	wantSent(t, s)
	b.CallSetup(at(12*time.Minute), "c", true) // window slides: 4 of 10
	wantSent(t, s, "firing "+setupFailuresKey)
	for range 8 { // the window is now 2 of 10 failed
		b.CallSetup(at(13*time.Minute), "c", false)
	}
	wantSent(t, s, "resolved "+setupFailuresKey)
}

func TestEscalationWhileMutedStillResolvesInChat(t *testing.T) {
	b, s := newTestBook(Options{})
	f := finding(diagnose.RuleLossInbound, diagnose.Warning, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{f})
	b.Observe(at(10*time.Second), []diagnose.Finding{f})
	wantSent(t, s, "firing "+f.Key())
	sil, _ := b.MuteFor(Matcher{CallID: "c1"}, time.Hour, "", "", at(20*time.Second))
	f.Severity = diagnose.Critical
	b.Observe(at(30*time.Second), []diagnose.Finding{f}) // escalates while muted: held back
	wantSent(t, s, "muted "+sil.ID)
	if err := b.Unmute(sil.ID, at(40*time.Second)); err != nil {
		t.Fatal(err)
	}
	wantSent(t, s, "firing "+f.Key()) // the held-back escalation
	b.Observe(at(50*time.Second), nil)
	wantSent(t, s, "resolved "+f.Key()) // chat saw it fire, so it hears it resolve
}

// A quick reconnect is not an incident: the feed-down alert waits
// FeedDownAfter before it fires (per-call alerts are held meanwhile), and
// nothing is posted when the feed is back sooner (#22 low).
func TestQuickReconnectPostsNothing(t *testing.T) {
	b, s := newTestBook(Options{})
	loss := finding(diagnose.RuleLossInbound, diagnose.Warning, "c1", "p1")
	b.Observe(t0, []diagnose.Finding{loss})
	for i := range 5 {
		down := at(time.Minute * time.Duration(i+1))
		b.FeedDown(down, "connection reset")
		b.Tick(down.Add(5 * time.Second))
		if a := active(t, b, loss.Key()); !a.Inhibited() {
			t.Fatalf("per-call alert not held while the feed is down: %+v", a)
		}
		b.FeedUp(down.Add(8 * time.Second))
	}
	for _, got := range s.take() {
		if strings.Contains(got, feedDownKey) {
			t.Fatalf("a quick reconnect was posted: %q", got)
		}
	}
	if h := b.Snapshot().History; len(h) != 0 {
		t.Fatalf("quick reconnects in the history: %+v", h)
	}
}
