package fleet

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

var testRules = []string{"loss-inbound", "rtt-high", "relay-tcp", "mos-low"}

var (
	versions = []string{"Chrome 142", "Chrome 141", "Firefox 145", "Safari 18.6", "Edge 142"}
	regions  = []string{"eu-west", "us-east", "ap-south", "sa-east"}
)

// randomPerson draws a person; bad gives the share with loss-inbound.
func randomPerson(r *rand.Rand, bad func(p *Person) float64) Person {
	v := versions[r.IntN(len(versions))]
	p := Person{Groups: &Groups{Version: v, Browser: strings.Fields(v)[0], OS: []string{"Windows", "macOS", "Linux"}[r.IntN(3)],
		Network: []string{"wifi", "ethernet"}[r.IntN(2)], Region: regions[r.IntN(len(regions))], Path: "srflx udp"},
		MOS: 3.8 + 0.5*r.Float64(), LossPct: r.Float64(), RTTMs: 20 + 100*r.Float64()}
	if r.IntN(50) == 0 {
		p.MOS = math.NaN()
	}
	if r.Float64() < bad(&p) {
		p.Rules |= 1
		p.Problem = true
		p.LossPct = 5 + 10*r.Float64()
	}
	if r.Float64() < 0.02 {
		p.Rules |= 2
		p.Problem = true
	}
	return p
}

// fleetOf makes calls of 2-5 people.
func fleetOf(r *rand.Rand, calls int, bad func(p *Person) float64) ([][]Person, []map[string]string) {
	people := make([][]Person, calls)
	tags := make([]map[string]string, calls)
	for i := range people {
		for range 2 + r.IntN(4) {
			people[i] = append(people[i], randomPerson(r, bad))
		}
		tags[i] = map[string]string{"app": []string{"4.12", "4.13"}[r.IntN(2)]}
	}
	return people, tags
}

func healthy(*Person) float64 { return 0.03 }

func build(people [][]Person, tags []map[string]string) *Table {
	t := NewTable(Options{Rules: testRules, Implied: map[string]string{"relay-tcp": "path"}})
	entries := make([]Entry, len(people))
	for i := range people {
		t.Set(&entries[i], people[i], tags[i])
	}
	return t
}

// TestIncrementalMatchesFresh changes calls at random (figures only,
// groups, tags, calls ending) and checks the Table ends where a Table
// built from the final calls starts.
func TestIncrementalMatchesFresh(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	people, tags := fleetOf(r, 300, healthy)
	tb := NewTable(Options{Rules: testRules, Implied: map[string]string{"relay-tcp": "path"}})
	entries := make([]Entry, len(people))
	for i := range people {
		tb.Set(&entries[i], people[i], tags[i])
	}
	for range 3000 {
		i := r.IntN(len(people))
		next := append([]Person(nil), people[i]...)
		switch r.IntN(5) {
		case 0: // the call ends
			next = nil
		case 1: // someone joins
			next = append(next, randomPerson(r, healthy))
		case 2: // new tags
			tags[i] = map[string]string{"app": "4.14", "region": regions[r.IntN(len(regions))]}
		default: // figures move
			for j := range next {
				next[j].MOS, next[j].RTTMs = 1+4*r.Float64(), 500*r.Float64()
				next[j].Rules ^= uint32(r.IntN(16))
				next[j].Problem = next[j].Rules != 0
			}
		}
		if len(people[i]) == 0 && len(next) == 0 {
			next = []Person{randomPerson(r, healthy)}
		}
		people[i] = next
		tb.Set(&entries[i], next, tags[i])
	}
	got, want := tb.View(), build(people, tags).View()
	if got.People != want.People || got.Calls != want.Calls || got.Problem != want.Problem {
		t.Fatalf("incremental: %d people, %d calls, %d with a problem; fresh: %d, %d, %d",
			got.People, got.Calls, got.Problem, want.People, want.Calls, want.Problem)
	}
	for d := range want.Dims {
		if !sameRows(got.Dims[indexOf(got, want.Dims[d].Key)].Rows, want.Dims[d].Rows) {
			t.Errorf("dimension %s: incremental rows differ from a fresh table's", want.Dims[d].Key)
		}
	}
}

func indexOf(v *View, key string) int {
	for i, d := range v.Dims {
		if d.Key == key {
			return i
		}
	}
	return -1
}

func sameRows(a, b []Row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		x.MOSMedian, y.MOSMedian = nan0(x.MOSMedian), nan0(y.MOSMedian)
		x.MOSP10, y.MOSP10 = nan0(x.MOSP10), nan0(y.MOSP10)
		x.LossMedian, y.LossMedian = nan0(x.LossMedian), nan0(y.LossMedian)
		x.RTTMedianMs, y.RTTMedianMs = nan0(x.RTTMedianMs), nan0(y.RTTMedianMs)
		x.ProblemShare, y.ProblemShare = nan0(x.ProblemShare), nan0(y.ProblemShare)
		x.RestShare, y.RestShare = nan0(x.RestShare), nan0(y.RestShare)
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

func nan0(v float64) float64 {
	if math.IsNaN(v) {
		return -1
	}
	return v
}

// TestEmptyAfterEveryCallEnds: a fleet whose calls all ended holds nobody
// and no group.
func TestEmptyAfterEveryCallEnds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	people, tags := fleetOf(r, 50, healthy)
	tb := NewTable(Options{Rules: testRules})
	entries := make([]Entry, len(people))
	for i := range people {
		tb.Set(&entries[i], people[i], tags[i])
	}
	for i := range people {
		tb.Set(&entries[i], nil, nil)
	}
	v := tb.View()
	if v.People != 0 || v.Calls != 0 {
		t.Fatalf("after every call ended: %d people in %d calls", v.People, v.Calls)
	}
	for _, d := range v.Dims {
		if len(d.Rows) != 0 {
			t.Errorf("dimension %s keeps %d groups of nobody", d.Key, len(d.Rows))
		}
	}
}

// TestMediansFollowTheData: the medians and 10th percentile read from the
// histograms are within one bin of the exact ones.
func TestMediansFollowTheData(t *testing.T) {
	tb := NewTable(Options{Rules: testRules})
	var people []Person
	for i := range 101 {
		people = append(people, Person{Groups: &Groups{Version: "Chrome 142"}, MOS: 1 + 0.04*float64(i), LossPct: float64(i) / 10, RTTMs: float64(10 + i)})
	}
	tb.Set(&Entry{}, people, nil)
	row := tb.View().Dims[0].Rows[0]
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"MOS median", row.MOSMedian, 3.0, 0.05},
		{"MOS p10", row.MOSP10, 1.4, 0.05},
		{"loss median", row.LossMedian, 5, 0.6},
		{"RTT median", row.RTTMedianMs, 60, 4},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %.2f, want %.2f ± %.2f", c.name, c.got, c.want, c.tol)
		}
	}
}
