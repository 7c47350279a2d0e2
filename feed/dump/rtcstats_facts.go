package dump

import (
	"sort"
	"strings"

	"github.com/calltop/calltop/feed"
)

// What rtcstats lines say about the call and the browser, and which
// methods are known but carry nothing calltop uses.

// ignoredMethods are rtcstats lines calltop knows and has no use for.
var ignoredMethods = map[string]bool{
	"create": true, "constraints": true, "addStream": true, "removeStream": true,
	"addTrack": true, "removeTrack": true, "addTransceiver": true, "setConfiguration": true,
	"restartIce": true, "keepalive": true, "addIceCandidate": true,
	"dtlsError": true, "applicationLog": true, "e2eRtt": true, "dominantSpeaker": true,
	"faceLandmarks": true, "sdpTrack": true, "rtcstatsClientVersion": true,
	"transceiverAdded": true, "transceiverModified": true,
}

// ignoredPrefixes are families of method names (peer connection API calls
// and their callbacks, getUserMedia and friends) that carry no stats.
var ignoredPrefixes = []string{
	"create", "setLocalDescription", "setRemoteDescription", "addIceCandidate",
	"on", "navigator.", "getUserMedia", "getDisplayMedia", "MediaStream",
	"webkitGetUserMedia", "mozGetUserMedia",
}

func knownIgnored(method string) bool {
	if ignoredMethods[method] {
		return true
	}
	for _, p := range ignoredPrefixes {
		if strings.HasPrefix(method, p) {
			return true
		}
	}
	return false
}

// finish reports unknown methods and untyped objects once each, and turns
// identity and connectionInfo into the call and participant facts.
func (r *rtcstatsReader) finish() {
	for m, u := range r.unknown {
		r.b.problem(u.firstLine, "unknown method %q ignored (%d lines)", m, u.count)
	}
	for what, u := range r.refused {
		r.b.problem(u.firstLine, "%d lines had %s refused (see docs/dumps.md, Limits)", u.count, what)
	}
	r.b.reportRefusals(1)
	for pc, u := range r.noType {
		r.b.problem(u.firstLine, "peer connection %q: %d stats objects without a type ignored (the dump may start after the call did)", pc, u.count)
	}
	sort.SliceStable(r.b.problems, func(i, j int) bool { return r.b.problems[i].Line < r.b.problems[j].Line })
	r.b.call, r.b.part = r.facts()
}

// facts is what the lines so far say about the call and the participant;
// ids are empty when nothing named them.
func (r *rtcstatsReader) facts() (feed.Call, feed.Participant) {
	id, ua := r.identity, r.info
	c := feed.Call{Tags: map[string]string{}}
	var p feed.Participant
	c.ID = firstString(id, "meetingUniqueId", "confID", "confName", "conferenceId", "roomName")
	c.Room = firstString(id, "confName", "roomName", "conferenceName")
	if c.Room == "" {
		c.Room = lastSegment(firstString(id, "confID", "conferenceUrl"))
	}
	if c.Room == "" {
		c.Room = lastSegment(firstString(ua, "path", "url"))
	}
	c.Tags["source"] = "rtcstats"
	setTag(c.Tags, "statsFormat", firstString(ua, "statsFormat"))
	setTag(c.Tags, "clientProtocol", firstString(ua, "clientProtocol"))
	setTag(c.Tags, "app", firstString(id, "applicationName", "app"))
	// The deployment the client was served by (Jitsi's deploymentInfo),
	// for telling a bad release or region from a bad network.
	deploy, _ := id["deploymentInfo"].(map[string]any)
	setTag(c.Tags, "appVersion", firstString(id, "appVersion", "applicationVersion"))
	if c.Tags["appVersion"] == "" {
		setTag(c.Tags, "appVersion", firstString(deploy, "releaseNumber"))
	}
	setTag(c.Tags, "environment", firstString(deploy, "environment"))
	setTag(c.Tags, "shard", firstString(deploy, "shard"))
	setTag(c.Tags, "region", firstString(deploy, "region"))
	if r.legacy {
		c.Tags["statsFormat"] = "legacy"
	}
	p.ID = firstString(id, "endpointId", "userId", "displayName", "deviceId", "statsSessionId")
	p.Name = firstString(id, "displayName", "userName")
	p.UserID = firstString(id, "userId")
	p.Region = firstString(deploy, "userRegion")
	p.UserAgent = firstString(ua, "userAgent")
	if p.UserAgent == "" {
		p.UserAgent = firstString(id, "userAgent")
	}
	if p.UserAgent == "" && p.Name == "" {
		p.Name = brandName(r.client["userAgentData"])
	}
	if r.chrome {
		c.Tags["source"] = "chrome-rtcstats"
	}
	return c, p
}

// brandName names a browser from navigator.userAgentData ("Chromium 156"),
// skipping the GREASE brands ("Not:A-Brand").
func brandName(uad any) string {
	m, _ := uad.(map[string]any)
	brands, _ := m["brands"].([]any)
	name := ""
	for _, b := range brands {
		bm, _ := b.(map[string]any)
		brand, _ := bm["brand"].(string)
		version, _ := asString(bm["version"])
		if brand == "" || strings.Contains(brand, "Not") {
			continue
		}
		name = brand + " " + version
		if brand != "Chromium" { // prefer "Google Chrome" or "Microsoft Edge"
			break
		}
	}
	return name
}

// firstString returns the first of keys holding a non-empty string (or a
// number, formatted) in m.
func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := asString(m[k]); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func setTag(tags map[string]string, k, v string) {
	if v != "" {
		tags[k] = v
	}
}

// lastSegment returns the last non-empty path segment of a URL or path:
// "192.168.1.234:8080/room" -> "room".
func lastSegment(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
