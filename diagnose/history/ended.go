package history

import (
	"math"

	"github.com/calltop/calltop/diagnose"
)

// FromEnded is what history keeps of a call the Monitor let go (see
// diagnose.Options.CollectEnded); source names where it came from.
func FromEnded(ec diagnose.EndedCall, source string) Call {
	c := Call{Report: ec.Report, Source: source, Series: map[string]Series{}}
	for _, p := range ec.People {
		c.People = append(c.People, Person{ID: p.ID, Name: p.Name, UserID: p.UserID, Browser: diagnose.Browser(p.UserAgent),
			OS: diagnose.OS(p.UserAgent), Network: p.NetworkType, Region: p.Region})
		if s, ok := seriesOf(p.Series); ok {
			c.Series[p.ID] = s
		}
	}
	return c
}

// seriesOf turns the Monitor's graphs (bitrate in, bitrate out, loss in,
// loss out, RTT, all on the same times) into a stored Series.
func seriesOf(graphs []diagnose.Series) (Series, bool) {
	if len(graphs) < 5 || len(graphs[0].Times) == 0 {
		return Series{}, false
	}
	times := graphs[0].Times
	s := Series{Start: times[0], OffsetMs: make([]int32, len(times))}
	for i, t := range times {
		s.OffsetMs[i] = int32(min(t.Sub(times[0]).Milliseconds(), math.MaxInt32))
	}
	pts := func(g diagnose.Series) Points {
		out := make(Points, len(times))
		for i := range out {
			out[i] = float32(math.NaN())
			if i < len(g.Values) {
				out[i] = float32(g.Values[i])
			}
		}
		return out
	}
	s.BitrateInKbps, s.BitrateOutKbps = pts(graphs[0]), pts(graphs[1])
	s.LossInPct, s.LossOutPct, s.RTTMs = pts(graphs[2]), pts(graphs[3]), pts(graphs[4])
	return s, true
}
