package dump

import (
	"fmt"
	"slices"
	"strings"
	"unsafe"
)

// The fast path for getstats lines, nine in ten of an rtcstats dump's
// lines and most of its bytes. The general path parses the line into
// []any with a map per report, then merges each map field by field into
// the peer connection's state: every report's map was made, filled and
// thrown away. Here the reports are parsed into one flat list of members
// (reused from line to line) and merged straight into the state. Any line
// this path does not take as it is (another method, another shape, a
// repeated report id, JSON the parser gives up on) goes the general way,
// which gives the same result; FuzzGetstatsDelta holds the two equal.

// deltaMember is one member of a getstats value: a report (fields
// entries[lo:hi]) or another value (the top-level "timestamp").
type deltaMember struct {
	id     string
	val    any
	obj    bool
	lo, hi int
}

// deltaEntry is one field of a report as written.
type deltaEntry struct {
	k string
	v any
}

// getstatsDelta is the parsed getstats value of the line being read.
type getstatsDelta struct {
	members []deltaMember
	order   []int32 // members by id (sorted as indices: a member is 56 bytes to swap)
	entries []deltaEntry
	// hints: the peer connection's remembered cache entries by member
	// index, when the line's ids are the last sample's (idOrder.ents).
	hints []*cachedStat
	// predIDs: the peer connection's last sample's report ids as written,
	// the ids expected (key's pred) while its reports are read.
	predIDs []string
}

// maxScratch is the most a live session's reader keeps of the fast
// path's scratch between lines (Stream); a larger line's is dropped, so
// an idle session does not hold a burst's worth of it.
const maxScratch = 64 << 10

// releaseScratch lets go of the line just read (the caller's buffer) and
// of scratch past maxScratch; what it keeps is counted by Stream.Kept.
func (r *rtcstatsReader) releaseScratch() {
	r.json.data = nil
	if scratchBytes(r) > maxScratch {
		r.delta, r.parts, r.ents = getstatsDelta{}, nil, nil
		return
	}
	clear(r.delta.members[:cap(r.delta.members)]) // no values of the last line kept alive
	clear(r.delta.entries[:cap(r.delta.entries)])
	clear(r.parts[:cap(r.parts)])
}

// scratchBytes is what the fast path's scratch holds, by capacity.
func scratchBytes(r *rtcstatsReader) int {
	d := &r.delta
	return cap(d.members)*int(unsafe.Sizeof(deltaMember{})) + cap(d.order)*4 +
		cap(d.entries)*int(unsafe.Sizeof(deltaEntry{})) + cap(r.parts)*16 + cap(r.ents)*8
}

// fastGetstats handles line n if it is a getstats line whose value is an
// object of reports; false leaves the line, untouched, to the general path.
func (r *rtcstatsReader) fastGetstats(n int, raw []byte) bool {
	p := &r.json
	if !p.startLine(raw) {
		return false
	}
	mv, ok := p.strValue()
	method, _ := mv.(string)
	if !ok || method != "getstats" && method != "getStats" || !p.comma() {
		return false
	}
	pcv, ok := p.value()
	if !ok || !p.comma() {
		return false
	}
	p.space()
	pc, _ := asString(pcv)
	order := r.orderOf(pc)
	r.delta.predIDs = order.ids
	if p.pos >= len(p.data) || p.data[p.pos] != '{' || !p.reports(&r.delta) {
		return false
	}
	// The line's other elements: parts as the general path sees them,
	// with the value (not needed again) left nil.
	parts := append(r.parts[:0], mv, pcv, nil)
	parts, ok = p.restOfLine(parts)
	r.parts = parts
	if !ok || !r.delta.sortByID(order) {
		return false
	}
	ts := r.lineTime(parts)
	if pc == "" {
		r.b.problem(n, "%s line without a peer connection id", method)
		return true
	}
	r.getstatsFrom(n, pc, &r.delta, ts)
	return true
}

// comma consumes a ',' (after space); false on anything else.
func (p *anyParser) comma() bool {
	p.space()
	if p.pos >= len(p.data) || p.data[p.pos] != ',' {
		return false
	}
	p.pos++
	return true
}

// reports parses a getstats value, an object of reports, at p.pos (on its
// '{') into d: as object() would, without a map per report.
func (p *anyParser) reports(d *getstatsDelta) bool {
	d.members, d.entries = d.members[:0], d.entries[:0]
	if p.depth++; p.depth > maxDepth {
		return false
	}
	p.pos++ // {
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return true
	}
	for {
		pred := ""
		if i := len(d.members); i < len(d.predIDs) {
			pred = d.predIDs[i]
		}
		id, ok := p.key(&pred)
		if !ok {
			return false
		}
		p.space()
		m := deltaMember{id: id}
		if p.pos < len(p.data) && p.data[p.pos] == '{' {
			m.obj, m.lo = true, len(d.entries)
			if d.entries, ok = p.fields(d.entries); !ok {
				return false
			}
			m.hi = len(d.entries)
		} else if m.val, ok = p.value(); !ok {
			return false
		}
		d.members = append(d.members, m)
		if !p.next('}') {
			return false
		}
		if p.data[p.pos-1] == '}' {
			p.depth--
			return true
		}
	}
}

// key reads `"name":` (after space), the name interned. pred is the
// name expected here (the last one read at this place, "" for none): a
// name written as it is costs one comparison, no scan and no hash; a
// name read otherwise becomes pred when written plainly.
func (p *anyParser) key(pred *string) (string, bool) {
	p.space()
	if p.pos >= len(p.data) || p.data[p.pos] != '"' {
		return "", false
	}
	var k string
	if want := *pred; want != "" {
		if end := p.pos + 1 + len(want); end < len(p.data) && p.data[end] == '"' && string(p.data[p.pos+1:end]) == want {
			k, p.pos = want, end+1
		}
	}
	if k == "" {
		start := p.pos
		var ok bool
		if k, ok = p.str(true); !ok {
			return "", false
		}
		if string(p.data[start+1:p.pos-1]) == k { // no escape, as written
			*pred = k
		}
	}
	p.space()
	if p.pos >= len(p.data) || p.data[p.pos] != ':' {
		return "", false
	}
	p.pos++
	return k, true
}

// fields appends the members of the object at p.pos (on its '{') to out.
func (p *anyParser) fields(out []deltaEntry) ([]deltaEntry, bool) {
	if p.depth++; p.depth > maxDepth {
		return out, false
	}
	p.pos++ // {
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return out, true
	}
	for j := 0; ; {
		k, ok := p.key(&p.fieldPreds[min(j, len(p.fieldPreds)-1)])
		j++
		if !ok {
			return out, false
		}
		v, ok := p.value()
		if !ok {
			return out, false
		}
		out = append(out, deltaEntry{k, v})
		if !p.next('}') {
			return out, false
		}
		if p.data[p.pos-1] == '}' {
			p.depth--
			return out, true
		}
	}
}

// idOrder is a peer connection's last sample's report ids as written and
// their order by id: a browser writes its reports in the same order every
// sample (not sorted), so they are sorted again only when the ids change.
type idOrder struct {
	ids   []string
	order []int32
	// ents: each report's cache entry, by its place as written, as the
	// last sample merged it: a sample written as the last one was finds
	// its objects here rather than by their ids in the cache.
	ents []*cachedStat
}

// orderOf returns the peer connection's idOrder.
func (r *rtcstatsReader) orderOf(pc string) *idOrder {
	o := r.orders[pc]
	if o == nil {
		if r.orders == nil {
			r.orders = map[string]*idOrder{}
		}
		o = &idOrder{}
		r.orders[pc] = o
	}
	return o
}

// sortByID puts the members in id order (order), as the peer connection's
// last sample had them when its ids are the same (interned: mostly one
// pointer compare each), else by sorting and remembering; false if an id
// is repeated (a map keeps only the last: the general path's business).
func (d *getstatsDelta) sortByID(prev *idOrder) bool {
	if len(prev.ids) == len(d.members) && len(d.members) > 0 {
		same := true
		for i := range d.members {
			if d.members[i].id != prev.ids[i] {
				same = false
				break
			}
		}
		if same {
			d.order = append(d.order[:0], prev.order...)
			d.hints = prev.ents
			return true
		}
	}
	d.hints = nil
	if !d.sortFresh() {
		return false
	}
	prev.ids = prev.ids[:0]
	for i := range d.members {
		prev.ids = append(prev.ids, d.members[i].id)
	}
	prev.order = append(prev.order[:0], d.order...)
	clear(prev.ents)
	prev.ents = append(prev.ents[:0], make([]*cachedStat, len(d.members))...)
	return true
}

// sortFresh is sortByID without a previous order.
func (d *getstatsDelta) sortFresh() bool {
	d.order = d.order[:0]
	sorted := true // as written, in the order of a browser's report: no sort, no repeat
	for i := range d.members {
		d.order = append(d.order, int32(i))
		sorted = sorted && (i == 0 || d.members[i-1].id < d.members[i].id)
	}
	if sorted {
		return true
	}
	slices.SortFunc(d.order, func(a, b int32) int { return strings.Compare(d.members[a].id, d.members[b].id) })
	for i := 1; i < len(d.order); i++ {
		if d.members[d.order[i]].id == d.members[d.order[i-1]].id {
			return false
		}
	}
	return true
}

// member returns the member named id, or nil.
func (d *getstatsDelta) member(id string) *deltaMember {
	i, ok := slices.BinarySearchFunc(d.order, id, func(k int32, id string) int { return strings.Compare(d.members[k].id, id) })
	if !ok {
		return nil
	}
	return &d.members[d.order[i]]
}

// last returns the value of the last field k of a report (written twice,
// the last wins, as in a map).
func (d *getstatsDelta) last(m *deltaMember, k string) (any, bool) {
	for i := m.hi - 1; i >= m.lo; i-- {
		if d.entries[i].k == k {
			return d.entries[i].v, true
		}
	}
	return nil, false
}

// getstatsFrom is getstats on a parsed delta: the same checks, caps and
// problems, in the same order, with the reports merged from d.
func (r *rtcstatsReader) getstatsFrom(n int, pc string, d *getstatsDelta, lineTS float64) {
	ts := lineTS
	top := d.member("timestamp")
	if t, ok := asNumber(memberValue(top)); ok {
		if usableTS(t) {
			ts = t
		}
	} else if t := d.newest(); usableTS(t) {
		ts = t // uncompressed reports keep their own times
	}
	if !usableTS(ts) {
		r.b.problem(n, "getstats line without a usable timestamp")
		return
	}
	state := r.stateOf(n, pc)
	if state == nil {
		return
	}
	cache := r.cacheOf(pc)
	ents, room := r.ents[:0], 0
	tsv := any(ts)                // boxed once: a report with a zero timestamp gets the sample's
	remember := r.orders[pc].ents // by member index (sortByID sized it)
	for _, k := range d.order {
		m := &d.members[k]
		if !m.obj { // the top-level timestamp, or what a map of reports ignores
			continue
		}
		var hint *cachedStat
		if d.hints != nil {
			hint = d.hints[k]
		}
		e := r.mergeDelta(state, cache, hint, m.id, d, m, tsv, n)
		remember[k] = e
		if e == nil {
			continue
		}
		switch t := e.rawType(); {
		case t == "":
			r.noType.add(pc, n)
			continue
		case t == legacySSRC || t == legacyPair:
			r.legacy = true
		}
		ents = append(ents, e) // in id order already
		room += e.room()
	}
	r.ents = ents
	stats, left := statsFromCache(r.b.statsRoom(room), state, cache, ents, ts, r.b.want)
	r.b.sample(pc, ts, stats, len(stats)+left)
	clear(ents) // no objects kept alive through the scratch
}

// memberValue is a non-report member's value (nil for none or a report:
// neither is a number).
func memberValue(m *deltaMember) any {
	if m == nil || m.obj {
		return nil
	}
	return m.val
}

// newest is newestReport on a parsed delta.
func (d *getstatsDelta) newest() float64 {
	newest := 0.0
	for i := range d.members {
		m := &d.members[i]
		if !m.obj {
			continue
		}
		v, _ := d.last(m, "timestamp")
		if t, ok := asNumber(v); ok && t > newest {
			newest = t
		}
	}
	return newest
}

// mergeDelta is the general path's per-report work (drop "id", give a
// zero timestamp the sample's, merge within the caps) on report m of d,
// keeping the object's converted fields in step. It returns the object's
// cache entry, or nil when the object was refused.
func (r *rtcstatsReader) mergeDelta(state map[string]rawStat, cache statCache, hint *cachedStat, id string, d *getstatsDelta, m *deltaMember, ts any, n int) *cachedStat {
	fields := d.entries[m.lo:m.hi]
	tsFix := false // the report's timestamp is 0: it is the sample's
	if t, has := d.last(m, "timestamp"); has {
		if x, _ := asNumber(t); x == 0 {
			tsFix = true
		}
	}
	value := func(f deltaEntry) any {
		if tsFix && f.k == "timestamp" {
			return ts
		}
		return f.v
	}
	e := hint // the object's entry as the last sample found it, if it still is the cache's
	if e == nil || e.dropped || e.id != id {
		e = cache[id]
	}
	var base rawStat
	if e != nil {
		base = e.obj // state[id]: made once, then merged in place
	} else {
		base = state[id]
	}
	if base == nil {
		rep := make(rawStat, len(fields))
		for _, f := range fields {
			if f.k != "id" {
				rep[f.k] = value(f)
			}
		}
		if !r.merge(state, id, rep, n) {
			return nil
		}
		e = &cachedStat{obj: rep, id: id} // a new object: rep is its state now
		cache[id] = e
		return e
	}
	if e == nil { // first given, or merged by the general path since
		e = &cachedStat{obj: base, id: id}
		cache[id] = e
	}
	for i, f := range fields {
		if f.k == "id" {
			continue
		}
		if len(base) >= MaxFields && !hasField(base, f.k) { // below the cap, no need to look
			if !laterField(fields[i+1:], f.k) { // a map would have held it once
				r.refused.add(fmt.Sprintf("fields past %d in one stats object", MaxFields), n)
			}
			continue
		}
		v := value(f)
		base[f.k] = v
		if e != nil {
			e.update(f.k, v)
		}
	}
	return e
}

func hasField(obj rawStat, k string) bool {
	_, has := obj[k]
	return has
}

// laterField reports whether k is written again in fields.
func laterField(fields []deltaEntry, k string) bool {
	for _, e := range fields {
		if e.k == k {
			return true
		}
	}
	return false
}
