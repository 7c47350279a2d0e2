package fleet

import (
	"cmp"
	"slices"
	"strings"
)

// overlaps remembers the last explainOverlaps decisions: which claims were
// dropped, for which set of claims.
type overlaps struct {
	sig     string
	dropped map[string]bool
}

// explainOverlaps drops a claim whose group no longer stands out once the
// people of a more certain claim's group, for the same rule, are taken
// out of it: Android is not named beside Chrome 142 when the Android users
// who suffer are Chrome 142's. Counting walks every person, so the
// decisions are kept while the set of claims stays the same.
func (t *Table) explainOverlaps(claims []Claim) []Claim {
	if len(claims) < 2 {
		return claims
	}
	keys := make([]string, len(claims))
	for i, c := range claims {
		keys[i] = c.Key()
	}
	slices.Sort(keys)
	if sig := strings.Join(keys, "\n"); sig != t.overlap.sig {
		t.overlap = overlaps{sig: sig, dropped: t.overlapping(claims)}
	}
	kept := claims[:0]
	for _, c := range claims {
		if !t.overlap.dropped[c.Key()] {
			kept = append(kept, c)
		}
	}
	return kept
}

// overlapping decides, most certain claim first, which claims a more
// certain one of the same rule explains.
func (t *Table) overlapping(claims []Claim) map[string]bool {
	byZ := slices.Clone(claims)
	slices.SortFunc(byZ, func(a, b Claim) int { return cmp.Or(cmp.Compare(b.Z, a.Z), strings.Compare(a.Key(), b.Key())) })
	dropped := map[string]bool{}
	for i, h := range byZ {
		for _, g := range byZ[:i] {
			if g.Rule == h.Rule && !dropped[g.Key()] && (g.Dim != h.Dim || g.Value != h.Value) && t.explainedBy(h, g) {
				dropped[h.Key()] = true
				break
			}
		}
	}
	return dropped
}

// explainedBy reports whether claim h's group, without the people also in
// claim g's group, fails the stand-out test for h's rule.
func (t *Table) explainedBy(h, g Claim) bool {
	hg, gg := t.lookup(h.Dim, h.Value), t.lookup(g.Dim, g.Value)
	r := slices.Index(t.opts.Rules, h.Rule)
	if hg == nil || gg == nil || r < 0 {
		return false
	}
	var k, n int32
	for e := range t.entries {
		for i, st := range e.states {
			if !e.member(i, hg) || e.member(i, gg) {
				continue
			}
			n++
			if st.rules&(1<<r) != 0 {
				k++
			}
		}
	}
	_, ok := t.opts.StandOut.test(k, n, t.total.rules[r]-hg.rules[r], t.total.people-hg.people)
	return !ok
}

// lookup returns the group of value v in the dimension keyed key, or nil.
func (t *Table) lookup(key, v string) *group {
	for _, d := range t.dims {
		if d.Key == key {
			return d.groups[v]
		}
	}
	return nil
}

// member reports whether person i of the entry's call is in group g.
func (e *Entry) member(i int, g *group) bool {
	if d := g.dim.idx; d < numPersonDims {
		return e.refs[i*numPersonDims+d] == g
	}
	return containsGroup(e.tagRefs, g)
}
