package fleet

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// View is an immutable picture of the fleet's groups at one moment.
type View struct {
	// People and Calls count the participants still in live calls, and
	// the calls with at least one of them.
	People, Calls int
	// Problem counts people with an open finding at warning or worse.
	Problem int
	// Dims holds every dimension with its rows: PersonDimensions first,
	// then call tags by key.
	Dims []DimView
	// StandOut lists the groups whose share of a rule is far above the
	// rest's: the group with the most certain claim first, its rules in
	// the rule table's order (see StandOutRule).
	StandOut []Claim
	// Rule is the test StandOut was decided by.
	Rule StandOutRule
}

// DimView is one dimension's groups, worst first.
type DimView struct {
	Dimension
	Rows []Row
}

// Row is one group of a dimension.
type Row struct {
	// Value is the group's value; "" means unknown, Other the overflow.
	Value string
	// People and Calls count its participants and the calls they are in.
	People, Calls int
	// ProblemShare is the share of its people with an open finding at
	// warning or worse; RestShare the same share of everyone else.
	ProblemShare, RestShare float64
	// Worse is how much higher ProblemShare is than RestShare at least:
	// the lower end of a 95 % interval of the difference (so a group of
	// one cannot top the list). Rows are sorted by it.
	Worse float64
	// Small is set below StandOutRule.MinPeople: too few to compare.
	Small bool
	// Rules counts the open findings by rule, most first (ties in the
	// rule table's order).
	Rules []RuleCount
	// MOS median and 10th percentile, loss and RTT medians (NaN when none).
	MOSMedian, MOSP10, LossMedian, RTTMedianMs float64
}

// RuleCount is how many people of a group have a rule's finding open.
type RuleCount struct {
	Rule   string
	People int
	Share  float64
}

// Label is how sentences name a group's people: "Chrome 142
// participants", "participants in eu-west", "participants in calls tagged
// app=4.13.1".
func Label(key, value string) string {
	switch {
	case value == "":
		value = "(unknown)"
	case len(key) > len(TagPrefix) && key[:len(TagPrefix)] == TagPrefix:
		return "participants in calls tagged " + key[len(TagPrefix):] + "=" + value
	}
	switch key {
	case "region":
		return "participants in " + value
	case "network", "path":
		return "participants on " + value
	}
	return value + " participants"
}

// View returns the picture of the Table now. It is rebuilt only when
// something changed since the last call; otherwise the same *View is
// returned.
func (t *Table) View() *View {
	if t.view != nil && t.viewGen == t.gen {
		return t.view
	}
	v := &View{People: int(t.total.people), Calls: int(t.calls), Problem: int(t.total.problem), Rule: t.opts.StandOut}
	for _, d := range t.dims {
		dv := DimView{Dimension: d.Dimension, Rows: make([]Row, 0, len(d.groups))}
		for _, g := range d.groups {
			dv.Rows = append(dv.Rows, t.row(g))
		}
		slices.SortFunc(dv.Rows, compareRows)
		v.Dims = append(v.Dims, dv)
	}
	slices.SortStableFunc(v.Dims[numPersonDims:], func(a, b DimView) int { return strings.Compare(a.Key, b.Key) })
	v.StandOut = t.standOut()
	t.view, t.viewGen = v, t.gen
	return v
}

// row summarises one group.
func (t *Table) row(g *group) Row {
	n, rest := float64(g.people), float64(t.total.people-g.people)
	r := Row{Value: g.value, People: int(g.people), Calls: int(g.calls),
		ProblemShare: share(g.problem, g.people), RestShare: share(t.total.problem-g.problem, t.total.people-g.people),
		Small:     int(g.people) < t.opts.StandOut.MinPeople,
		MOSMedian: g.mos.quantile(mosScale, 0.5), MOSP10: g.mos.quantile(mosScale, 0.1),
		LossMedian: g.loss.quantile(lossScale, 0.5), RTTMedianMs: g.rtt.quantile(rttScale, 0.5)}
	r.Worse = worseAtLeast(float64(g.problem), n, float64(t.total.problem-g.problem), rest)
	for i, k := range g.rules {
		if k > 0 {
			r.Rules = append(r.Rules, RuleCount{Rule: t.opts.Rules[i], People: int(k), Share: share(k, g.people)})
		}
	}
	slices.SortStableFunc(r.Rules, func(a, b RuleCount) int { return b.People - a.People }) // ties keep the rule table's order
	return r
}

// compareRows puts groups large enough to compare first, worst first;
// then the small ones, largest first.
func compareRows(a, b Row) int {
	if a.Small != b.Small {
		if a.Small {
			return 1
		}
		return -1
	}
	if !a.Small {
		if c := cmp.Compare(b.Worse, a.Worse); c != 0 {
			return c
		}
	}
	return cmp.Or(b.People-a.People, cmp.Compare(a.Value, b.Value))
}

func share(k, n int32) float64 {
	if n <= 0 {
		return math.NaN()
	}
	return float64(k) / float64(n)
}

// worseAtLeast is the lower end of the 95 % interval of the difference of
// two proportions x1/n1 - x2/n2, with the Agresti-Caffo adjustment (one
// success and one failure added to each side), so that small groups get
// wide intervals rather than a share of 0 or 1.
func worseAtLeast(x1, n1, x2, n2 float64) float64 {
	p1, p2 := (x1+1)/(n1+2), (x2+1)/(n2+2)
	se := math.Sqrt(p1*(1-p1)/(n1+2) + p2*(1-p2)/(n2+2))
	return p1 - p2 - 1.96*se
}
