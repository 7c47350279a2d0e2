package dump

import (
	"encoding/json"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/calltop/calltop/feed"
)

// updateKinds maps updateLog entry types (lower-cased, without "on") to
// connection event kinds. Chrome 86 wrote them camel-cased
// ("iceConnectionStateChange"), current Chrome lower-case with or without
// "on".
var updateKinds = map[string]string{
	"iceconnectionstatechange": feed.EventICEConnectionState,
	"connectionstatechange":    feed.EventConnectionState,
	"signalingstatechange":     feed.EventSignalingState,
	"icegatheringstatechange":  feed.EventICEGatheringState,
}

// legacyICESuffix marks Chrome's legacy ICE state entries, logged beside the
// standard ones for a while; they are used only when no standard entry is.
const legacyICESuffix = " (legacy)"

// oldLayouts are the local-time formats of Chrome 86's updateLog "time".
var oldLayouts = []string{
	"1/2/2006, 3:04:05 PM",
	"1/2/2006, 15:04:05",
	"2.1.2006, 15:04:05",
	"02/01/2006, 15:04:05",
	"2006-01-02 15:04:05",
	"2006/1/2 15:04:05",
}

// updateTime returns an entry's time in ms since the epoch and whether it
// is local wall-clock time of unknown zone (Chrome 86's "time" strings).
func updateTime(u internalsUpdate) (ts float64, local, ok bool) {
	if t, ok := parseTime(u.Timestamp); ok {
		return t, false, true
	}
	if t, ok := parseTime(u.Time); ok {
		return t, false, true
	}
	var s string
	if json.Unmarshal(u.Time, &s) != nil {
		return 0, false, false
	}
	for _, layout := range oldLayouts {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return float64(t.UnixMilli()), true, true
		}
	}
	return 0, false, false
}

// localTimeOffset estimates the browser's UTC offset (ms, a multiple of 15
// minutes) for dumps whose updateLog times are local wall-clock strings, by
// comparing the first such entry with the first stats sample (which carry
// UTC times). It is 0 when there is nothing to compare.
func localTimeOffset(pcs []*internalsPC, firstStats float64) float64 {
	if firstStats <= 0 {
		return 0
	}
	first := 0.0
	for _, pc := range pcs {
		for _, u := range pc.updateLog {
			if ts, local, ok := updateTime(u); ok && local && (first == 0 || ts < first) {
				first = ts
			}
		}
	}
	if first == 0 {
		return 0
	}
	const quarter = 15 * 60 * 1000
	off := math.Round((first-firstStats)/quarter) * quarter
	if math.Abs(off) > 14*3600*1000 {
		return 0
	}
	return off
}

// importUpdateLog turns a peer connection's updateLog state changes and
// failed negotiation steps into connection events; other entries (API
// calls, candidates) are ignored.
func importUpdateLog(b *builder, pc *internalsPC, offset float64) {
	standardICE := false
	for _, u := range pc.updateLog {
		if updateKind(u.Type) == feed.EventICEConnectionState && !strings.HasSuffix(u.Type, legacyICESuffix) {
			standardICE = true
		}
	}
	untimed := 0
	for _, u := range pc.updateLog {
		if op := negotiationFailure(u.Type); op != "" {
			if ts, local, ok := updateTime(u); ok {
				if local {
					ts -= offset
				}
				var v any
				if json.Unmarshal(u.Value, &v) != nil {
					v = string(u.Value)
				}
				b.negotiation(pc.id, ts, op, failureText(v))
			} else {
				untimed++
			}
			continue
		}
		kind, state := updateKind(u.Type), updateValue(u.Value)
		if strings.EqualFold(strings.TrimPrefix(u.Type, "on"), "close") {
			kind, state = feed.EventConnectionState, "closed"
		}
		if kind == "" || state == "" {
			continue
		}
		if strings.HasSuffix(u.Type, legacyICESuffix) && standardICE {
			continue
		}
		ts, local, ok := updateTime(u)
		if !ok {
			untimed++
			continue
		}
		if local {
			ts -= offset
		}
		b.connEvent(pc.id, ts, kind, state)
	}
	if untimed > 0 {
		b.problem(1, "peer connection %q: %d state changes or failures in updateLog without a readable time skipped", pc.id, untimed)
	}
}

// updateKind normalises an updateLog type to an event kind ("" if it is
// not a state change).
func updateKind(typ string) string {
	t := strings.ToLower(strings.TrimSuffix(typ, legacyICESuffix))
	t = strings.TrimPrefix(t, "on")
	return updateKinds[t]
}

// statePrefixes are the enum prefixes of Chrome 86's state values
// ("SignalingStateHaveLocalOffer", "kIceConnectionStateConnected").
var statePrefixes = []string{
	"SignalingState", "IceConnectionState", "ICEConnectionState",
	"PeerConnectionState", "IceGatheringState", "ICEGatheringState",
}

// updateValue returns the state an entry names, in W3C spelling: the value
// is JSON-quoted in current Chrome ("\"connected\"") and an enum name in
// Chrome 86 ("SignalingStateHaveLocalOffer" -> "have-local-offer").
func updateValue(raw json.RawMessage) string {
	if inner, plain := plainString(raw); plain {
		return stateName(string(inner))
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return stateName(s)
}

// stateName is updateValue for a value already decoded once.
func stateName(s string) string {
	if t := strings.TrimLeft(s, " \t\r\n"); strings.HasPrefix(t, `"`) { // a value JSON-quoted twice
		var inner string
		if json.Unmarshal([]byte(s), &inner) == nil {
			s = inner
		}
	}
	s = strings.TrimSpace(s)
	if len(s) > 1 && s[0] == 'k' && unicode.IsUpper(rune(s[1])) {
		s = s[1:]
	}
	for _, p := range statePrefixes {
		s = strings.TrimPrefix(s, p)
	}
	return kebab(s)
}

// kebab turns "HaveLocalOffer" into "have-local-offer"; lower-case input is
// returned as is.
func kebab(s string) string {
	var sb strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				sb.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		sb.WriteRune(r)
	}
	return clean(sb.String())
}
