package alert

import (
	"fmt"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/fleet"
)

// RuleFleetGroup is the rule of the fleet-group alert: one group of
// participants (a browser version, a region, an ICE path, a call tag)
// stands out for a finding (docs/fleet.md).
const RuleFleetGroup = "fleet-group"

// fleetGroupPrefix starts a fleet-group alert's key:
// "fleet-group@loss-inbound/version=Chrome 142".
const fleetGroupPrefix = RuleFleetGroup + "@"

// FleetGroups takes the groups that stand out now (the fleet view's
// StandOut): each raises one fleet-group alert (a warning, firing after
// the rule's `for`, 10 s by default), and alerts whose group no longer
// stands out resolve. While the feed is down no new ones are raised. A
// book whose Options.Fleet.Groups is off ignores it.
func (b *Book) FleetGroups(now time.Time, claims []fleet.Claim) {
	if !b.opts.Fleet.Groups {
		return
	}
	now = b.advance(now)
	seen := make(map[string]bool, len(claims))
	feedDown := b.active[feedDownKey] != nil
	for _, c := range claims {
		key := fleetGroupPrefix + c.Rule + "/" + c.Dim + "=" + c.Value
		seen[key] = true
		if feedDown && b.active[key] == nil {
			continue
		}
		b.raise(now, key, RuleFleetGroup, diagnose.Warning, diagnose.Subject{}, "", "Fleet: "+diagnose.Clean(c.String()),
			fmt.Sprintf("Many people share this: look for a common cause in %s (a release, a network, a server) rather than at one call.",
				diagnose.Clean(fleet.Label(c.Dim, c.Value))),
			[]diagnose.Evidence{{Metric: c.Rule + " share", Value: 100 * c.Share, Threshold: 100 * c.RestShare, Unit: "% (rest of fleet)"}},
			time.Time{})
	}
	for _, a := range b.ordered(func(a *Alert) bool { return a.Rule == RuleFleetGroup && !seen[a.Key] }) {
		b.resolve(now, a, "the group no longer stands out")
	}
	b.Tick(now)
}
