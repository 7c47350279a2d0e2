package tui

import (
	"fmt"
	"math"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	fleetview "github.com/calltop/calltop/diagnose/fleet"
)

// fleetScreen is the fleet view: for one dimension (browser version,
// region, ICE path, a call tag, ...), one row per group with its people,
// calls, share with a finding, top findings and MOS, loss and RTT; above
// them, what stands out. d and D choose the dimension; enter filters the
// calls screen to the selected group.
type fleetScreen struct {
	common
	view   *fleetview.View
	dimKey string // the chosen dimension, kept across views
	dim    *fleetview.DimView
	// viewMode: calltop --view, whose Monitor holds only the open call.
	viewMode bool
	list     list
}

func newFleetScreen(c common) *fleetScreen {
	s := &fleetScreen{common: c, dimKey: fleetview.PersonDimensions[0].Key}
	s.list = newList(c.keys, func(i int) string { return s.dim.Rows[i].Value })
	return s
}

// SetView takes the engine's newest fleet view (nil before any).
func (s *fleetScreen) SetView(v *fleetview.View) {
	if v == s.view {
		return
	}
	s.view = v
	s.pick(0)
}

// pick moves the chosen dimension by step (0 keeps it) and refreshes the
// rows, the cursor following the selected group.
func (s *fleetScreen) pick(step int) {
	s.dim = &fleetview.DimView{}
	if s.view == nil || len(s.view.Dims) == 0 {
		s.list.SetRows(0)
		return
	}
	i := 0
	for j, d := range s.view.Dims {
		if d.Key == s.dimKey {
			i = j
		}
	}
	n := len(s.view.Dims)
	i = ((i+step)%n + n) % n
	s.dim, s.dimKey = &s.view.Dims[i], s.view.Dims[i].Key
	if step != 0 {
		s.list.Home()
	}
	s.list.SetRows(len(s.dim.Rows))
}

// Selected returns the dimension key and group value under the cursor
// (ok false when there is none).
func (s *fleetScreen) Selected() (dim, value string, ok bool) {
	if c := s.list.Cursor(); s.dim != nil && c < len(s.dim.Rows) {
		return s.dimKey, s.dim.Rows[c].Value, true
	}
	return "", "", false
}

// Update handles the fleet screen's keys; open is true on enter.
func (s *fleetScreen) Update(msg tea.KeyPressMsg) (open bool) {
	if s.list.Update(msg) {
		return false
	}
	k := s.keys
	switch {
	case key.Matches(msg, k.NextDimension):
		s.pick(1)
	case key.Matches(msg, k.PrevDimension):
		s.pick(-1)
	case key.Matches(msg, k.FilterGroup):
		_, _, ok := s.Selected()
		return ok
	}
	return false
}

// SetSize implements component.
func (s *fleetScreen) SetSize(w, h int) {
	s.common.SetSize(w, h)
	s.list.SetHeight(max(h-2-len(s.standOut()), 1))
}

// ShortHelp implements help.KeyMap.
func (s *fleetScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.FilterGroup, k.NextDimension, k.Back}
}

// FullHelp implements help.KeyMap.
func (s *fleetScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.FilterGroup, k.NextDimension, k.PrevDimension, k.Back},
	}
}

// View renders the title, what stands out, the headings and the visible
// groups.
func (s *fleetScreen) View() string {
	if s.viewMode { // the Monitor holds the open call only: its breakdown would mislead
		return block([]string{s.styles.Section.Render(fit("Fleet", s.width)), "",
			"  " + fit("The fleet breakdown is not in view mode (--view) yet: the hub sends only", s.width-2),
			"  " + fit("the calls on screen. Run calltop without --view to see it.", s.width-2)}, s.width, s.height)
	}
	lines := []string{fit(s.title(), s.width)}
	for _, l := range s.standOut() {
		lines = append(lines, fit(l, s.width))
	}
	cols := fleetColumns(s.width)
	lines = append(lines, s.styles.ColumnHeader.Render(fit(cols.heading(), s.width)))
	if s.dim == nil || len(s.dim.Rows) == 0 {
		lines = append(lines, "", "  "+s.emptyText())
		return block(lines, s.width, s.height)
	}
	from, to := s.list.Window()
	for i := from; i < to; i++ {
		row := fit(cols.row(&s.dim.Rows[i]), s.width)
		switch {
		case i == s.list.Cursor():
			row = s.styles.Selected.Render(row)
		case s.dim.Rows[i].Small:
			row = s.styles.Dim.Render(row)
		}
		lines = append(lines, row)
	}
	return block(lines, s.width, s.height)
}

func (s *fleetScreen) emptyText() string {
	if s.view == nil {
		return "Waiting for the first update from the feed…"
	}
	return "Nobody is in a live call right now."
}

// title names the dimension and the fleet's size.
func (s *fleetScreen) title() string {
	st := s.styles
	name := "Browser version"
	people, calls := 0, 0
	if s.view != nil {
		people, calls = s.view.People, s.view.Calls
		if s.dim != nil && s.dim.Title != "" {
			name = s.dim.Title
		}
	}
	return st.Section.Render("Fleet by "+clean(name)) + st.Dim.Render(fmt.Sprintf(" · %s in %s · d next dimension",
		peopleCount(people), plural(calls, "call")))
}

// standOut is the lines naming the groups that stand out (two on a
// small screen, four from 40 lines), or the line saying none does.
func (s *fleetScreen) standOut() []string {
	st := s.styles
	if s.view == nil || len(s.view.StandOut) == 0 {
		return []string{st.OK.Render("✓ ") + st.Dim.Render("Nothing stands out: no group's share of a finding is far above the rest's.")}
	}
	room := 2
	if s.height >= 40 {
		room = 4
	}
	groups := standOutGroups(s.view.StandOut)
	var out []string
	for i, g := range groups {
		text := "▲ " + g
		if i == 0 {
			text = "▲ Stands out: " + g
		}
		wrapped := strings.Split(lipgloss.Wrap(clean(text), max(s.width, 20), " "), "\n")
		if len(out)+len(wrapped) > room {
			if rest := len(groups) - i; len(out) > 0 {
				out[len(out)-1] = fit(out[len(out)-1], max(s.width-14, 10)) + st.Dim.Render(fmt.Sprintf(" (+%d more)", rest))
			}
			wrapped = wrapped[:max(room-len(out), 0)]
			out = append(out, wrapped...)
			break
		}
		out = append(out, wrapped...)
	}
	for i := range out {
		if strings.HasPrefix(out[i], "▲ ") {
			out[i] = st.Warning.Render("▲") + out[i][len("▲"):]
		}
	}
	return out
}

// standOutGroups is one sentence per group that stands out: its first
// claim, then its other rules ("; also concealment-high").
func standOutGroups(claims []fleetview.Claim) []string {
	var out []string
	for i := 0; i < len(claims); {
		j := i + 1
		var also []string
		for ; j < len(claims) && claims[j].Dim == claims[i].Dim && claims[j].Value == claims[i].Value; j++ {
			also = append(also, claims[j].Rule)
		}
		text := claims[i].String()
		if len(also) > 0 {
			text += "; also " + strings.Join(also, ", ")
		}
		out = append(out, text)
		i = j
	}
	return out
}

// peopleCount renders "1 person" or "52 people".
func peopleCount(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// fleetCols are the fleet table's column widths for one screen width.
type fleetCols struct{ group, rules int }

// fleetColumns fits the columns to width: the group and the findings
// columns share what the fixed ones leave.
func fleetColumns(width int) fleetCols {
	free := max(width-fleetFixed, 20)
	g := min(max(free*2/5, 12), 32)
	return fleetCols{group: g, rules: max(free-g, 8)}
}

// fleetFixed is the width of the fixed columns and the gaps between all.
const fleetFixed = 6 + 6 + 6 + 9 + 6 + 6 + 8

func (c fleetCols) heading() string {
	return fit("GROUP", c.group) + " " + fitRight("PEOPLE", 6) + " " + fitRight("CALLS", 6) + " " +
		fitRight("ISSUE", 6) + " " + fitRight("MOS p10", 9) + " " + fitRight("LOSS", 6) + " " +
		fitRight("RTT", 6) + "  " + fit("TOP FINDINGS", c.rules)
}

func (c fleetCols) row(r *fleetview.Row) string {
	name := clean(r.Value)
	switch name {
	case "":
		name = "(unknown)"
	}
	mos := fmtNum(r.MOSMedian, 1) + " " + fmtNum(r.MOSP10, 1)
	return fit(name, c.group) + " " + fitRight(fmt.Sprint(r.People), 6) + " " + fitRight(fmt.Sprint(r.Calls), 6) + " " +
		fitRight(sharePct(r.ProblemShare), 6) + " " + fitRight(mos, 9) + " " + fitRight(fmtPct(r.LossMedian), 6) + " " +
		fitRight(fmtMs(r.RTTMedianMs), 6) + "  " + fit(topRules(r.Rules), c.rules)
}

// sharePct renders a share as a whole percentage ("-" when unknown).
func sharePct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*v)
}

// topRules lists the group's findings, most common first: "loss-inbound
// 38%, mos-low 5%".
func topRules(rs []fleetview.RuleCount) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		parts = append(parts, r.Rule+" "+sharePct(r.Share))
	}
	return strings.Join(parts, ", ")
}
