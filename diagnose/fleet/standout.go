package fleet

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// StandOutRule decides when a group's share of a rule is far above the
// rest's: all of these must hold (docs/fleet.md gives the reasons).
type StandOutRule struct {
	// MinPeople: the group and the rest each have at least this many
	// people (default 20).
	MinPeople int
	// MinAffected: at least this many of the group have the finding
	// (default 5).
	MinAffected int
	// MinShare: at least this share of the group has it (default 0.10).
	MinShare float64
	// MinLift: the group's share is at least this many times the rest's
	// (default 3).
	MinLift float64
	// MinZ: the two-proportion z statistic is at least this (default 5,
	// p < 3e-7 one-sided: a fleet of 10 dimensions x 50 groups x 20 rules
	// makes 10,000 comparisons, and a Bonferroni bound of 1 % over them
	// needs z >= 4.9).
	MinZ float64
}

func (r StandOutRule) withDefaults() StandOutRule {
	if r.MinPeople <= 0 {
		r.MinPeople = 20
	}
	if r.MinAffected <= 0 {
		r.MinAffected = 5
	}
	if r.MinShare <= 0 {
		r.MinShare = 0.10
	}
	if r.MinLift <= 0 {
		r.MinLift = 3
	}
	if r.MinZ <= 0 {
		r.MinZ = 5
	}
	return r
}

// Claim is one group that stands out for one rule.
type Claim struct {
	Rule string
	// Dim and Value name the group (Dim is a Dimension key).
	Dim, Value string
	// Affected of People in the group have the rule's finding open;
	// Share is Affected/People, RestShare the same share of everyone else.
	Affected, People    int
	Share, RestShare, Z float64
}

// Key identifies the claim: rule@dimension=value.
func (c Claim) Key() string { return c.Rule + "@" + c.Dim + "=" + c.Value }

// String is the sentence the fleet screen and the report print:
// "loss-inbound: 38 % of Chrome 142 participants vs 4 % of the rest; 52
// people".
func (c Claim) String() string {
	return fmt.Sprintf("%s: %s of %s vs %s of the rest; %s", c.Rule, Percent(c.Share),
		Label(c.Dim, c.Value), Percent(c.RestShare), people(c.Affected))
}

func people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// Percent formats a share as "38 %", "0.4 %" under 1 % (but not 0), or
// "-" when unknown.
func Percent(s float64) string {
	switch {
	case math.IsNaN(s):
		return "-"
	case s > 0 && s < 0.01:
		return fmt.Sprintf("%.1f %%", 100*s)
	}
	return fmt.Sprintf("%.0f %%", 100*s)
}

// test applies the rule to k affected of n in a group against k2 of n2 in
// the rest; it returns the z statistic and whether the group stands out.
func (r StandOutRule) test(k, n, k2, n2 int32) (float64, bool) {
	if int(n) < r.MinPeople || int(n2) < r.MinPeople || int(k) < r.MinAffected {
		return 0, false
	}
	p1, p2 := float64(k)/float64(n), float64(k2)/float64(n2)
	pool := float64(k+k2) / float64(n+n2)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n) + 1/float64(n2)))
	if se == 0 {
		return 0, false
	}
	z := (p1 - p2) / se
	return z, p1 >= r.MinShare && p1 >= r.MinLift*p2 && z >= r.MinZ
}

// standOut finds every group that stands out. A group whose excess is
// explained by a more certain claim's group is left out (explainOverlaps:
// Chrome beside Chrome 142), as are unknown values, the Other group and
// rules that follow from the grouping (Options.Implied).
func (t *Table) standOut() []Claim {
	var out []Claim
	r := t.opts.StandOut
	for _, d := range t.dims {
		for _, g := range d.groups {
			if g.value == "" || g.value == Other {
				continue
			}
			for i, k := range g.rules {
				rule := t.opts.Rules[i]
				if t.opts.Implied[rule] == d.Key {
					continue
				}
				z, ok := r.test(k, g.people, t.total.rules[i]-k, t.total.people-g.people)
				if !ok {
					continue
				}
				out = append(out, Claim{Rule: rule, Dim: d.Key, Value: g.value, Affected: int(k), People: int(g.people),
					Share: share(k, g.people), RestShare: share(t.total.rules[i]-k, t.total.people-g.people), Z: z})
			}
		}
	}
	out = t.explainOverlaps(out)
	t.order(out)
	return out
}

// order sorts claims by group, the group with the most certain claim
// first, and within a group by the rule table's order (root causes such
// as loss before their symptoms such as concealment).
func (t *Table) order(claims []Claim) {
	best := map[string]float64{}
	for _, c := range claims {
		g := c.Dim + "=" + c.Value
		best[g] = max(best[g], c.Z)
	}
	slices.SortFunc(claims, func(a, b Claim) int {
		ga, gb := a.Dim+"="+a.Value, b.Dim+"="+b.Value
		return cmp.Or(cmp.Compare(best[gb], best[ga]), strings.Compare(ga, gb),
			cmp.Compare(slices.Index(t.opts.Rules, a.Rule), slices.Index(t.opts.Rules, b.Rule)))
	})
}
