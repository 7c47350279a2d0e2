package tui

import (
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestCellWidthAgreesWithAnsi(t *testing.T) {
	st := lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Red)
	for _, s := range []string{"", "abc", st.Render("abc") + " d", "héllo", "│ x", "1200 ┤  ╭─╮", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "a\x1b", "…", "• ↓ ← →", "café", "e\u0301", "x\u00ad", "😀", "⚠️"} {
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("cellWidth(%q) = %d, ansi says %d", s, got, want)
		}
	}
}

func TestFitNeverWrapsOrCutsMidGlyph(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{{"support-escalation", 10, "support-e…"}, {"ab", 4, "ab  "}, {"日本語テキスト", 7, "日本語…"}, {"x", 0, ""}} {
		if got := fit(c.in, c.w); got != c.want || cellWidth(got) != c.w {
			t.Errorf("fit(%q, %d) = %q (%d cells), want %q", c.in, c.w, got, cellWidth(got), c.want)
		}
	}
	if got := fitRight("12", 5); got != "   12" {
		t.Errorf("fitRight = %q", got)
	}
}

func TestCleanStripsControls(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                "plain",
		"a\x1b[31mb":           "a[31mb",
		"tab\there\nnew\rline": "tab here new line",
		"c1\u009b31m\u0085x":   "c131mx",
		"bell\x07del\x7f":      "belldel",
		"naïve café 日本":        "naïve café 日本",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}
