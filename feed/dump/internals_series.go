package dump

import (
	"bytes"
	"cmp"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/calltop/calltop/feed"
)

// sampleWindow groups the samples of different stats ids into one stats
// message: webrtc-internals polls getStats once a second, so points closer
// than half of that belong to the same poll.
const sampleWindow = 500.0

// idSeries is every attribute of one stats id, before alignment.
type idSeries struct {
	statsType string
	attrs     map[string]series
	spans     map[string][2]float64 // attribute -> startTime, endTime (old dumps)
}

// point is one stats object at one time: its fields (obj), or, for an
// object that needs nothing from another (see direct), the stat itself.
type point struct {
	ts  float64
	id  string
	typ string
	obj rawStat
	// A direct point: its stat is filled from the series at index at.
	direct *directSeries
	at     int
}

// directSeries is an id whose stats are made from its series alone.
type directSeries struct {
	id, typ string // cleaned
	ts      []float64
	cols    []column
}

// column is one attribute that lands in feed.Stat, aligned with the times.
type column struct {
	field statField
	vals  series
	off   int
}

// fill makes the stat at time index j.
func (d *directSeries) fill(st *feed.Stat, j int) {
	st.ID, st.Type, st.Timestamp = d.id, d.typ, d.ts[j]
	v := reflect.ValueOf(st).Elem()
	for _, c := range d.cols {
		i := j - c.off
		switch {
		case i < 0 || i >= c.vals.len():
		case c.vals.nums != nil:
			setFieldNum(v.Field(c.field.index), c.field.kind, c.vals.nums[i])
		case c.vals.vals[i] != nil:
			setField(v.Field(c.field.index), c.field.kind, c.vals.vals[i])
		}
	}
}

// pcSeries is one peer connection's stats as time-ordered points.
type pcSeries struct {
	id     string
	points []point
}

func (s *pcSeries) firstTime() float64 {
	if len(s.points) == 0 {
		return 0
	}
	return s.points[0].ts
}

// splitKey splits a series key "<id>-<attribute>". Keys of rates Chrome
// computed itself ("<id>-[bytesReceived_in_bits/s]") report ok false.
// Attribute names never contain "-", ids may, so the split is at the last
// "-".
func splitKey(k string) (id, attr string, ok bool) {
	if strings.Contains(k, "-[") {
		return "", "", false
	}
	i := strings.LastIndexByte(k, '-')
	if i <= 0 || i == len(k)-1 {
		return "", "", false
	}
	return k[:i], k[i+1:], true
}

// decodeValues reads a series' values: a JSON string holding an array (the
// usual, double-encoded form) or a plain array. An array of numbers only,
// most series, is read unboxed (series.nums).
func decodeValues(p *anyParser, raw json.RawMessage) (series, bool) {
	if inner, plain := plainString(raw); plain {
		if nums, ok := p.numbers(inner); ok {
			return series{nums: nums}, true
		}
		var vals []any
		if p.unmarshal(inner, &vals) != nil {
			return series{}, false
		}
		return series{vals: vals}, true
	}
	vals, ok := decodeAnyValues(p, raw)
	return series{vals: vals}, ok
}

// decodeAnyValues is decodeValues on a value that is not a plain string.
func decodeAnyValues(p *anyParser, raw json.RawMessage) ([]any, bool) {
	v, ok := p.parse(raw)
	if !ok {
		var vals []any
		if json.Unmarshal(raw, &vals) == nil { // what the parser gave up on
			return vals, true
		}
		var s string
		if json.Unmarshal(raw, &s) != nil || json.Unmarshal([]byte(s), &vals) != nil {
			return nil, false
		}
		return vals, true
	}
	switch t := v.(type) {
	case []any:
		return t, true
	case nil:
		return nil, true
	case string:
		var vals []any
		if p.unmarshal([]byte(t), &vals) != nil {
			return nil, false
		}
		return vals, true
	}
	return nil, false
}

// plainString returns the contents of a JSON string that needs no
// decoding (printable ASCII, no escapes): the usual values string, read
// in place instead of copied first.
func plainString(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return nil, false
		}
	}
	return inner, true
}

// parseTime reads startTime/endTime: an RFC 3339 string or milliseconds.
func parseTime(raw json.RawMessage) (float64, bool) {
	var v any
	if inner, plain := plainString(raw); plain { // the common forms, without encoding/json's reflection
		v = string(inner)
	} else if f, err := strconv.ParseFloat(string(raw), 64); err == nil && len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') && !bytes.ContainsAny(raw, "xX_") {
		v = f
	} else if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	if s, ok := v.(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return float64(t.UnixMicro()) / 1000, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && usableTS(f) {
			return f, true
		}
		return 0, false
	}
	f, ok := asNumber(v)
	return f, ok && usableTS(f)
}

// readSeries groups a peer connection's series by stats id, aligns every
// attribute with its id's times and returns the points in time order.
func readSeries(b *builder, pc *internalsPC) *pcSeries {
	ids := map[string]*idSeries{}
	bad := 0
	var p anyParser
	for _, k := range pc.keys {
		id, attr, ok := splitKey(k)
		if !ok {
			continue
		}
		s := pc.series[k]
		vals, ok := decodeValues(&p, s.Values)
		if !ok {
			bad++
			continue
		}
		is := ids[id]
		if is == nil {
			is = &idSeries{attrs: map[string]series{}, spans: map[string][2]float64{}}
			ids[id] = is
		}
		if s.StatsType != "" {
			is.statsType = s.StatsType
		}
		is.attrs[attr] = vals
		start, ok1 := parseTime(s.StartTime)
		end, ok2 := parseTime(s.EndTime)
		if ok1 && ok2 && end >= start {
			is.spans[attr] = [2]float64{start, end}
		}
	}
	if bad > 0 {
		b.problem(1, "peer connection %q: %d stats series with unreadable values skipped", pc.id, bad)
	}
	out := &pcSeries{id: pc.id}
	untimed, untyped := 0, 0
	direct := !remoteWithoutKind(ids)
	for _, id := range sortedKeys(ids) {
		pts, ok := ids[id].points(id, direct)
		switch {
		case !ok:
			untimed++
		case pts[0].typ == "":
			untyped++
		default:
			out.points = append(out.points, pts...)
		}
	}
	if untimed > 0 {
		b.problem(1, "peer connection %q: %d stats ids without usable times skipped", pc.id, untimed)
	}
	if untyped > 0 {
		b.problem(1, "peer connection %q: %d stats ids of unknown type (no statsType, unknown id prefix) skipped", pc.id, untyped)
	}
	if byTime := func(x, y point) int { return cmp.Compare(x.ts, y.ts) }; !slices.IsSortedFunc(out.points, byTime) {
		slices.SortStableFunc(out.points, byTime)
	}
	return out
}

// times returns the sample times of an id: its own "timestamp" series
// (Chrome 117 and later), else its longest series spread evenly between
// that series' startTime and endTime (older Chrome).
func (is *idSeries) times() ([]float64, bool) {
	if raw, ok := is.attrs["timestamp"]; ok {
		ts := make([]float64, 0, raw.len())
		for i := range raw.len() {
			f, ok := raw.number(i)
			if !ok || !usableTS(f) {
				return nil, false
			}
			ts = append(ts, f)
		}
		return ts, len(ts) > 0
	}
	ref, n := "", 0
	for _, attr := range sortedKeys(is.attrs) {
		if _, ok := is.spans[attr]; ok && is.attrs[attr].len() > n {
			ref, n = attr, is.attrs[attr].len()
		}
	}
	if n == 0 {
		return nil, false
	}
	span := is.spans[ref]
	ts := make([]float64, n)
	for i := range ts {
		if n == 1 {
			ts[i] = span[1]
			continue
		}
		ts[i] = span[0] + (span[1]-span[0])*float64(i)/float64(n-1)
	}
	return ts, true
}

// points aligns every attribute with the id's times from the end (an
// attribute can start later than its id: offset = len(times) - len(values))
// and returns one object per time; converted to stats at once when direct
// allows and the object needs nothing from another (see directType).
func (is *idSeries) points(id string, direct bool) ([]point, bool) {
	ts, ok := is.times()
	if !ok {
		return nil, false
	}
	last := is.lastValues()
	typ := is.statsType
	if typ == "" {
		typ, _ = last["type"].(string)
	}
	if typ == "" {
		typ = typeFromID(id, last)
	}
	if direct {
		if w3c := is.directType(typ, last); w3c != "" {
			return is.directPoints(id, typ, w3c, ts), true
		}
	}
	objs := make([]rawStat, len(ts))
	for i := range objs {
		objs[i] = rawStat{"timestamp": ts[i]}
	}
	for attr, vals := range is.attrs {
		if attr == "timestamp" {
			continue
		}
		off := len(ts) - vals.len()
		for i := range vals.len() {
			if j := off + i; j >= 0 {
				if v := vals.at(i); v != nil {
					objs[j][attr] = v
				}
			}
		}
	}
	out := make([]point, 0, len(ts))
	for i, o := range objs {
		o["type"] = typ
		if i+1 < len(ts) && ts[i+1] == ts[i] {
			continue // the same report polled twice: keep the later copy
		}
		out = append(out, point{ts: ts[i], id: id, typ: typ, obj: o})
	}
	return out, true
}

// lastValues is the object at the id's last time (for its type).
func (is *idSeries) lastValues() rawStat {
	last := rawStat{}
	for attr, vals := range is.attrs {
		if n := vals.len(); attr != "timestamp" && n > 0 {
			if v := vals.at(n - 1); v != nil {
				last[attr] = v
			}
		}
	}
	return last
}

// directType is the W3C type of an id whose stats can be made from its
// own series alone, or "": legacy objects, tracks and the other dropped
// types, rtp streams naming a track (whose fields fold in) and old
// isRemote flags go through the objects.
func (is *idSeries) directType(typ string, last rawStat) string {
	last["type"] = typ
	if typ == legacyLocalCand || typ == legacyRemoteCand || isLegacyType(last) || !is.attrs["trackId"].null() || !is.attrs["isRemote"].null() {
		return ""
	}
	w3c := normalizeType(last)
	if w3c == "" || dropTypes[w3c] {
		return ""
	}
	return w3c
}

// directPoints gives the id's points as direct ones, to be filled as
// statsFromSample would from one object per time.
func (is *idSeries) directPoints(id, typ, w3c string, ts []float64) []point {
	d := &directSeries{id: clean(id), typ: clean(w3c), ts: ts}
	for _, attr := range sortedKeys(is.attrs) {
		if f, ok := statFields[attr]; ok {
			d.cols = append(d.cols, column{field: f, vals: is.attrs[attr], off: len(ts) - is.attrs[attr].len()})
		}
	}
	out := make([]point, 0, len(ts))
	for i := range ts {
		if i+1 < len(ts) && ts[i+1] == ts[i] {
			continue // the same report polled twice: keep the later copy
		}
		out = append(out, point{ts: ts[i], id: id, typ: typ, direct: d, at: i})
	}
	return out
}

// remoteWithoutKind reports whether a remote report of the peer connection
// lacks its kind at some time: it takes its local stream's, so the
// connection's objects are kept as objects.
func remoteWithoutKind(ids map[string]*idSeries) bool {
	for _, is := range ids {
		t := is.statsType
		if t != feed.StatRemoteInboundRTP && t != "remote-outbound-rtp" && t != "" {
			continue
		}
		kinds, ok := is.attrs["kind"]
		if !ok {
			kinds = is.attrs["mediaType"]
		}
		ts, _ := is.times()
		if kinds.len() < len(ts) {
			return true
		}
		for i := range kinds.len() {
			if s, _ := kinds.at(i).(string); s == "" {
				return true
			}
		}
	}
	return false
}

// longIDTypes maps the prefixes of Chrome's long stats ids (before ~M110)
// and of legacy ids to a stats type.
var longIDTypes = []struct{ prefix, typ string }{
	{"RTCInboundRTP", feed.StatInboundRTP},
	{"RTCOutboundRTP", feed.StatOutboundRTP},
	{"RTCRemoteInboundRtp", feed.StatRemoteInboundRTP},
	{"RTCRemoteOutboundRTP", "remote-outbound-rtp"},
	{"RTCIceCandidatePair", feed.StatCandidatePair},
	{"RTCIceCandidate", feed.StatLocalCandidate},
	{"RTCTransport", feed.StatTransport},
	{"RTCCodec", feed.StatCodec},
	{"RTCMediaStreamTrack", "track"},
	{"RTCAudioSource", feed.StatMediaSource},
	{"RTCVideoSource", feed.StatMediaSource},
	{"RTCPeerConnection", "peer-connection"},
	{"RTCCertificate", "certificate"},
	{"RTCDataChannel", "data-channel"},
	{"RTCMediaStream", "stream"},
	{"ssrc_", legacySSRC},
	{"Conn-", legacyPair},
	{"Channel-", legacyComponent},
	{"bweforvideo", legacyBWE},
}

// typeFromID infers the type of a stats object from its id when the dump
// does not say (old dumps have no statsType).
func typeFromID(id string, last rawStat) string {
	for _, p := range longIDTypes {
		if strings.HasPrefix(strings.ToLower(id), strings.ToLower(p.prefix)) {
			if p.typ == feed.StatLocalCandidate {
				if remote, _ := asBool(last["isRemote"]); remote {
					return feed.StatRemoteCandidate
				}
			}
			return p.typ
		}
	}
	return ""
}

// emit merges the points into stats messages, one per getStats poll. A
// poll is every point within sampleWindow ms of its first, with no id
// twice. Remote reports (remote-inbound-rtp, remote-outbound-rtp) carry the
// time their RTCP packet arrived, before the poll that read them, so they
// join the first poll at or after their time instead of opening one.
func (s *pcSeries) emit(b *builder) {
	var local, remote []point
	for _, p := range s.points {
		if t := p.typ; t == feed.StatRemoteInboundRTP || t == "remote-outbound-rtp" {
			remote = append(remote, p)
		} else {
			local = append(local, p)
		}
	}
	if len(local) == 0 {
		local, remote = remote, nil
	}
	var groups [][]point
	var ends []float64
	inGroup := map[string]bool{}
	for _, p := range local {
		n := len(groups)
		if n == 0 || p.ts-groups[n-1][0].ts >= sampleWindow || inGroup[p.id] {
			groups = append(groups, nil)
			ends = append(ends, 0)
			clear(inGroup)
			n++
		}
		groups[n-1] = append(groups[n-1], p)
		ends[n-1] = p.ts
		inGroup[p.id] = true
	}
	for _, p := range remote {
		i := min(sort.SearchFloat64s(ends, p.ts), len(ends)-1)
		groups[i] = append(groups[i], p)
	}
	state := map[string]rawStat{}
	for i, g := range groups {
		b.stats(s.id, ends[i], groupStats(state, g, ends[i]))
	}
}

// groupStats is one poll's stats: the objects through statsFromSample
// (state holds every object's latest fields), the direct points filled in
// place; the later point of an id read twice wins; sorted by id.
func groupStats(state map[string]rawStat, g []point, end float64) []feed.Stat {
	ids := make([]string, 0, len(g))
	var direct []point
	for _, p := range g {
		if p.direct == nil {
			if !slices.Contains(ids, p.id) {
				ids = append(ids, p.id)
			}
			state[p.id] = p.obj
			continue
		}
		if k := slices.IndexFunc(direct, func(q point) bool { return q.id == p.id }); k >= 0 {
			direct[k] = p
		} else {
			direct = append(direct, p)
		}
	}
	sort.Strings(ids)
	if len(direct) == 0 {
		return statsFromSample(state, ids, end)
	}
	out := make([]feed.Stat, len(direct), len(direct)+len(ids))
	for k, p := range direct {
		p.direct.fill(&out[k], p.at)
	}
	out = statsInto(out, state, ids, end)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
