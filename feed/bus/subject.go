package bus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
)

// Subjects (all under Prefix; docs/scaling.md):
//
//	calltop.v1.calls.<hub>.<call>   one calltop.v1 frame of a call, as sent to subscribers, but stats
//	calltop.v1.stats.<hub>.<call>   one stats frame of a call (taken on demand: stats.go)
//	calltop.v1.hb.<hub>             a heartbeat, empty, every Config.Heartbeat
//	calltop.v1.bye.<hub>            a hub stopping: its calls end at once
//	calltop.v1.sync.<asker>         a hub asking for the ongoing calls (payload: the hub asked, or empty for all)
//	calltop.v1.state.<asker>.<hub>  the answer: snapshot frames of <hub>'s own calls
//	calltop.v1.rows.<hub>           a team hub's open findings of its own calls (rows.go)
//	calltop.v1.view.<hub>           a team hub's call index rows of its own calls (view.go)
const Prefix = "calltop.v1."

// safeID reports whether id may be a hub id, or a call id used as it is in
// a subject: one NATS subject token that needs no escaping, 1 to 64 of
// [A-Za-z0-9_-]. (Not a regexp: compiling `{1,64}` at start-up cost every
// calltop command about a millisecond.)
func safeID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !idByte(id[i]) {
			return false
		}
	}
	return true
}

// idByte reports whether c may be in a safe id.
func idByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// CheckHubID says why id cannot name a hub on the bus, or nil.
func CheckHubID(id string) error {
	if !safeID(id) {
		return fmt.Errorf("hub id %q: use 1 to 64 letters, digits, '-' or '_' (it is a NATS subject token and the prefix of call ids)", id)
	}
	return nil
}

// DefaultHubID is the host name (made subject-safe) and the listen port,
// stable across restarts of the same hub.
func DefaultHubID(listen string) string {
	host, _ := os.Hostname()
	port := listen[strings.LastIndexByte(listen, ':')+1:]
	id := strings.Map(func(r rune) rune {
		if r < 128 && idByte(byte(r)) {
			return r
		}
		return '-'
	}, host+"-"+port)
	if len(id) > 64 {
		id = id[len(id)-64:]
	}
	if CheckHubID(id) != nil {
		return "hub-" + port
	}
	return id
}

// CallToken is a call id as one subject token: the id itself when it is
// subject-safe ([A-Za-z0-9_-], at most 64), otherwise "~" and the first 32
// hex digits of its SHA-256 (no safe id starts with "~").
func CallToken(callID string) string {
	if safeID(callID) {
		return callID
	}
	sum := sha256.Sum256([]byte(callID))
	return "~" + hex.EncodeToString(sum[:16])
}

// CallID is the id subscribers see for a call a hub's source named local:
// "<hubID>/<local>". Hub ids hold no "/", so the first one splits them.
func CallID(hubID, local string) string { return hubID + "/" + local }

func callsSubject(hubID, callID string) string {
	return Prefix + "calls." + hubID + "." + CallToken(callID)
}

// hubOf returns the hub id in a subject "calltop.v1.<kind>.<hub>[.<rest>]"
// and the kind.
func hubOf(subject string) (kind, hubID string) {
	rest := strings.TrimPrefix(subject, Prefix)
	kind, rest, _ = strings.Cut(rest, ".")
	hubID, _, _ = strings.Cut(rest, ".")
	return kind, hubID
}
