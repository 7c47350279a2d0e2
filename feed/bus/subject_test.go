package bus

import (
	"regexp"
	"strings"
	"testing"
)

func TestCallIDsBecomeOneSafeSubjectToken(t *testing.T) {
	seen := map[string]string{}
	for _, id := range []string{"call-1", "CALL_2", "a.b", "a*b", "a>b", "with space", "room/1", "é", strings.Repeat("x", 65), "~abc"} {
		tok := CallToken(id)
		if strings.ContainsAny(tok, ".*> \t") || tok == "" || len(tok) > 64 {
			t.Errorf("%q -> %q: not one safe token", id, tok)
		}
		if prev, ok := seen[tok]; ok {
			t.Errorf("%q and %q share the token %q", prev, id, tok)
		}
		seen[tok] = id
		if safe := safeID(id); safe != (tok == id) {
			t.Errorf("%q -> %q: a safe id is kept, any other hashed", id, tok)
		}
	}
	if got := DefaultHubID("0.0.0.0:7070"); CheckHubID(got) != nil || !strings.HasSuffix(got, "-7070") {
		t.Errorf("default hub id %q", got)
	}
	if kind, hubID := hubOf("calltop.v1.state.hub-a.hub-b"); kind != "state" || hubID != "hub-a" {
		t.Errorf("hubOf: %q %q", kind, hubID)
	}
}

// FuzzSafeID holds safeID to the pattern it stands for.
func FuzzSafeID(f *testing.F) {
	for _, s := range []string{"", "a", "hub-1", "a_b", "a.b", "é", strings.Repeat("x", 64), strings.Repeat("x", 65), "a b", "\x00"} {
		f.Add(s)
	}
	pattern := regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := safeID(s), pattern.MatchString(s); got != want {
			t.Fatalf("safeID(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
