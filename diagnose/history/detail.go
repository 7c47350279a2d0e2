package history

import (
	"math"
	"slices"
	"time"

	"github.com/calltop/calltop/diagnose"
)

// graphNames are the stored graphs' names and units, as the Monitor names
// them on the call screen (bitrate in and out, loss in and out, RTT).
var graphNames = [5][2]string{{"bitrate in", "kbps"}, {"bitrate out", "kbps"}, {"loss in", "%"}, {"loss out", "%"}, {"rtt", "ms"}}

// Detail is the stored call as the call screen shows a call: the same
// facts, people, findings (all cleared, newest first) and graphs, read
// from history instead of the live Monitor. Strings are cleaned.
func (c Call) Detail() *diagnose.CallDetail {
	r := c.Report
	sum := &diagnose.CallSummary{ID: diagnose.Clean(r.ID), Key: r.ID, Room: diagnose.Clean(r.Room), Tags: r.Tags,
		Start: r.Start.Time, Ended: true, Participants: len(r.Participants), WorstMOS: math.NaN(),
		WorstLoss: math.NaN(), WorstRTTMs: math.NaN(), BitrateKbps: math.NaN()}
	if r.End != nil {
		sum.End = r.End.Time
	}
	if w := c.Worst(); w != nil {
		sum.Severity, sum.TopFinding, sum.TopRule = w.Severity, diagnose.Clean(w.Message), w.Rule
	}
	d := &diagnose.CallDetail{Summary: sum}
	people := map[string]Person{}
	for _, p := range c.People {
		people[p.ID] = p
	}
	names := map[string]string{}
	for _, rp := range r.Participants {
		p := people[rp.ID]
		pd := diagnose.ParticipantDetail{ID: rp.ID, Name: diagnose.Clean(rp.Name), UserID: diagnose.Clean(p.UserID),
			UserAgent: diagnose.Clean(rp.UserAgent), Browser: diagnose.Clean(p.Browser), NetworkType: diagnose.Clean(p.Network),
			Region: diagnose.Clean(p.Region), Left: true, MOS: math.NaN()}
		if rp.MOS != nil {
			pd.MOS = rp.MOS.Mean
			if math.IsNaN(sum.WorstMOS) || rp.MOS.Mean < sum.WorstMOS {
				sum.WorstMOS = rp.MOS.Mean
			}
		}
		for _, cn := range rp.Connections {
			pd.Connections = append(pd.Connections, diagnose.ConnectionDetail{ID: diagnose.Clean(cn.ID),
				LocalCandidateType: cn.LocalCandidateType, RelayProtocol: cn.RelayProtocol, ConnectionState: "closed"})
		}
		if s, ok := c.Series[rp.ID]; ok {
			g := s.graphs()
			pd.BitrateIn, pd.BitrateOut, pd.LossIn, pd.LossOut, pd.RTT = g[0], g[1], g[2], g[3], g[4]
		}
		names[rp.ID] = pd.Name
		sum.People = append(sum.People, diagnose.Person{ID: rp.ID, Name: pd.Name, UserID: pd.UserID})
		d.Participants = append(d.Participants, pd)
	}
	for _, f := range r.Findings {
		fd := diagnose.Finding{Rule: f.Rule, Severity: f.Severity, ParticipantName: names[f.Participant],
			Subject: diagnose.Subject{CallID: r.ID, ParticipantID: f.Participant, ConnectionID: f.Connection},
			Start:   f.Start.Time, End: sum.End, Message: diagnose.Clean(f.Message), Advice: diagnose.Clean(f.Advice), Evidence: f.Evidence}
		if f.End != nil {
			fd.End = f.End.Time
		}
		d.Findings = append(d.Findings, fd)
	}
	slices.SortStableFunc(d.Findings, func(a, b diagnose.Finding) int { return b.Start.Compare(a.Start) })
	return d
}

// graphs turns a stored Series back into the call screen's graphs.
func (s Series) graphs() [5]diagnose.Series {
	times := make([]time.Time, len(s.OffsetMs))
	for i, off := range s.OffsetMs {
		times[i] = s.Start.Add(time.Duration(off) * time.Millisecond)
	}
	var out [5]diagnose.Series
	for k, p := range []Points{s.BitrateInKbps, s.BitrateOutKbps, s.LossInPct, s.LossOutPct, s.RTTMs} {
		vals := make([]float64, len(times))
		for i := range vals {
			vals[i] = math.NaN()
			if i < len(p) {
				vals[i] = float64(p[i])
			}
		}
		out[k] = diagnose.Series{Name: graphNames[k][0], Unit: graphNames[k][1], Times: times, Values: vals}
	}
	return out
}
