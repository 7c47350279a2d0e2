package view

import (
	"maps"
	"math"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

// SortOf maps a view request's sort (one of feed.ViewSorts, as
// feed.DecodeViewRequest returns it) and direction to a SortKey; an
// unknown name is the worst-first sort.
func SortOf(name string, desc bool) SortKey {
	k := SortSeverity
	for i, s := range feed.ViewSorts {
		if s == name {
			k = SortKey(i)
		}
	}
	if desc {
		k |= SortReversed
	}
	return k
}

// SortName is k's name in a view request and whether it is reversed.
func SortName(k SortKey) (name string, desc bool) {
	return feed.ViewSorts[k.Column()], k.Reversed()
}

// RequestOf is the index request a view client's query asks for.
func RequestOf(q feed.ViewQuery) Request {
	return Request{Filter: q.Filter, Sort: SortOf(q.Sort, q.Desc), Offset: q.Offset, Limit: q.Limit, Ended: q.Ended}
}

// WireWindow is w as a view.window frame's content, numbered seq.
func WireWindow(w Window, seq uint64) feed.ViewWindow {
	p := feed.ViewPage{Seq: seq, Total: w.Total, Matched: w.Matched, Offset: w.Offset,
		Counts: feed.ViewCounts{OK: w.Counts.OK, Warning: w.Counts.Warning, Critical: w.Counts.Critical, Ended: w.Counts.Ended},
		Rows:   make([]feed.ViewRow, len(w.Rows))}
	for i, c := range w.Rows {
		p.Rows[i] = WireRow(c, w.Sources[i])
	}
	return feed.ViewWindow{Type: feed.TypeViewWindow, TS: ms(w.FeedTime), Window: p}
}

// WireRow is c on the wire, from source ("" or "lost").
func WireRow(c *diagnose.CallSummary, source string) feed.ViewRow {
	r := feed.ViewRow{Key: c.Key, ID: c.ID, Room: c.Room, Start: ms(c.Start), End: ms(c.End), Ended: c.Ended,
		FirstStats: ms(c.FirstStats), Participants: c.Participants, Severity: c.Severity.String(),
		TopFinding: c.TopFinding, TopRule: c.TopRule, WorstMOS: known(c.WorstMOS), WorstLoss: known(c.WorstLoss),
		WorstRTTMs: known(c.WorstRTTMs), BitrateKbps: known(c.BitrateKbps), Tags: c.Tags, Source: source}
	if len(c.People) > 0 {
		r.People = make([]feed.ViewPerson, len(c.People))
		for i, p := range c.People {
			r.People[i] = feed.ViewPerson{ID: p.ID, Name: p.Name, UserID: p.UserID}
		}
	}
	return r
}

// FromWire is the call summary a view row describes (a view client's
// calls list renders it as it renders its own Monitor's). Version is
// left zero; a severity the row names wrongly is none.
func FromWire(r feed.ViewRow) *diagnose.CallSummary {
	sev, _ := diagnose.ParseSeverity(r.Severity)
	c := &diagnose.CallSummary{Key: r.Key, ID: diagnose.Clean(r.ID), Room: diagnose.Clean(r.Room), Start: fromMs(r.Start),
		End: fromMs(r.End), Ended: r.Ended, FirstStats: fromMs(r.FirstStats), Participants: r.Participants, Severity: sev,
		TopFinding: diagnose.Clean(r.TopFinding), TopRule: diagnose.Clean(r.TopRule), WorstMOS: unknown(r.WorstMOS),
		WorstLoss: unknown(r.WorstLoss), WorstRTTMs: unknown(r.WorstRTTMs), BitrateKbps: unknown(r.BitrateKbps)}
	if len(r.Tags) > 0 {
		c.Tags = maps.Clone(r.Tags)
	}
	for _, p := range r.People {
		c.People = append(c.People, diagnose.Person{ID: diagnose.Clean(p.ID), Name: diagnose.Clean(p.Name), UserID: diagnose.Clean(p.UserID)})
	}
	return c
}

// ms is t in feed ms, 0 for the zero time.
func ms(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e6
}

// fromMs is the time of feed ms, the zero time for 0.
func fromMs(v float64) time.Time {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return time.Time{}
	}
	return time.Unix(0, int64(v*1e6))
}

// known is v, or nil when it is not known (NaN).
func known(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// unknown is *p, or NaN for nil.
func unknown(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
