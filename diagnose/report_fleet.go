package diagnose

import (
	"bufio"
	"fmt"
	"math"
	"strings"

	"github.com/calltop/calltop/diagnose/fleet"
)

// ReportFleet is a report's fleet breakdown (docs/fleet.md): every
// participant of every call once, grouped by each dimension, with the
// findings raised on them over the call and their mean figures; and the
// groups that stand out.
type ReportFleet struct {
	People     int               `json:"people"`
	Calls      int               `json:"calls"`
	StandOut   []ReportClaim     `json:"standOut"`
	Dimensions []ReportDimension `json:"dimensions"`
}

// ReportClaim is one group that stands out for one rule.
type ReportClaim struct {
	Rule      string  `json:"rule"`
	Dimension string  `json:"dimension"`
	Value     string  `json:"value"`
	Affected  int     `json:"affected"`
	People    int     `json:"people"`
	Share     float64 `json:"share"`
	RestShare float64 `json:"restShare"`
	Z         float64 `json:"z"`
	Text      string  `json:"text"`
}

// ReportDimension is one dimension's groups, worst first.
type ReportDimension struct {
	Key    string        `json:"key"`
	Title  string        `json:"title"`
	Groups []ReportGroup `json:"groups"`
}

// ReportGroup is one group: shares are 0..1, figures null when unknown.
type ReportGroup struct {
	Value        string         `json:"value"`
	People       int            `json:"people"`
	Calls        int            `json:"calls"`
	ProblemShare float64        `json:"problemShare"`
	Small        bool           `json:"small"`
	Rules        map[string]int `json:"rules"`
	MOSMedian    *float64       `json:"mosMedian"`
	MOSP10       *float64       `json:"mosP10"`
	LossMedian   *float64       `json:"lossMedianPct"`
	RTTMedianMs  *float64       `json:"rttMedianMs"`
}

// fleetReport is the breakdown over every call seen (nil when nobody).
func (v views) fleetReport() *ReportFleet {
	t := fleet.NewTable(FleetOptions())
	f := v.fleet
	if f == nil {
		f = newFleetState()
	}
	for _, c := range v.allCalls() {
		t.Set(&fleet.Entry{}, f.people(c, true), c.tags)
	}
	fv := t.View()
	if fv.People == 0 {
		return nil
	}
	r := &ReportFleet{People: fv.People, Calls: fv.Calls, StandOut: []ReportClaim{}, Dimensions: []ReportDimension{}}
	for _, c := range fv.StandOut {
		r.StandOut = append(r.StandOut, ReportClaim{Rule: c.Rule, Dimension: c.Dim, Value: c.Value, Affected: c.Affected,
			People: c.People, Share: round3(c.Share), RestShare: round3(c.RestShare), Z: round2(c.Z), Text: c.String()})
	}
	for _, d := range fv.Dims {
		rd := ReportDimension{Key: d.Key, Title: d.Title, Groups: []ReportGroup{}}
		for _, g := range d.Rows {
			rg := ReportGroup{Value: g.Value, People: g.People, Calls: g.Calls, ProblemShare: round3(g.ProblemShare),
				Small: g.Small, Rules: map[string]int{}, MOSMedian: known(g.MOSMedian), MOSP10: known(g.MOSP10),
				LossMedian: known(g.LossMedian), RTTMedianMs: known(g.RTTMedianMs)}
			for _, rc := range g.Rules {
				rg.Rules[rc.Rule] = rc.People
			}
			rd.Groups = append(rd.Groups, rg)
		}
		r.Dimensions = append(r.Dimensions, rd)
	}
	return r
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// known is v rounded to two decimals, or nil when unknown.
func known(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	r := round2(v)
	return &r
}

// maxTextGroups bounds the groups the text report lists per dimension
// (the JSON has them all).
const maxTextGroups = 12

// writeFleetText writes the fleet section of the text report: what stands
// out, then each dimension's groups. It writes nothing for fewer than two
// calls.
func writeFleetText(w *bufio.Writer, f *ReportFleet) {
	if f == nil || f.Calls < 2 {
		return
	}
	fmt.Fprintf(w, "\nFleet: %d participants in %d calls (each once; findings over the whole call)\n", f.People, f.Calls)
	if len(f.StandOut) == 0 {
		fmt.Fprintf(w, "  Nothing stands out: no group's share of a finding is far above the rest's.\n")
	}
	for _, c := range f.StandOut {
		fmt.Fprintf(w, "  Stands out: %s\n", c.Text)
	}
	for _, d := range f.Dimensions {
		fmt.Fprintf(w, "  By %s:\n", strings.ToLower(d.Title))
		for i, g := range d.Groups {
			if i == maxTextGroups {
				fmt.Fprintf(w, "    ... %d more groups (see --json)\n", len(d.Groups)-i)
				break
			}
			writeGroupText(w, &g)
		}
	}
}

func writeGroupText(w *bufio.Writer, g *ReportGroup) {
	name := g.Value
	if name == "" {
		name = "(unknown)"
	}
	num := func(v *float64, unit string, prec int) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%.*f%s", prec, *v, unit)
	}
	rules := make([]string, 0, len(g.Rules))
	for i := range rulesTable() {
		if id := rulesTable()[i].id; g.Rules[id] > 0 {
			n := g.Rules[id]
			rules = append(rules, fmt.Sprintf("%s %d", id, n))
		}
	}
	small := ""
	if g.Small {
		small = " (few)"
	}
	fmt.Fprintf(w, "    %-22s %4d %-6s %4d %-5s  %3.0f%% with a problem%s  MOS %s (p10 %s)  loss %s  RTT %s  %s\n",
		Clean(name), g.People, pick(g.People, "person", "people"), g.Calls, pick(g.Calls, "call", "calls"), 100*g.ProblemShare, small, num(g.MOSMedian, "", 1), num(g.MOSP10, "", 1),
		num(g.LossMedian, "%", 1), num(g.RTTMedianMs, " ms", 0), strings.Join(rules, ", "))
}

// pick is one or many by n.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// rulesTable is the rule table, in its order.
func rulesTable() []ruleDef { return rules }
