package fleet

import "math/bits"

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
}

// Entry is what a Table remembers of one call between two Sets. Keep one
// per call (the zero Entry is a call not yet counted) and hand it back to
// Set each time that call changes.
type Entry struct {
	people   []Person
	tags     map[string]string
	refs     []*group // numPersonDims per person
	tagRefs  []*group // the call's tag groups, which all its people are in
	callRefs []*group // every group the call counts once in
}

// NewTable returns an empty Table.
func NewTable(opts Options) *Table {
	t := &Table{opts: opts.withDefaults(), tagDims: map[string]*dimension{}}
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
// and tags; nil people (the call ended or is gone) takes it out. people
// must not change afterwards: the Table keeps it until the next Set.
func (t *Table) Set(e *Entry, people []Person, tags map[string]string) {
	if len(people) == 0 && len(e.people) == 0 {
		return
	}
	if e.sameGroups(people, tags) {
		changed := false
		for i := range people {
			changed = t.restat(e.refs[i*numPersonDims:(i+1)*numPersonDims], e.tagRefs, &e.people[i], &people[i]) || changed
		}
		e.people = people
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
// e's call is counted in now.
func (e *Entry) sameGroups(people []Person, tags map[string]string) bool {
	if len(people) != len(e.people) || len(people) == 0 || len(tags) != len(e.tags) {
		return false
	}
	for k, v := range tags {
		if old, ok := e.tags[k]; !ok || old != v {
			return false
		}
	}
	for i := range people {
		if !sameGroups(&people[i], &e.people[i]) {
			return false
		}
	}
	return true
}

// remove takes e's call out of every group it is counted in.
func (t *Table) remove(e *Entry) {
	if len(e.people) == 0 {
		return
	}
	for i := range e.people {
		p := &e.people[i]
		t.total.count(p, -1)
		for _, g := range e.refs[i*numPersonDims : (i+1)*numPersonDims] {
			g.count(p, -1)
		}
		for _, g := range e.tagRefs {
			g.count(p, -1)
		}
	}
	t.calls--
	for _, g := range e.callRefs {
		g.calls--
	}
	for _, g := range e.callRefs {
		if g.people == 0 {
			delete(g.dim.groups, g.value)
		}
	}
	clear(e.refs)
	clear(e.tagRefs)
	clear(e.callRefs)
	*e = Entry{refs: e.refs[:0], tagRefs: e.tagRefs[:0], callRefs: e.callRefs[:0]}
}

// add counts people (of one call with tags) into their groups.
func (t *Table) add(e *Entry, people []Person, tags map[string]string) {
	if len(people) == 0 {
		return
	}
	e.people, e.tags = people, tags
	for k, v := range tags {
		if d := t.tagDimension(k); d != nil && v != "" {
			g := t.group(d, v)
			e.tagRefs = append(e.tagRefs, g)
			e.callRefs = append(e.callRefs, g)
		}
	}
	for i := range people {
		p := &people[i]
		t.total.count(p, 1)
		for d := range numPersonDims {
			g := t.group(t.dims[d], p.value(d))
			e.refs = append(e.refs, g)
			g.count(p, 1)
			if !containsGroup(e.callRefs, g) {
				e.callRefs = append(e.callRefs, g)
			}
		}
		for _, g := range e.tagRefs {
			g.count(p, 1)
		}
	}
	t.calls++
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

// count adds (sign 1) or takes out (sign -1) one person.
func (s *stats) count(p *Person, sign int32) {
	s.people += sign
	if p.Problem {
		s.problem += sign
	}
	for r := p.Rules; r != 0; r &= r - 1 {
		if i := bits.TrailingZeros32(r); i < len(s.rules) {
			s.rules[i] += sign
		}
	}
	s.mos.add(mosScale.bin(p.MOS), sign)
	s.loss.add(lossScale.bin(p.LossPct), sign)
	s.rtt.add(rttScale.bin(p.RTTMs), sign)
}

// restat moves one person, whose groups are unchanged, from old's figures
// to p's in the fleet total and in groups; it reports whether anything
// counted changed.
func (t *Table) restat(refs, tagRefs []*group, old, p *Person) bool {
	if old.Problem == p.Problem && old.Rules == p.Rules && mosScale.bin(old.MOS) == mosScale.bin(p.MOS) &&
		lossScale.bin(old.LossPct) == lossScale.bin(p.LossPct) && rttScale.bin(old.RTTMs) == rttScale.bin(p.RTTMs) {
		return false
	}
	t.total.count(old, -1)
	t.total.count(p, 1)
	for _, gs := range [][]*group{refs, tagRefs} {
		for _, g := range gs {
			g.count(old, -1)
			g.count(p, 1)
		}
	}
	return true
}
