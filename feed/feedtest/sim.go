package feedtest

import (
	"testing"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/sim"
)

// SimMessages returns a copy of about n messages of the simulator's
// default mix, in order.
func SimMessages(tb testing.TB, n int) []feed.Message {
	s, err := sim.New(sim.Config{Calls: 200, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	var out []feed.Message
	for len(out) < n {
		for _, m := range s.Step() {
			m.Stats = append([]feed.Stat(nil), m.Stats...)
			out = append(out, m)
		}
	}
	return out
}
