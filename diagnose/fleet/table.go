package fleet

import (
	"math/bits"
	"reflect"
)

// Options tune a Table. Zero fields take the defaults.
type Options struct {
	// Rules are the rule ids Person.Rules' bits stand for (at most 32).
	Rules []string
	// MaxTagDims bounds how many call-tag keys become dimensions (default
	// 8); later keys are not grouped by.
	MaxTagDims int
	// MaxGroups bounds one dimension's groups (default 500); values beyond
	// it are counted in the group Other.
	MaxGroups int
	// StandOut decides which groups stand out (see StandOutRule).
	StandOut StandOutRule
	// Implied lists rule -> dimension key pairs where the rule follows from
	// the grouping itself (relay-tcp on the ICE path): never claimed.
	Implied map[string]string
}

// Other is the group of values beyond Options.MaxGroups.
const Other = "(other)"

func (o Options) withDefaults() Options {
	if len(o.Rules) > 32 {
		o.Rules = o.Rules[:32]
	}
	if o.MaxTagDims <= 0 {
		o.MaxTagDims = 8
	}
	if o.MaxGroups <= 0 {
		o.MaxGroups = 500
	}
	o.StandOut = o.StandOut.withDefaults()
	return o
}

// stats are the counts of one group (or of the whole fleet).
type stats struct {
	people, calls, problem int32
	rules                  []int32 // people with an open finding, per rule
	mos, loss, rtt         hist
}

// group is one value of one dimension.
type group struct {
	value string
	dim   *dimension
	stats
}

// dimension is one way of grouping, with its groups by value.
type dimension struct {
	Dimension
	idx    int
	groups map[string]*group
}

// Table keeps the fleet's groups up to date as calls change. It is not
// safe for concurrent use.
type Table struct {
	opts    Options
	dims    []*dimension
	tagDims map[string]*dimension
	total   stats
	calls   int32
	gen     uint64 // counts changes, so View can tell when to rebuild
	view    *View
	viewGen uint64
	entries map[*Entry]struct{} // the calls counted, for explainOverlaps
	overlap overlaps
}

// Entry is what a Table remembers of one call between two Sets. Keep one
// per call (the zero Entry is a call not yet counted) and hand it back to
// Set each time that call changes. It holds what the call counts for,
// compactly, not the people themselves.
type Entry struct {
	states   []state   // one per person counted
	groups   []*Groups // each person's groups when counted
	tags     map[string]string
	refs     []*group // numPersonDims per person
	tagRefs  []*group // the call's tag groups, which all its people are in
	callRefs []*group // every group the call counts once in
}

// NewTable returns an empty Table.
func NewTable(opts Options) *Table {
	t := &Table{opts: opts.withDefaults(), tagDims: map[string]*dimension{}, entries: map[*Entry]struct{}{}}
	for _, d := range PersonDimensions {
		t.newDimension(d)
	}
	t.total.rules = make([]int32, len(t.opts.Rules))
	return t
}

func (t *Table) newDimension(d Dimension) *dimension {
	dim := &dimension{Dimension: d, idx: len(t.dims), groups: map[string]*group{}}
	t.dims = append(t.dims, dim)
	return dim
}

// Set makes the call e stands for count with people (those still in it)
// and tags; nil people (the call ended or is gone) takes it out.
func (t *Table) Set(e *Entry, people []Person, tags map[string]string) {
	if len(people) == 0 && len(e.states) == 0 {
		return
	}
	if e.sameGroups(people, tags) {
		changed := false
		for i := range people {
			if ns := stateOf(&people[i]); ns != e.states[i] {
				t.restat(e.refs[i*numPersonDims:(i+1)*numPersonDims], e.tagRefs, e.states[i], ns)
				e.states[i], changed = ns, true
			}
		}
		if changed {
			t.gen++
		}
		return
	}
	t.remove(e)
	t.add(e, people, tags)
	t.gen++
}

// sameGroups reports whether people and tags fall in exactly the groups
// e's call is counted in now. It reads the groups (few, and warm) rather
// than the people counted last time; a person in the Other group counts
// as moved.
func (e *Entry) sameGroups(people []Person, tags map[string]string) bool {
	if len(people) != len(e.states) || len(people) == 0 || len(tags) != len(e.tags) || !sameMap(tags, e.tags) {
		return false
	}
	for i := range people {
		if people[i].Groups == e.groups[i] && people[i].Groups != nil {
			continue // the same groups (a Groups never changes)
		}
		refs := e.refs[i*numPersonDims : (i+1)*numPersonDims]
		for d, g := range refs {
			if g.value != people[i].value(d) {
				return false
			}
		}
		e.groups[i] = people[i].Groups
	}
	return true
}

// sameMap reports whether two tag maps hold the same pairs (at once when
// they are the same map, as a call's tags are until they change).
func sameMap(a, b map[string]string) bool {
	if reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() {
		return true
	}
	for k, v := range a {
		if old, ok := b[k]; !ok || old != v {
			return false
		}
	}
	return true
}

// remove takes e's call out of every group it is counted in.
func (t *Table) remove(e *Entry) {
	if len(e.states) == 0 {
		return
	}
	for i, st := range e.states {
		t.total.count(st, -1)
		for _, g := range e.refs[i*numPersonDims : (i+1)*numPersonDims] {
			g.count(st, -1)
		}
		for _, g := range e.tagRefs {
			g.count(st, -1)
		}
	}
	t.calls--
	delete(t.entries, e)
	for _, g := range e.callRefs {
		g.calls--
	}
	for _, g := range e.callRefs {
		if g.people == 0 {
			delete(g.dim.groups, g.value)
		}
	}
	clear(e.groups)
	clear(e.refs)
	clear(e.tagRefs)
	clear(e.callRefs)
	*e = Entry{states: e.states[:0], groups: e.groups[:0], refs: e.refs[:0], tagRefs: e.tagRefs[:0], callRefs: e.callRefs[:0]}
}

// add counts people (of one call with tags) into their groups.
func (t *Table) add(e *Entry, people []Person, tags map[string]string) {
	if len(people) == 0 {
		return
	}
	e.tags = tags
	for k, v := range tags {
		if d := t.tagDimension(k); d != nil && v != "" {
			g := t.group(d, v)
			e.tagRefs = append(e.tagRefs, g)
			e.callRefs = append(e.callRefs, g)
		}
	}
	for i := range people {
		p := &people[i]
		st := stateOf(p)
		e.states, e.groups = append(e.states, st), append(e.groups, p.Groups)
		t.total.count(st, 1)
		for d := range numPersonDims {
			g := t.group(t.dims[d], p.value(d))
			e.refs = append(e.refs, g)
			g.count(st, 1)
			if !containsGroup(e.callRefs, g) {
				e.callRefs = append(e.callRefs, g)
			}
		}
		for _, g := range e.tagRefs {
			g.count(st, 1)
		}
	}
	t.calls++
	t.entries[e] = struct{}{}
	for _, g := range e.callRefs {
		g.calls++
	}
}

func containsGroup(gs []*group, g *group) bool {
	for _, x := range gs {
		if x == g {
			return true
		}
	}
	return false
}

// tagDimension returns the dimension of tag key k, making it while fewer
// than MaxTagDims exist (nil beyond).
func (t *Table) tagDimension(k string) *dimension {
	if d := t.tagDims[k]; d != nil {
		return d
	}
	if len(t.tagDims) >= t.opts.MaxTagDims || k == "" {
		return nil
	}
	d := t.newDimension(Dimension{Key: TagPrefix + k, Title: "Tag " + k})
	t.tagDims[k] = d
	return d
}

// group returns d's group of value v, making it (or using Other when d is
// full).
func (t *Table) group(d *dimension, v string) *group {
	if g := d.groups[v]; g != nil {
		return g
	}
	if len(d.groups) >= t.opts.MaxGroups {
		v = Other
		if g := d.groups[v]; g != nil {
			return g
		}
	}
	g := &group{value: v, dim: d, stats: stats{rules: make([]int32, len(t.opts.Rules))}}
	d.groups[v] = g
	return g
}

// state is what a person counts for: their open rules, whether one is a
// warning or worse, and their MOS, loss and RTT histogram bins (-1:
// unknown).
type state struct {
	rules          uint32
	mos, loss, rtt int8
	problem        bool
}

func stateOf(p *Person) state {
	return state{rules: p.Rules, problem: p.Problem,
		mos: int8(mosScale.bin(p.MOS)), loss: int8(lossScale.bin(p.LossPct)), rtt: int8(rttScale.bin(p.RTTMs))}
}

// count adds (sign 1) or takes out (sign -1) one person.
func (s *stats) count(st state, sign int32) {
	s.people += sign
	if st.problem {
		s.problem += sign
	}
	s.countRules(st.rules, sign)
	s.mos.add(int(st.mos), sign)
	s.loss.add(int(st.loss), sign)
	s.rtt.add(int(st.rtt), sign)
}

func (s *stats) countRules(rules uint32, sign int32) {
	for r := rules; r != 0; r &= r - 1 {
		if i := bits.TrailingZeros32(r); i < len(s.rules) {
			s.rules[i] += sign
		}
	}
}

// restat moves one person, whose groups are unchanged, from state old to
// st in the fleet total and in their groups.
func (t *Table) restat(refs, tagRefs []*group, old, st state) {
	t.total.move(old, st)
	for _, g := range refs {
		g.move(old, st)
	}
	for _, g := range tagRefs {
		g.move(old, st)
	}
}

// move replaces one person's state old by st, touching only what changed.
func (s *stats) move(old, st state) {
	if old.problem != st.problem {
		if st.problem {
			s.problem++
		} else {
			s.problem--
		}
	}
	if old.rules != st.rules {
		s.countRules(old.rules&^st.rules, -1)
		s.countRules(st.rules&^old.rules, 1)
	}
	if old.mos != st.mos {
		s.mos.add(int(old.mos), -1)
		s.mos.add(int(st.mos), 1)
	}
	if old.loss != st.loss {
		s.loss.add(int(old.loss), -1)
		s.loss.add(int(st.loss), 1)
	}
	if old.rtt != st.rtt {
		s.rtt.add(int(old.rtt), -1)
		s.rtt.add(int(st.rtt), 1)
	}
}
