package view

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/calltop/calltop/diagnose"
)

var t0 = time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)

var (
	firstNames = []string{"Ana", "Julia", "Victor", "Dana", "Mina", "Oskar", "Priya", "Tomás", "Lea", "Noor", "Ravi", "Ines"}
	lastNames  = []string{"O.", "Lund", "Berg", "Sato", "Kim", "Diaz", "Novak", "Weiss"}
	rooms      = []string{"standup", "Sales sync", "all-hands", "1on1-ops", "support", ""}
)

// testFleet makes and changes call summaries as a Monitor would: a
// changed call gets a new summary, a call that goes leaves its slot to
// the last call.
type testFleet struct {
	rng   *rand.Rand
	calls []*diagnose.CallSummary
	now   time.Time
	next  int
	hub   string // the calls' keys' prefix
}

func newTestFleet(seed uint64, n int) *testFleet { return newHubFleet("hub-a", seed, n) }

// newHubFleet is a fleet of hub's calls (keys "<hub>/call-...").
func newHubFleet(hub string, seed uint64, n int) *testFleet {
	f := &testFleet{rng: rand.New(rand.NewPCG(seed, 7)), now: t0.Add(time.Hour), hub: hub}
	for range n {
		f.calls = append(f.calls, f.newCall())
	}
	return f
}

func (f *testFleet) pick(vals ...float64) float64 { return vals[f.rng.IntN(len(vals))] }

func (f *testFleet) newCall() *diagnose.CallSummary {
	f.next++
	id := fmt.Sprintf("call-%05d", f.next)
	c := &diagnose.CallSummary{ID: id, Key: f.hub + "/" + id, Room: rooms[f.rng.IntN(len(rooms))],
		Start: f.now.Add(-time.Duration(f.rng.IntN(3600)) * time.Second), Participants: 2 + f.rng.IntN(4),
		Tags: map[string]string{"region": []string{"eu", "us"}[f.rng.IntN(2)]}}
	for i := range c.Participants {
		c.People = append(c.People, diagnose.Person{ID: fmt.Sprintf("p%d", i),
			Name:   firstNames[f.rng.IntN(len(firstNames))] + " " + lastNames[f.rng.IntN(len(lastNames))],
			UserID: fmt.Sprintf("u%d", f.rng.IntN(5000))})
	}
	f.judge(c)
	return c
}

// judge sets the numbers a diagnosis would.
func (f *testFleet) judge(c *diagnose.CallSummary) {
	c.Severity = diagnose.Severity(f.rng.IntN(4))
	c.WorstMOS = f.pick(math.NaN(), 1.5, 3.2, 3.2, 4.1, 4.4)
	c.WorstLoss = f.pick(math.NaN(), 0, 2.5, 12)
	c.WorstRTTMs = f.pick(math.NaN(), 40, 300, 300)
	c.BitrateKbps = f.pick(math.NaN(), 64, 1200)
	if c.Severity >= diagnose.Warning {
		c.TopRule, c.TopFinding = diagnose.RuleRTTHigh, "round trip 300 ms"
	}
	c.FirstStats = c.Start.Add(2 * time.Second)
	c.Version++
}

// step changes k calls (new summaries), ends some, retires some ended
// ones and starts new ones; the feed time moves on a second.
func (f *testFleet) step(k int) {
	f.now = f.now.Add(time.Second)
	calls := append([]*diagnose.CallSummary(nil), f.calls...) // a new snapshot
	for range k {
		i := f.rng.IntN(len(calls))
		c := *calls[i]
		switch r := f.rng.IntN(20); {
		case r == 0 && !c.Ended:
			c.Ended, c.End = true, f.now
		case r == 2: // a participant's name changes: a new People
			c.People = append([]diagnose.Person(nil), c.People...)
			c.People[0].Name = firstNames[f.rng.IntN(len(firstNames))] + " " + lastNames[f.rng.IntN(len(lastNames))]
			c.Version++
		case r == 3: // the call's tags change: a new map
			c.Tags = map[string]string{"region": []string{"eu", "us", "apac"}[f.rng.IntN(3)]}
			c.Version++
		case r == 1 && c.Ended:
			last := len(calls) - 1
			calls[i] = calls[last]
			calls = calls[:last]
			continue
		default:
			f.judge(&c)
		}
		calls[i] = &c
	}
	for range k / 20 {
		calls = append(calls, f.newCall())
	}
	f.calls = calls
}

func (f *testFleet) snapshot() diagnose.Snapshot {
	return diagnose.Snapshot{FeedTime: f.now, Calls: f.calls}
}
