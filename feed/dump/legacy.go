package dump

import (
	"strings"

	"github.com/calltop/calltop/feed"
)

// Legacy (callback getStats, goog*) object types. Their values are strings.
const (
	legacySSRC       = "ssrc"
	legacyPair       = "googCandidatePair"
	legacyComponent  = "googComponent"
	legacyBWE        = "VideoBwe"
	legacyLocalCand  = "localcandidate"
	legacyRemoteCand = "remotecandidate"
)

// isLegacyType reports whether obj is a legacy goog* stats object. The
// names localcandidate/remotecandidate were also used by old Firefox, which
// is told apart by its numeric values.
func isLegacyType(obj rawStat) bool {
	switch t, _ := obj["type"].(string); t {
	case legacySSRC, legacyPair, legacyComponent, legacyBWE,
		"googTrack", "googLibjingleSession", "googCertificate":
		return true
	case legacyLocalCand, legacyRemoteCand:
		_, ok := obj["portNumber"]
		return ok
	}
	return false
}

// legacyStats maps one legacy object onto W3C stats, as far as its fields
// allow (see docs/dumps.md). state is the peer connection's whole current
// state, used to fold bweforvideo into the active candidate pair.
func legacyStats(id string, ts float64, obj rawStat, state map[string]rawStat) []feed.Stat {
	switch obj["type"] {
	case legacySSRC:
		if strings.HasSuffix(id, "_recv") {
			return []feed.Stat{legacyInbound(id, ts, obj)}
		}
		if strings.HasSuffix(id, "_send") {
			return legacyOutbound(id, ts, obj)
		}
	case legacyPair:
		return []feed.Stat{legacyCandidatePair(id, ts, obj, state)}
	case legacyComponent:
		w := rawStat{"selectedCandidatePairId": obj["selectedCandidatePairId"]}
		if c, _ := obj["dtlsCipher"].(string); c != "" {
			w["dtlsState"] = "connected" // a negotiated cipher means DTLS is up
		}
		return []feed.Stat{toStat(id, feed.StatTransport, ts, w)}
	case legacyLocalCand, legacyRemoteCand:
		return []feed.Stat{legacyCandidate(id, ts, obj)}
	}
	return nil // bweforvideo (folded into the pair), tracks, certificates
}

// rename is a legacy field name and the W3C name it is copied onto.
type rename struct{ from, to string }

// copyFields copies legacy fields onto W3C names. The lists are slices,
// made once: a map literal here was made anew for every object of every
// sample, and walking a map costs more than a slice.
func copyFields(dst, src rawStat, names []rename) {
	for _, n := range names {
		if v, ok := src[n.from]; ok {
			dst[n.to] = v
		}
	}
}

// scaled sets dst[to] to src[name]/divisor when it is a number, for unit
// changes (milliseconds to seconds, 0..32767 levels to 0..1). Negative
// values mean "unknown" in legacy stats and are dropped.
func scaled(dst rawStat, to string, src rawStat, name string, divisor float64) {
	if x, ok := asNumber(src[name]); ok && x >= 0 {
		dst[to] = x / divisor
	}
}

func legacyInbound(id string, ts float64, obj rawStat) feed.Stat {
	w := make(rawStat, 16)
	copyFields(w, obj, inboundFields)
	scaled(w, "jitter", obj, "googJitterReceived", 1000)
	scaled(w, "audioLevel", obj, "audioOutputLevel", 32767)
	return toStat(id, feed.StatInboundRTP, ts, w)
}

// legacyOutbound maps ssrc_<n>_send onto an outbound-rtp, the far end's
// report of it (remote-inbound-rtp: packetsLost, googRtt, jitter) and, for
// audio, the microphone level (media-source).
func legacyOutbound(id string, ts float64, obj rawStat) []feed.Stat {
	remoteID := id + "_remote"
	w := rawStat{"remoteId": remoteID}
	copyFields(w, obj, outboundFields)
	if _, ok := w["qualityLimitationReason"]; !ok && obj["mediaType"] == "video" {
		w["qualityLimitationReason"] = legacyLimitation(obj)
	}
	out := []feed.Stat{toStat(id, feed.StatOutboundRTP, ts, w)}

	r := rawStat{"localId": id}
	copyFields(r, obj, remoteInboundFields)
	scaled(r, "roundTripTime", obj, "googRtt", 1000)
	scaled(r, "jitter", obj, "googJitterReceived", 1000)
	out = append(out, toStat(remoteID, feed.StatRemoteInboundRTP, ts, r))

	if obj["mediaType"] == "audio" {
		m := rawStat{"kind": "audio"}
		copyFields(m, obj, sourceFields)
		scaled(m, "audioLevel", obj, "audioInputLevel", 32767)
		out = append(out, toStat(id+"_source", feed.StatMediaSource, ts, m))
	}
	return out
}

// legacyLimitation derives qualityLimitationReason from the legacy
// googCpuLimitedResolution / googBandwidthLimitedResolution flags.
func legacyLimitation(obj rawStat) string {
	if b, _ := asBool(obj["googCpuLimitedResolution"]); b {
		return "cpu"
	}
	if b, _ := asBool(obj["googBandwidthLimitedResolution"]); b {
		return "bandwidth"
	}
	return "none"
}

func legacyCandidatePair(id string, ts float64, obj rawStat, state map[string]rawStat) feed.Stat {
	w := make(rawStat, 16)
	copyFields(w, obj, pairFields)
	active, _ := asBool(obj["googActiveConnection"])
	w["nominated"], w["selected"] = active, active
	if writable, _ := asBool(obj["googWritable"]); writable {
		w["state"] = "succeeded"
	} else {
		w["state"] = "in-progress"
	}
	scaled(w, "currentRoundTripTime", obj, "googRtt", 1000)
	if bwe := state["bweforvideo"]; active && bwe != nil {
		copyFields(w, bwe, bweFields)
	}
	return toStat(id, feed.StatCandidatePair, ts, w)
}

// legacyCandidateTypes maps legacy candidate type names onto W3C ones.
var legacyCandidateTypes = map[string]string{
	"host": "host", "local": "host",
	"serverreflexive": "srflx", "stun": "srflx", "srflx": "srflx",
	"peerreflexive": "prflx", "prflx": "prflx",
	"relayed": "relay", "relay": "relay",
}

// legacyNetworkTypes maps legacy adapter names onto W3C networkType.
var legacyNetworkTypes = map[string]string{
	"lan": "ethernet", "wlan": "wifi", "wwan": "cellular", "vpn": "vpn", "unknown": "unknown",
}

func legacyCandidate(id string, ts float64, obj rawStat) feed.Stat {
	typ := feed.StatLocalCandidate
	if obj["type"] == legacyRemoteCand {
		typ = feed.StatRemoteCandidate
	}
	w := make(rawStat, 16)
	copyFields(w, obj, candidateFields)
	w["ip"] = w["address"]
	ct, _ := obj["candidateType"].(string)
	if t, ok := legacyCandidateTypes[ct]; ok {
		w["candidateType"] = t
	}
	if nt, ok := legacyNetworkTypes[asStringOr(obj["networkType"])]; ok {
		w["networkType"] = nt
	}
	// Chrome encodes the TURN transport in a relay candidate's type
	// preference (priority >> 24): 2 udp, 1 tcp, 0 tls.
	if typ == feed.StatLocalCandidate && w["candidateType"] == "relay" {
		if p, ok := asNumber(obj["priority"]); ok && p >= 0 {
			switch int64(p) >> 24 {
			case 2:
				w["relayProtocol"] = "udp"
			case 1:
				w["relayProtocol"] = "tcp"
			case 0:
				w["relayProtocol"] = "tls"
			}
		}
	}
	return toStat(id, typ, ts, w)
}

// The legacy fields each W3C object takes (docs/dumps.md).
var (
	inboundFields = []rename{
		{"ssrc", "ssrc"}, {"mediaType", "kind"}, {"transportId", "transportId"},
		{"packetsReceived", "packetsReceived"}, {"packetsLost", "packetsLost"}, {"bytesReceived", "bytesReceived"},
		{"framesDecoded", "framesDecoded"}, {"googFrameWidthReceived", "frameWidth"}, {"googFrameHeightReceived", "frameHeight"},
		{"googFrameRateDecoded", "framesPerSecond"}, {"googNacksSent", "nackCount"}, {"googPlisSent", "pliCount"},
		{"googFirsSent", "firCount"}, {"googTrackId", "trackIdentifier"}, {"totalAudioEnergy", "totalAudioEnergy"},
		{"totalSamplesDuration", "totalSamplesDuration"},
	}
	outboundFields = []rename{
		{"ssrc", "ssrc"}, {"mediaType", "kind"}, {"transportId", "transportId"},
		{"packetsSent", "packetsSent"}, {"bytesSent", "bytesSent"}, {"framesEncoded", "framesEncoded"},
		{"googFrameWidthSent", "frameWidth"}, {"googFrameHeightSent", "frameHeight"}, {"googFrameRateSent", "framesPerSecond"},
		{"googNacksReceived", "nackCount"}, {"googPlisReceived", "pliCount"}, {"googFirsReceived", "firCount"},
		{"qualityLimitationReason", "qualityLimitationReason"},
	}
	remoteInboundFields = []rename{
		{"ssrc", "ssrc"}, {"mediaType", "kind"}, {"transportId", "transportId"},
		{"packetsLost", "packetsLost"},
	}
	sourceFields = []rename{
		{"googTrackId", "trackIdentifier"}, {"totalAudioEnergy", "totalAudioEnergy"}, {"totalSamplesDuration", "totalSamplesDuration"},
	}
	pairFields = []rename{
		{"googChannelId", "transportId"}, {"localCandidateId", "localCandidateId"}, {"remoteCandidateId", "remoteCandidateId"},
		{"bytesSent", "bytesSent"}, {"bytesReceived", "bytesReceived"}, {"responsesReceived", "responsesReceived"},
	}
	bweFields = []rename{
		{"googAvailableSendBandwidth", "availableOutgoingBitrate"}, {"googAvailableReceiveBandwidth", "availableIncomingBitrate"},
	}
	candidateFields = []rename{{"ipAddress", "address"}, {"portNumber", "port"}, {"transport", "protocol"}}
)

func asStringOr(v any) string {
	s, _ := asString(v)
	return s
}
