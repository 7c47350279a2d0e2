package diagnose

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTextLen bounds a feed string (name, room, tag, user agent) kept by the
// Monitor; longer ones are cut at a rune boundary.
const maxTextLen = 256

// Clean strips control characters (C0, C1, DEL, and Unicode format
// characters such as bidi overrides) and invalid UTF-8 from a feed string,
// and bounds its length, so that it is safe to print on a terminal.
func Clean(s string) string {
	ok := len(s) <= maxTextLen
	if ok {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x7f {
				ok = false
				break
			}
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > maxTextLen {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cleanTags returns a cleaned copy of a call's tags (nil when empty),
// bounded to maxTags entries.
func cleanTags(in map[string]string) map[string]string {
	if len(in) == 0 {
		return nil
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic choice when there are too many
	out := make(map[string]string, min(len(in), maxTags))
	for _, k := range keys {
		if len(out) >= maxTags {
			break
		}
		out[Clean(k)] = Clean(in[k])
	}
	return out
}
