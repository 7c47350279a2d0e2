package tui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// rank orders the alerts tab: firing first, then acknowledged, then
// muted, then inhibited (pending alerts are not shown).
func rank(a *alert.Alert) int {
	switch {
	case a.Inhibited():
		return 3
	case a.Muted():
		return 2
	case a.State == alert.Acknowledged:
		return 1
	}
	return 0
}

// person groups an alert's rows: one person's alerts sit together.
func person(a *alert.Alert) string {
	return a.Subject.CallID + "\x00" + a.Subject.ParticipantID
}

// sortGrouped orders active alerts by rank, then in person groups: the
// group of the worst (then oldest) alert first, and inside a group the
// worst alert first.
func sortGrouped(rows []alert.Alert) {
	type group struct {
		worst diagnose.Severity
		first time.Time
	}
	groups := map[string]group{}
	gkey := func(a *alert.Alert) string { return strconv.Itoa(rank(a)) + person(a) }
	for i := range rows {
		a := &rows[i]
		g, ok := groups[gkey(a)]
		if !ok || a.Severity > g.worst {
			g.worst = a.Severity
		}
		if !ok || a.Start.Before(g.first) {
			g.first = a.Start
		}
		groups[gkey(a)] = g
	}
	slices.SortStableFunc(rows, func(x, y alert.Alert) int {
		gx, gy := groups[gkey(&x)], groups[gkey(&y)]
		return cmp.Or(rank(&x)-rank(&y), int(gy.worst)-int(gx.worst), gx.first.Compare(gy.first),
			strings.Compare(person(&x), person(&y)), int(y.Severity)-int(x.Severity), x.Start.Compare(y.Start))
	})
}

// tabRows are the rows of the alerts or history tab, filtered, and how
// many muted and inhibited alerts the alerts tab hides.
func (p *alertPane) tabRows(t paneTab) ([]alert.Alert, counts) {
	var out []alert.Alert
	var hidden counts
	switch t {
	case tabAlerts:
		for _, a := range p.snap.Active {
			switch {
			case a.State == alert.Pending || !p.matches(&a):
				continue
			case a.Inhibited() && !p.showMuted:
				hidden.inhibited++
				continue
			case a.Muted() && !p.showMuted:
				hidden.muted++
				continue
			}
			out = append(out, a)
		}
		sortGrouped(out)
	case tabHistory:
		for _, a := range p.snap.History { // newest first
			if p.matches(&a) {
				out = append(out, a)
			}
		}
		slices.SortStableFunc(out, func(x, y alert.Alert) int { return y.End.Compare(x.End) })
	}
	return out, hidden
}

// matches reports whether an alert passes the pane's filter: every word
// must appear in its rule, person, room, call or message.
func (p *alertPane) matches(a *alert.Alert) bool {
	words := strings.Fields(strings.ToLower(p.filter.Value()))
	if len(words) == 0 {
		return true
	}
	hay := strings.ToLower(strings.Join([]string{a.Rule, a.Status(), p.subject(a), a.Subject.CallID,
		a.Subject.ParticipantID, a.Message, strings.Join(a.Also, " ")}, " "))
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// filteredSilences are the silences whose words match the filter.
func (p *alertPane) filteredSilences() []alert.SilenceStatus {
	words := strings.Fields(strings.ToLower(p.filter.Value()))
	if len(words) == 0 {
		return p.snap.Silences
	}
	var out []alert.SilenceStatus
	for _, s := range p.snap.Silences {
		hay := strings.ToLower(strings.Join([]string{s.ID, s.Matcher.String(), s.Who, s.Why}, " "))
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(hay, w) }) {
			out = append(out, s)
		}
	}
	return out
}
