package dump

import (
	"math"
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
// state, used to fold bweforvideo into the active candidate pair. Each
// Stat is filled straight from the legacy fields (feed.Stat.Field): as
// fillStat would from a map of the W3C names, without the map.
func legacyStats(id string, ts float64, obj rawStat, state map[string]rawStat) []feed.Stat {
	return legacyInto(nil, id, ts, obj, state)
}

// legacyInto is legacyStats appending to out.
func legacyInto(out []feed.Stat, id string, ts float64, obj rawStat, state map[string]rawStat) []feed.Stat {
	switch obj["type"] {
	case legacySSRC:
		if strings.HasSuffix(id, "_recv") {
			return append(out, legacyInbound(id, ts, obj))
		}
		if strings.HasSuffix(id, "_send") {
			return legacyOutbound(out, id, ts, obj)
		}
	case legacyPair:
		return append(out, legacyCandidatePair(id, ts, obj, state))
	case legacyComponent:
		var st feed.Stat
		setValue(&st.SelectedCandidatePairID, obj["selectedCandidatePairId"])
		if c, _ := obj["dtlsCipher"].(string); c != "" {
			st.DTLSState = "connected" // a negotiated cipher means DTLS is up
		}
		return append(out, named(st, id, feed.StatTransport, ts))
	case legacyLocalCand, legacyRemoteCand:
		return append(out, legacyCandidate(id, ts, obj))
	}
	return out // bweforvideo (folded into the pair), tracks, certificates
}

// rename is a legacy field name and the W3C name it is copied onto.
type rename struct{ from, to string }

// copyFields copies legacy fields onto W3C names. The lists are slices,
// made once: a map literal here was made anew for every object of every
// sample, and walking a map costs more than a slice. No W3C name is
// written twice for one Stat, so each is set as a map of them would set it.
func copyFields(dst *feed.Stat, src rawStat, names []rename) {
	for _, n := range names {
		if v, ok := src[n.from]; ok {
			setValue(dst.Field(n.to), v)
		}
	}
}

// scaled sets the field to to src[name]/divisor when it is a number, for
// unit changes (milliseconds to seconds, 0..32767 levels to 0..1).
// Negative values mean "unknown" in legacy stats and are dropped.
func scaled(dst *feed.Stat, to *float64, src rawStat, name string, divisor float64) {
	if x, ok := asNumber(src[name]); ok && x >= 0 {
		if y := x / divisor; !math.IsInf(y, 0) { // asNumber's check, had it gone through a map
			*to = y
		}
	}
}

// named sets what fillStat sets last.
func named(st feed.Stat, id, typ string, ts float64) feed.Stat {
	setNamed(&st, id, typ, ts)
	return st
}

func setNamed(st *feed.Stat, id, typ string, ts float64) {
	st.ID, st.Type, st.Timestamp = clean(id), clean(typ), ts
}

func legacyInbound(id string, ts float64, obj rawStat) feed.Stat {
	var st feed.Stat
	copyFields(&st, obj, inboundFields)
	scaled(&st, &st.Jitter, obj, "googJitterReceived", 1000)
	scaled(&st, &st.AudioLevel, obj, "audioOutputLevel", 32767)
	return named(st, id, feed.StatInboundRTP, ts)
}

// legacyOutbound maps ssrc_<n>_send onto an outbound-rtp, the far end's
// report of it (remote-inbound-rtp: packetsLost, googRtt, jitter) and, for
// audio, the microphone level (media-source).
func legacyOutbound(out []feed.Stat, id string, ts float64, obj rawStat) []feed.Stat {
	remoteID := id + "_remote"
	out = append(out, feed.Stat{})
	w := &out[len(out)-1]
	w.RemoteID = clean(remoteID)
	copyFields(w, obj, outboundFields)
	if _, ok := obj["qualityLimitationReason"]; !ok && obj["mediaType"] == "video" {
		w.QualityLimitationReason = legacyLimitation(obj)
	}
	setNamed(w, id, feed.StatOutboundRTP, ts)

	out = append(out, feed.Stat{})
	r := &out[len(out)-1]
	r.LocalID = clean(id)
	copyFields(r, obj, remoteInboundFields)
	scaled(r, &r.RoundTripTime, obj, "googRtt", 1000)
	scaled(r, &r.Jitter, obj, "googJitterReceived", 1000)
	setNamed(r, remoteID, feed.StatRemoteInboundRTP, ts)

	if obj["mediaType"] == "audio" {
		out = append(out, feed.Stat{})
		m := &out[len(out)-1]
		m.Kind = "audio"
		copyFields(m, obj, sourceFields)
		scaled(m, &m.AudioLevel, obj, "audioInputLevel", 32767)
		setNamed(m, id+"_source", feed.StatMediaSource, ts)
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

// isActivePair reports whether a legacy candidate pair is the one in use
// (the only one that takes in bweforvideo's figures).
func isActivePair(obj rawStat) bool {
	active, _ := asBool(obj["googActiveConnection"])
	return active
}

func legacyCandidatePair(id string, ts float64, obj rawStat, state map[string]rawStat) feed.Stat {
	var w feed.Stat
	copyFields(&w, obj, pairFields)
	active := isActivePair(obj)
	w.Nominated, w.Selected = active, active
	if writable, _ := asBool(obj["googWritable"]); writable {
		w.State = "succeeded"
	} else {
		w.State = "in-progress"
	}
	scaled(&w, &w.CurrentRoundTripTime, obj, "googRtt", 1000)
	if bwe := state["bweforvideo"]; active && bwe != nil {
		copyFields(&w, bwe, bweFields)
	}
	return named(w, id, feed.StatCandidatePair, ts)
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
	var w feed.Stat
	copyFields(&w, obj, candidateFields)
	w.IP = w.Address // the same value, converted the same way
	ct, _ := obj["candidateType"].(string)
	if t, ok := legacyCandidateTypes[ct]; ok {
		w.CandidateType = t
	}
	if nt, ok := legacyNetworkTypes[asStringOr(obj["networkType"])]; ok {
		w.NetworkType = nt
	}
	// Chrome encodes the TURN transport in a relay candidate's type
	// preference (priority >> 24): 2 udp, 1 tcp, 0 tls.
	if typ == feed.StatLocalCandidate && w.CandidateType == "relay" {
		if p, ok := asNumber(obj["priority"]); ok && p >= 0 {
			switch int64(p) >> 24 {
			case 2:
				w.RelayProtocol = "udp"
			case 1:
				w.RelayProtocol = "tcp"
			case 0:
				w.RelayProtocol = "tls"
			}
		}
	}
	return named(w, id, typ, ts)
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
