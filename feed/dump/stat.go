package dump

import (
	"encoding/json"
	"iter"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/calltop/calltop/feed"
)

// rawStat is one stats object as a browser wrote it: field name to value
// (numbers, strings, booleans, nested objects), including "type" and
// "timestamp".
type rawStat = map[string]any

// statField says where a W3C field name lands in feed.Stat.
type statField struct {
	index int
	kind  reflect.Kind
}

// statFields maps each JSON name of feed.Stat (except id, type, timestamp)
// to its field, built once from the struct tags.
var statFields = buildStatFields()

func buildStatFields() map[string]statField {
	t := reflect.TypeFor[feed.Stat]()
	m := make(map[string]statField, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || name == "id" || name == "type" || name == "timestamp" {
			continue
		}
		m[name] = statField{index: i, kind: f.Type.Kind()}
	}
	return m
}

// dropTypes are stats types that carry nothing calltop reads; they are left
// out of the stats messages to keep replays small.
var dropTypes = map[string]bool{
	"certificate":          true,
	"peer-connection":      true,
	"data-channel":         true,
	"stream":               true,
	"csrc":                 true,
	"ice-server":           true,
	"googCertificate":      true,
	"googLibjingleSession": true,
	"googTrack":            true,
	// Folded into the inbound-rtp/outbound-rtp that names it (trackId).
	"track": true,
}

// oldTypeNames maps pre-standard type names (old Firefox, early Chrome) to
// the W3C ones.
var oldTypeNames = map[string]string{
	"inboundrtp":      feed.StatInboundRTP,
	"outboundrtp":     feed.StatOutboundRTP,
	"candidatepair":   feed.StatCandidatePair,
	"localcandidate":  feed.StatLocalCandidate,
	"remotecandidate": feed.StatRemoteCandidate,
}

// normalizeType returns the W3C type of a standard stats object, handling
// old names and Firefox's isRemote flag on rtp objects.
func normalizeType(obj rawStat) string {
	typ, _ := obj["type"].(string)
	if n, ok := oldTypeNames[typ]; ok {
		typ = n
	}
	if b, ok := asBool(obj["isRemote"]); ok && b {
		switch typ {
		case feed.StatInboundRTP:
			typ = feed.StatRemoteInboundRTP
		case feed.StatOutboundRTP:
			typ = "remote-outbound-rtp"
		}
	}
	return typ
}

// fillStat converts one raw object with W3C field names into st (zero on
// entry, filled where it is kept). Fields calltop does not read are
// dropped; values of the wrong JSON type are converted where the meaning
// is clear (numeric strings) and dropped otherwise. Strings are stripped
// of control characters.
func fillStat(st *feed.Stat, id, typ string, ts float64, obj rawStat) {
	for name, val := range obj {
		switch name {
		case "id", "type", "timestamp": // set below
		default:
			setValue(st.Field(name), val)
		}
	}
	st.ID, st.Type, st.Timestamp = clean(id), clean(typ), ts
}

// setValue is setField through a pointer from feed.Stat.Field (a generated
// switch: no hash of the name, no reflection); nil is a field Stat lacks.
func setValue(field, val any) {
	switch f := field.(type) {
	case *float64:
		if x, ok := asNumber(val); ok {
			*f = x
		}
	case *int64:
		if x, ok := asNumber(val); ok && x >= 0 && x < 1<<53 && x == math.Trunc(x) {
			*f = int64(x)
		}
	case *string:
		if s, ok := asString(val); ok {
			*f = clean(s)
		}
	case *bool:
		if b, ok := asBool(val); ok {
			*f = b
		}
	case *map[string]float64:
		if m := asNumberMap(val); m != nil {
			*f = m
		}
	}
}

func setField(fv reflect.Value, kind reflect.Kind, val any) {
	switch kind {
	case reflect.Float64:
		if x, ok := asNumber(val); ok {
			fv.SetFloat(x)
		}
	case reflect.Int64:
		if x, ok := asNumber(val); ok && x >= 0 && x < 1<<53 && x == math.Trunc(x) {
			fv.SetInt(int64(x))
		}
	case reflect.String:
		if s, ok := asString(val); ok {
			fv.SetString(clean(s))
		}
	case reflect.Bool:
		if b, ok := asBool(val); ok {
			fv.SetBool(b)
		}
	case reflect.Map:
		if m := asNumberMap(val); m != nil {
			fv.Set(reflect.ValueOf(m))
		}
	}
}

// asNumber reads a finite number from a JSON number or a numeric string.
func asNumber(v any) (float64, bool) {
	var x float64
	switch t := v.(type) {
	case float64:
		x = t
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return 0, false
		}
		x = f
	case string:
		f, err := parseFloat(strings.TrimSpace(t))
		if err != nil {
			return 0, false
		}
		x = f
	case bool:
		return 0, false
	default:
		return 0, false
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

// asString reads a string, formatting a number the way JSON would.
func asString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return "", false
		}
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case json.Number:
		return t.String(), true
	}
	return "", false
}

// asBool reads a boolean or the strings "true"/"false".
func asBool(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		switch t {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// asNumberMap reads an object of numbers, or a string holding one.
func asNumberMap(v any) map[string]float64 {
	if s, ok := v.(string); ok {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) != nil {
			return nil
		}
		v = m
	}
	obj, ok := v.(map[string]any)
	if !ok || len(obj) == 0 {
		return nil
	}
	out := make(map[string]float64, len(obj))
	for k, x := range obj {
		if f, ok := asNumber(x); ok {
			out[clean(k)] = f
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// clean strips control characters (C0, DEL, C1) so that no dump string can
// move the cursor or recolour a terminal. A clean string is returned as it
// is, without a copy (strings.Map allocates only on a change).
func clean(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return strings.Map(dropControl, s) // a control character, or not ASCII: look closer
		}
	}
	return s
}

func dropControl(r rune) rune {
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return -1
	}
	return r
}

// statsFromSample converts the objects named by ids, read from the current
// state of one peer connection, into W3C stats: legacy goog* objects are
// mapped, track objects are folded into their rtp streams, and objects
// calltop does not read are left out. The result is sorted by id.
func statsFromSample(state map[string]rawStat, ids []string, fallbackTS float64) []feed.Stat {
	out := statsInto(make([]feed.Stat, 0, len(ids)), state, ids, fallbackTS)
	sortStats(out)
	return out
}

// sortStats puts a sample's stats in id order. They mostly come in that
// order already (a sample's ids are read sorted): then nothing is moved,
// which is what the sort would do with no two ids the same.
func sortStats(out []feed.Stat) {
	for i := 1; i < len(out); i++ {
		if out[i-1].ID >= out[i].ID {
			sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
			return
		}
	}
}

// statsInto is statsFromSample appending to out, unsorted.
func statsInto(out []feed.Stat, state map[string]rawStat, ids []string, fallbackTS float64) []feed.Stat {
	for _, id := range ids {
		obj := state[id]
		if obj == nil {
			continue
		}
		ts, ok := asNumber(obj["timestamp"])
		if !ok || ts <= 0 {
			ts = fallbackTS
		}
		if isLegacyType(obj) {
			out = legacyInto(out, id, ts, obj, state)
			continue
		}
		typ := normalizeType(obj)
		if typ == "" || dropTypes[typ] {
			continue
		}
		switch typ {
		case feed.StatInboundRTP, feed.StatOutboundRTP:
			obj = withTrackFields(obj, state)
		case feed.StatRemoteInboundRTP, "remote-outbound-rtp":
			obj = withLocalKind(id, obj, state)
		}
		out = append(out, feed.Stat{})
		fillStat(&out[len(out)-1], id, typ, ts, obj)
	}
	return out
}

// withLocalKind gives a remote report that has no kind (Safari writes "")
// the kind of the local stream it describes (localId), or else the kind its
// id names ("RTCRemoteInboundRtpVideoStream_773906596").
func withLocalKind(id string, obj rawStat, state map[string]rawStat) rawStat {
	kind, ok := localKind(id, obj, state)
	if !ok {
		return obj
	}
	merged := make(rawStat, len(obj)+1)
	for k, x := range obj {
		merged[k] = x
	}
	merged["kind"] = kind
	return merged
}

// localKind is the kind withLocalKind gives obj; false when it keeps its
// own.
func localKind(id string, obj rawStat, state map[string]rawStat) (string, bool) {
	if k, _ := obj["kind"].(string); k != "" {
		return "", false
	}
	if k, _ := obj["mediaType"].(string); k != "" {
		return "", false
	}
	lid, _ := obj["localId"].(string)
	local := state[lid]
	kind, _ := local["kind"].(string)
	if kind == "" {
		kind, _ = local["mediaType"].(string)
	}
	switch {
	case kind != "":
	case strings.Contains(id, "Video"):
		kind = "video"
	case strings.Contains(id, "Audio"):
		kind = "audio"
	default:
		return "", false
	}
	return kind, true
}

// trackFields are the fields older Chrome reported on "track" objects
// rather than on the rtp stream that references them with trackId.
var trackFields = []string{
	"jitterBufferDelay", "jitterBufferEmittedCount", "concealedSamples",
	"silentConcealedSamples", "totalSamplesReceived", "insertedSamplesForDeceleration",
	"removedSamplesForAcceleration", "framesReceived", "framesDecoded", "framesDropped",
	"framesSent", "frameWidth", "frameHeight", "freezeCount", "totalFreezesDuration",
	"pauseCount", "totalPausesDuration", "audioLevel", "totalAudioEnergy",
	"totalSamplesDuration", "trackIdentifier",
}

// lackedTrackFields yields the fields (and values) obj's track object
// holds and obj lacks.
func lackedTrackFields(obj rawStat, state map[string]rawStat) iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		tid, _ := obj["trackId"].(string)
		track := state[tid]
		if track == nil {
			return
		}
		for _, f := range trackFields {
			v, ok := track[f]
			if !ok {
				continue
			}
			if _, has := obj[f]; has {
				continue
			}
			if !yield(f, v) {
				return
			}
		}
	}
}

// withTrackFields returns obj completed with the fields its track object
// holds and it lacks; obj itself is not modified.
func withTrackFields(obj rawStat, state map[string]rawStat) rawStat {
	var merged rawStat
	for f, v := range lackedTrackFields(obj, state) {
		if merged == nil {
			merged = make(rawStat, len(obj)+8)
			for k, x := range obj {
				merged[k] = x
			}
		}
		merged[f] = v
	}
	if merged == nil {
		return obj
	}
	return merged
}
