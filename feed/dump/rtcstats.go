package dump

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/recording"
)

// rtcstats v3 dumps: one JSON array per line, [method, pcId|null, value,
// timestampMs], optionally after a one-line meta object (fippo's
// rtcstats-server). See docs/dumps.md.

// stateEvents maps rtcstats state-change methods onto connection events.
var stateEvents = map[string]string{
	"oniceconnectionstatechange": feed.EventICEConnectionState,
	"onconnectionstatechange":    feed.EventConnectionState,
	"onsignalingstatechange":     feed.EventSignalingState,
	"onicegatheringstatechange":  feed.EventICEGatheringState,
}

// rtcstatsReader holds the state of one dump being read.
type rtcstatsReader struct {
	b        *builder
	pcs      map[string]map[string]rawStat // per peer connection: id -> current object
	identity map[string]any
	info     map[string]any // connectionInfo or the meta line
	client   map[string]any // Chrome's ["create", null, {userAgentData...}]
	legacy   bool
	unknown  tally // per method
	noType   tally // per peer connection: objects without a type
	refused  tally // per cap: objects, fields or connections past it

	// Chrome's own dumps (RTCStatsDump, fileFormat 3): the last element of
	// a line is ms since the previous line, the first line's is absolute.
	chrome  bool
	sawMeta bool
	clock   float64

	json anyParser
	// The getstats fast path's scratch (rtcstats_delta.go); slow turns
	// the fast path off (tests hold the two equal).
	delta getstatsDelta
	parts []any
	ents  []*cachedStat        // the fast path's objects of a sample (scratch)
	typed map[string]statCache // per peer connection (rtcstats_typed.go)
	// orders: per peer connection, its last sample's reports in id order.
	orders map[string]*idOrder
	slow   bool
}

// tally counts lines per key (a method, a peer connection), remembering
// the first line, to report a repeated problem once.
type tally map[string]*tallied

type tallied struct {
	firstLine, count int
}

func (t tally) add(key string, line int) {
	if u := t[key]; u != nil {
		u.count++
	} else {
		t[key] = &tallied{firstLine: line, count: 1}
	}
}

// chromeHeader is the first line of Chrome's own rtcstats dumps.
const chromeHeader = "RTCStatsDump"

// readRTCStats parses an rtcstats v3 dump, or Chrome's own RTCStatsDump,
// line by line. It returns the builder with everything found and the
// format (FormatRTCStats, FormatRTCStatsLegacy or FormatRTCStatsChrome). A
// problem line is reported and skipped.
func readRTCStats(in *input, v Visitor) (*builder, string, error) {
	r := newRTCStatsReader(in.name)
	r.b.reuse, r.b.want = v.Reuse, v.Stats
	return readRTCStatsWith(r, in, v.Message)
}

// readRTCStatsWith is readRTCStats with the reader given (tests turn its
// fast path off).
func readRTCStatsWith(r *rtcstatsReader, in *input, emit func(*feed.Message) error) (*builder, string, error) {
	r.b.facts = r.facts
	r.b.hold.emit, r.b.hold.flushAt = emit, FlushStats
	err := in.lines(func(n int, raw []byte, last bool) error {
		if r.b.hold.err != nil {
			return r.b.hold.err
		}
		if n == 1 {
			if rest, ok := bytes.CutPrefix(raw, []byte(chromeHeader)); ok {
				r.chrome, raw = true, bytes.TrimSpace(rest)
				if len(raw) == 0 {
					return nil
				}
			}
		}
		return r.line(n, raw, last)
	}, func(p *recording.LineError) { r.b.problems = append(r.b.problems, p) })
	if err == nil {
		err = r.b.hold.err
	}
	if err != nil {
		return nil, "", err
	}
	r.finish()
	switch {
	case r.chrome:
		return r.b, FormatRTCStatsChrome, nil
	case r.legacy:
		return r.b, FormatRTCStatsLegacy, nil
	}
	return r.b, FormatRTCStats, nil
}

func newRTCStatsReader(name string) *rtcstatsReader {
	return &rtcstatsReader{
		b:        newBuilder(name),
		pcs:      map[string]map[string]rawStat{},
		identity: map[string]any{},
		info:     map[string]any{},
		client:   map[string]any{},
		unknown:  tally{},
		noType:   tally{},
		refused:  tally{},
	}
}

// line handles one line; only a v4 meta line is a fatal error.
func (r *rtcstatsReader) line(n int, raw []byte, last bool) error {
	if raw[0] == '{' && (n == 1 || r.chrome && !r.sawMeta) {
		r.sawMeta = true
		return r.meta(raw)
	}
	if !r.slow && (r.fastGetstats(n, raw) || r.fastIgnored(raw)) {
		return nil
	}
	var parts []any // decoded in one pass: the value is used as it comes
	if err := r.json.unmarshal(raw, &parts); err != nil {
		if last {
			r.b.problem(n, "line is cut short (the file is truncated): %v", err)
		} else {
			r.b.problem(n, "not a JSON array [method, pcId, value, timestamp]: %v", err)
		}
		return nil
	}
	if len(parts) < 3 {
		r.b.problem(n, "not an rtcstats line: want [method, pcId, value, timestamp]")
		return nil
	}
	if _, numeric := parts[0].(float64); numeric && r.chrome {
		return fmt.Errorf("line %d: rtcstats v4 dump with numeric method ids (the rtcstats client's compressed RTCStatsDump) is not supported; Chrome's own RTCStatsDump, with method names spelled out, is", n)
	}
	method, _ := parts[0].(string)
	if method == "" {
		r.b.problem(n, "not an rtcstats line: want [method, pcId, value, timestamp]")
		return nil
	}
	pc, _ := asString(parts[1]) // null for client-level lines
	r.dispatch(n, method, pc, parts[2], r.lineTime(parts))
	return nil
}

// lineTime is a line's time: its fourth element in v3; in Chrome's dumps
// the last element, absolute on the first line and a delta after.
func (r *rtcstatsReader) lineTime(parts []any) float64 {
	if !r.chrome {
		if len(parts) > 3 {
			ts, _ := asNumber(parts[3])
			return ts
		}
		return 0
	}
	ts, ok := asNumber(parts[len(parts)-1])
	if len(parts) < 4 || !ok {
		return 0
	}
	if r.clock == 0 {
		r.clock = ts
	} else {
		r.clock += ts
	}
	return r.clock
}

// meta reads fippo rtcstats-server's first line {path, origin, url,
// userAgent, time, fileFormat}.
func (r *rtcstatsReader) meta(raw []byte) error {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		r.b.problem(1, "meta line is not JSON: %v", err)
		return nil
	}
	if f, _ := asNumber(m["fileFormat"]); f >= 3 && !r.chrome {
		return fmt.Errorf("rtcstats v4 dump (fileFormat %v, RTCStatsDump) is not supported; export it in v3 format", f)
	}
	for k, v := range m {
		r.info[k] = v
	}
	return nil
}

func (r *rtcstatsReader) dispatch(n int, method, pc string, value any, ts float64) {
	needPC := func() bool {
		if pc == "" {
			r.b.problem(n, "%s line without a peer connection id", method)
			return false
		}
		if !usableTS(ts) {
			r.b.problem(n, "%s line without a usable timestamp", method)
			return false
		}
		return true
	}
	switch {
	case method == "create" && pc == "":
		mergeObject(r.client, value)
	case method == "connectionInfo":
		mergeObject(r.info, value)
	case method == "identity":
		mergeObject(r.identity, value)
	case method == "conferenceStartTimestamp":
		if v, ok := asNumber(value); ok && usableTS(v) {
			r.b.start = v
		} else if usableTS(ts) {
			r.b.start = ts
		}
	case method == "getstats" || method == "getStats":
		if pc == "" {
			r.b.problem(n, "%s line without a peer connection id", method)
			return
		}
		r.getstats(n, pc, value, ts) // the report may carry its own time
	case stateEvents[method] != "":
		str, _ := value.(string)
		state := stateName(str) // plain in v3, JSON-quoted in Chrome's dumps
		if state == "" {
			r.b.problem(n, "%s value is not a state string", method)
			return
		}
		if needPC() {
			r.b.connEvent(pc, ts, stateEvents[method], state)
		}
	case negotiationFailure(method) != "":
		if needPC() {
			r.b.negotiation(pc, ts, negotiationFailure(method), failureText(value))
		}
	case method == "close":
		// close() fires no event; the connection state is "closed" after it.
		if needPC() {
			r.b.connEvent(pc, ts, feed.EventConnectionState, "closed")
		}
	case knownIgnored(method):
	default:
		r.unknown.add(method, n)
	}
}

// mergeObject adds the fields of a JSON object (or a string holding one)
// to dst; later lines override earlier ones.
func mergeObject(dst map[string]any, value any) {
	m, ok := value.(map[string]any)
	if s, isString := value.(string); isString {
		ok = json.Unmarshal([]byte(s), &m) == nil
	}
	if !ok {
		return
	}
	for k, v := range m {
		dst[k] = v
	}
}

// getstats decodes one delta-compressed getstats report into the peer
// connection's state and records the sample. The client removes "id" from
// each report and every field equal to the previous sample's; the newest
// report timestamp is moved to the top level and reports carrying it get 0.
// stateOf is peer connection pc's merged stats objects, made on its first
// sample; nil (the sample refused and counted) past MaxConnections.
func (r *rtcstatsReader) stateOf(n int, pc string) map[string]rawStat {
	state := r.pcs[pc]
	if state == nil {
		if len(r.pcs) >= MaxConnections {
			r.refused.add(fmt.Sprintf("samples of peer connections past the first %d", MaxConnections), n)
			return nil
		}
		state = map[string]rawStat{}
		r.pcs[pc] = state
	}
	return state
}

func (r *rtcstatsReader) getstats(n int, pc string, value any, lineTS float64) {
	reports, ok := value.(map[string]any)
	if list, isList := value.([]any); isList { // uncompressed array form
		reports, ok = map[string]any{}, true
		for _, x := range list {
			rep, _ := x.(map[string]any)
			if id, _ := rep["id"].(string); id != "" {
				reports[id] = rep
			}
		}
	}
	if !ok {
		r.b.problem(n, "getstats value is not an object of reports")
		return
	}
	ts := lineTS
	if t, ok := asNumber(reports["timestamp"]); ok {
		if usableTS(t) {
			ts = t
		}
		delete(reports, "timestamp")
	} else if t := newestReport(reports); usableTS(t) {
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
	ids := make([]string, 0, len(reports))
	for id, v := range reports {
		rep, ok := v.(map[string]any)
		if !ok {
			continue
		}
		delete(rep, "id")
		if e := r.typed[pc][id]; e != nil {
			e.dropped = true // merged here, not kept converted (a remembered pointer to it is stale)
			delete(r.typed[pc], id)
		}
		if t, has := rep["timestamp"]; has {
			if x, _ := asNumber(t); x == 0 {
				rep["timestamp"] = ts
			}
		}
		if !r.merge(state, id, rep, n) {
			continue
		}
		switch t, _ := state[id]["type"].(string); {
		case t == "":
			r.noType.add(pc, n) // its values cannot be read (the dump probably starts after the call did)
			continue
		case t == legacySSRC || t == legacyPair:
			r.legacy = true
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	r.b.stats(pc, ts, statsFromSample(state, ids, ts))
}

// newestReport returns the largest report timestamp in an uncompressed
// getstats value (0 if none).
func newestReport(reports map[string]any) float64 {
	newest := 0.0
	for _, v := range reports {
		if rep, ok := v.(map[string]any); ok {
			if t, ok := asNumber(rep["timestamp"]); ok && t > newest {
				newest = t
			}
		}
	}
	return newest
}

// merge adds one report's fields to the object id of a peer connection's
// state, within the caps on objects and fields; false if it was refused.
func (r *rtcstatsReader) merge(state map[string]rawStat, id string, rep rawStat, n int) bool {
	base := state[id]
	switch {
	case base == nil && len(state) >= MaxStatsIDs:
		r.refused.add(fmt.Sprintf("stats objects past %d in one peer connection", MaxStatsIDs), n)
		return false
	case base == nil && len(rep) > MaxFields:
		r.refused.add(fmt.Sprintf("stats objects with more than %d fields", MaxFields), n)
		return false
	case base == nil:
		state[id] = rep
		return true
	}
	for k, x := range rep {
		if _, has := base[k]; !has && len(base) >= MaxFields {
			r.refused.add(fmt.Sprintf("fields past %d in one stats object", MaxFields), n)
			continue
		}
		base[k] = x
	}
	return true
}
