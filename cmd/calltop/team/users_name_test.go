package team

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzValidName holds validName to the pattern it stands for.
func FuzzValidName(f *testing.F) {
	for _, s := range []string{"", "a", "dana", "dana.o@example.com", "-dana", ".x", "a b", "é", strings.Repeat("x", 64), strings.Repeat("x", 65), "_a", "a_"} {
		f.Add(s)
	}
	pattern := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validName(s), pattern.MatchString(s); got != want {
			t.Fatalf("validName(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
