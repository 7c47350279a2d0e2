package tui

import (
	"fmt"
	"strings"
)

// Summary returns a plain-text diagnosis of the call (what `y` copies)
// and the call's name; the text is "" until the detail has arrived.
func (v *callView) Summary() (text, name string) {
	name = v.Name()
	d := v.detail
	if d == nil || d.Summary == nil {
		return "", name
	}
	s := d.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "Call %s (room %s), started %s UTC, %s, %s",
		clean(s.ID), roomOf(s), fmtClock(s.Start), fmtDuration(callDuration(s, v.feedTime)), plural(len(d.Participants), "participant"))
	if s.Ended {
		fmt.Fprintf(&b, ", ended %s UTC", fmtClock(s.End))
	}
	b.WriteString("\n")
	var open, cleared []string
	for i := range d.Findings {
		f := &d.Findings[i]
		line := fmt.Sprintf("- [%s] %s (since %s UTC)", f.Severity, clean(f.Message), fmtClock(f.Start))
		if !f.Open() {
			line = fmt.Sprintf("- [%s] %s (%s to %s UTC)", f.Severity, clean(f.Message), fmtClock(f.Start), fmtClock(f.End))
		}
		if f.Advice != "" {
			line += " Advice: " + clean(f.Advice)
		}
		if f.Open() {
			open = append(open, line)
		} else {
			cleared = append(cleared, line)
		}
	}
	if len(open) == 0 {
		b.WriteString("No open problems.\n")
	} else {
		b.WriteString("Open problems:\n" + strings.Join(open, "\n") + "\n")
	}
	if len(cleared) > 0 {
		b.WriteString("Cleared:\n" + strings.Join(cleared, "\n") + "\n")
	}
	b.WriteString("Participants:\n")
	for i := range d.Participants {
		p := &d.Participants[i]
		fmt.Fprintf(&b, "- %s (%s, %s, %s): MOS %s", clean(p.Name), orDash(clean(p.Browser)),
			orDash(clean(p.NetworkType)), orDash(clean(p.Region)), fmtNum(p.MOS, 1))
		if p.Worst != nil {
			fmt.Fprintf(&b, ", worst: %s", clean(p.Worst.Message))
		}
		b.WriteString("\n")
	}
	return b.String(), name
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
