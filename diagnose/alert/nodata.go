package alert

import (
	"fmt"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// FeedDown raises the one feed-down alert (critical, fires at once): the
// feed disconnected, is reconnecting, stalled or failed. While it is
// active, and for InhibitGrace after FeedUp, every other alert is
// inhibited: kept, but not notified. Calling it again updates the reason.
func (b *Book) FeedDown(now time.Time, reason string) {
	now = b.advance(now)
	_, was := b.active[feedDownKey]
	msg := "The stats feed is down: " + reason
	if reason == "" {
		msg = "The stats feed is down"
	}
	b.raise(now, feedDownKey, RuleFeedDown, diagnose.Critical, diagnose.Subject{}, "",
		msg, "Check the feed server and the network path to it; per-call alerts are held until it is back.", nil, time.Time{})
	if !was {
		b.log.add(Event{At: now, Kind: EvInhibited, Key: feedDownKey, Rule: RuleFeedDown,
			Text: fmt.Sprintf("feed down: %s inhibited until it is back", Plural(len(b.active)-1, "other alert"))})
	}
	b.Tick(now)
}

// FeedUp resolves the feed-down alert; inhibition lifts InhibitGrace later.
func (b *Book) FeedUp(now time.Time) {
	now = b.advance(now)
	if a := b.active[feedDownKey]; a != nil {
		b.resolve(now, a, "feed back")
		b.feedUpAt = now
		b.log.add(Event{At: now, Kind: EvUninhibited, Key: feedDownKey, Rule: RuleFeedDown,
			Text: "feed back: inhibition lifts after " + max(b.opts.InhibitGrace, 0).String()})
	}
	b.Tick(now)
}

// inhibitor returns the key of the alert inhibiting a, or "".
func (b *Book) inhibitor(now time.Time, a *Alert) string {
	if a.Rule == RuleFeedDown {
		return ""
	}
	if b.active[feedDownKey] != nil {
		return feedDownKey
	}
	if g, since := b.opts.InhibitGrace, now.Sub(b.feedUpAt); g > 0 && !b.feedUpAt.IsZero() && since >= 0 && since < g {
		return feedDownKey
	}
	return ""
}

// Stale takes the participants whose stats have stopped while their call
// goes on (the Monitor's StaleParticipants(15*time.Second)): each raises
// one participant-stale alert, firing at once; those no longer listed
// resolve. While the feed is down no new ones are raised.
func (b *Book) Stale(now time.Time, subjects []diagnose.Subject) {
	now = b.advance(now)
	seen := make(map[string]bool, len(subjects))
	feedDown := b.active[feedDownKey] != nil
	for _, s := range subjects {
		key := participantStalePrefx + s.Key()
		seen[key] = true
		if feedDown && b.active[key] == nil {
			continue
		}
		where := (&Alert{Rule: RuleParticipantStale, Subject: s}).Where()
		if a := b.active[key]; a != nil {
			where = a.Where()
		} else if b.namer != nil {
			room, name := b.namer(s.CallID, s.ParticipantID)
			where = (&Alert{Rule: RuleParticipantStale, Subject: s, Room: room, ParticipantName: name}).Where()
		}
		msg := "No stats from " + where + " for 15 s while the call goes on"
		b.raise(now, key, RuleParticipantStale, diagnose.Warning, s, "", msg,
			"Their client may have crashed, lost its network or stopped reporting; ask them to rejoin.", nil, time.Time{})
	}
	for _, a := range b.ordered(func(a *Alert) bool { return sourceOf(a.Rule) == fromStale && !seen[a.Key] }) {
		b.resolve(now, a, "stats resumed or the participant left")
	}
	b.Tick(now)
}

// fleetState tracks call starts and setup outcomes for the fleet alerts.
type fleetState struct {
	started  time.Time // first time the Book saw, the absence baseline
	lastCall time.Time
	outcomes []bool // last SetupWindow setups, true = failed
}

// CallStarted records that a call started at now (for the no-new-calls
// alert); it resolves that alert.
func (b *Book) CallStarted(now time.Time, callID string) {
	now = b.advance(now)
	b.fleet.lastCall = now
	b.Tick(now)
}

// CallSetup records whether a call's setup succeeded or failed (for the
// setup-failure alert), keeping the last SetupWindow outcomes.
func (b *Book) CallSetup(now time.Time, callID string, failed bool) {
	now = b.advance(now)
	w := b.opts.Fleet.SetupWindow
	b.fleet.outcomes = append(b.fleet.outcomes, failed)
	if len(b.fleet.outcomes) > w {
		b.fleet.outcomes = append(b.fleet.outcomes[:0], b.fleet.outcomes[len(b.fleet.outcomes)-w:]...)
	}
	b.Tick(now)
}

// evaluateFleet raises or resolves the fleet-level alerts (when enabled).
func (b *Book) evaluateFleet(now time.Time) {
	f := &b.fleet
	if f.started.IsZero() {
		f.started = now
	}
	if d := b.opts.Fleet.NoNewCallsFor; d > 0 {
		last := f.lastCall
		if last.IsZero() {
			last = f.started
		}
		if now.Sub(last) >= d {
			b.raise(now, noNewCallsKey, RuleNoNewCalls, diagnose.Warning, diagnose.Subject{}, "",
				fmt.Sprintf("No new call has started for %s", now.Sub(last).Round(time.Second)),
				"Check that clients can reach the signalling service and that the feed still reports new calls.", nil, time.Time{})
		} else if a := b.active[noNewCallsKey]; a != nil {
			b.resolve(now, a, "a call started")
		}
	}
	b.evaluateSetupFailures(now)
}

// evaluateSetupFailures raises the setup-failure alert when more than
// SetupFailurePct of the recent calls failed (once min(5, window) are known).
func (b *Book) evaluateSetupFailures(now time.Time) {
	pct := b.opts.Fleet.SetupFailurePct
	outs := b.fleet.outcomes
	if pct <= 0 || len(outs) < min(5, b.opts.Fleet.SetupWindow) {
		return
	}
	failed := 0
	for _, f := range outs {
		if f {
			failed++
		}
	}
	got := 100 * float64(failed) / float64(len(outs))
	if got > pct {
		b.raise(now, setupFailuresKey, RuleSetupFailures, diagnose.Critical, diagnose.Subject{}, "",
			fmt.Sprintf("%d of the last %d calls failed to set up (%.0f%%, above %.0f%%)", failed, len(outs), got, pct),
			"Look for a common cause: a TURN server, a region, a browser release, a firewall change.",
			[]diagnose.Evidence{{Metric: "setupFailures", Value: got, Threshold: pct, Unit: "%"}}, time.Time{})
	} else if a := b.active[setupFailuresKey]; a != nil {
		b.resolve(now, a, fmt.Sprintf("setup failures down to %.0f%%", got))
	}
}
