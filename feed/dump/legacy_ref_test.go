package dump

import (
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/calltop/calltop/feed"
)

// The legacy goog* mapping as it was written before it filled feed.Stat
// directly: each W3C object built as a map of W3C names, then toStat.
// FuzzLegacyStats holds legacyStats to it.

// legacyStatsRef maps one legacy object onto W3C stats, as far as its fields
// allow (see docs/dumps.md). state is the peer connection's whole current
// state, used to fold bweforvideo into the active candidate pair.
func legacyStatsRef(id string, ts float64, obj rawStat, state map[string]rawStat) []feed.Stat {
	switch obj["type"] {
	case legacySSRC:
		if strings.HasSuffix(id, "_recv") {
			return []feed.Stat{legacyInboundRef(id, ts, obj)}
		}
		if strings.HasSuffix(id, "_send") {
			return legacyOutboundRef(id, ts, obj)
		}
	case legacyPair:
		return []feed.Stat{legacyCandidatePairRef(id, ts, obj, state)}
	case legacyComponent:
		w := rawStat{"selectedCandidatePairId": obj["selectedCandidatePairId"]}
		if c, _ := obj["dtlsCipher"].(string); c != "" {
			w["dtlsState"] = "connected" // a negotiated cipher means DTLS is up
		}
		return []feed.Stat{toStat(id, feed.StatTransport, ts, w)}
	case legacyLocalCand, legacyRemoteCand:
		return []feed.Stat{legacyCandidateRef(id, ts, obj)}
	}
	return nil // bweforvideo (folded into the pair), tracks, certificates
}

// copyFields copies legacy fields onto W3C names. The lists are slices,
// made once: a map literal here was made anew for every object of every
// sample, and walking a map costs more than a slice.
func copyFieldsRef(dst, src rawStat, names []rename) {
	for _, n := range names {
		if v, ok := src[n.from]; ok {
			dst[n.to] = v
		}
	}
}

// scaled sets dst[to] to src[name]/divisor when it is a number, for unit
// changes (milliseconds to seconds, 0..32767 levels to 0..1). Negative
// values mean "unknown" in legacy stats and are dropped.
func scaledRef(dst rawStat, to string, src rawStat, name string, divisor float64) {
	if x, ok := asNumber(src[name]); ok && x >= 0 {
		dst[to] = x / divisor
	}
}

func legacyInboundRef(id string, ts float64, obj rawStat) feed.Stat {
	w := make(rawStat, 16)
	copyFieldsRef(w, obj, inboundFields)
	scaledRef(w, "jitter", obj, "googJitterReceived", 1000)
	scaledRef(w, "audioLevel", obj, "audioOutputLevel", 32767)
	return toStat(id, feed.StatInboundRTP, ts, w)
}

// legacyOutbound maps ssrc_<n>_send onto an outbound-rtp, the far end's
// report of it (remote-inbound-rtp: packetsLost, googRtt, jitter) and, for
// audio, the microphone level (media-source).
func legacyOutboundRef(id string, ts float64, obj rawStat) []feed.Stat {
	remoteID := id + "_remote"
	w := rawStat{"remoteId": remoteID}
	copyFieldsRef(w, obj, outboundFields)
	if _, ok := w["qualityLimitationReason"]; !ok && obj["mediaType"] == "video" {
		w["qualityLimitationReason"] = legacyLimitation(obj)
	}
	out := []feed.Stat{toStat(id, feed.StatOutboundRTP, ts, w)}

	r := rawStat{"localId": id}
	copyFieldsRef(r, obj, remoteInboundFields)
	scaledRef(r, "roundTripTime", obj, "googRtt", 1000)
	scaledRef(r, "jitter", obj, "googJitterReceived", 1000)
	out = append(out, toStat(remoteID, feed.StatRemoteInboundRTP, ts, r))

	if obj["mediaType"] == "audio" {
		m := rawStat{"kind": "audio"}
		copyFieldsRef(m, obj, sourceFields)
		scaledRef(m, "audioLevel", obj, "audioInputLevel", 32767)
		out = append(out, toStat(id+"_source", feed.StatMediaSource, ts, m))
	}
	return out
}

func legacyCandidatePairRef(id string, ts float64, obj rawStat, state map[string]rawStat) feed.Stat {
	w := make(rawStat, 16)
	copyFieldsRef(w, obj, pairFields)
	active, _ := asBool(obj["googActiveConnection"])
	w["nominated"], w["selected"] = active, active
	if writable, _ := asBool(obj["googWritable"]); writable {
		w["state"] = "succeeded"
	} else {
		w["state"] = "in-progress"
	}
	scaledRef(w, "currentRoundTripTime", obj, "googRtt", 1000)
	if bwe := state["bweforvideo"]; active && bwe != nil {
		copyFieldsRef(w, bwe, bweFields)
	}
	return toStat(id, feed.StatCandidatePair, ts, w)
}

func legacyCandidateRef(id string, ts float64, obj rawStat) feed.Stat {
	typ := feed.StatLocalCandidate
	if obj["type"] == legacyRemoteCand {
		typ = feed.StatRemoteCandidate
	}
	w := make(rawStat, 16)
	copyFieldsRef(w, obj, candidateFields)
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

// legacyRefCorpus: a legacy object and a bweforvideo object (JSON), each
// tried as every legacy type and direction.
var legacyRefCorpus = [][2]string{
	{`{"ssrc":"123","mediaType":"audio","packetsReceived":"10","packetsLost":"-1","googJitterReceived":"12","audioOutputLevel":"32767","googTrackId":"t","transportId":"Channel-audio-1","googRtt":"40","audioInputLevel":"100","packetsSent":"5","bytesSent":"1e3"}`,
		`{"googAvailableSendBandwidth":"300000","googAvailableReceiveBandwidth":"x"}`},
	{`{"mediaType":"video","googCpuLimitedResolution":"true","qualityLimitationReason":null,"googFrameWidthSent":640,"googRtt":-1,"googActiveConnection":"true","googWritable":true,"googChannelId":"Channel-1","selectedCandidatePairId":"Conn-1","dtlsCipher":"TLS"}`, `{}`},
	{`{"mediaType":"video","googBandwidthLimitedResolution":"true","ipAddress":"10.0.0.1","portNumber":"5000","transport":"udp","candidateType":"relayed","networkType":"wlan","priority":"41885439"}`, `{"googAvailableSendBandwidth":1}`},
	{`{"ipAddress":7,"candidateType":"host","networkType":7,"priority":-1,"googJitterReceived":"1e400","ssrc":1.5}`, `null`},
}

func FuzzLegacyStats(f *testing.F) {
	for _, c := range legacyRefCorpus {
		f.Add("ssrc_1_send", []byte(c[0]), []byte(c[1]))
	}
	f.Fuzz(func(t *testing.T, id string, objJSON, bweJSON []byte) { checkLegacyRef(t, id, objJSON, bweJSON) })
}

func TestLegacyStatsMatchesRef(t *testing.T) {
	for _, c := range legacyRefCorpus {
		for _, id := range []string{"ssrc_1_send", "ssrc_2_recv", "Conn-1", "x"} {
			checkLegacyRef(t, id, []byte(c[0]), []byte(c[1]))
		}
	}
}

func checkLegacyRef(t *testing.T, id string, objJSON, bweJSON []byte) {
	t.Helper()
	var obj, bwe map[string]any
	if json.Unmarshal(objJSON, &obj) != nil || obj == nil {
		return
	}
	_ = json.Unmarshal(bweJSON, &bwe)
	state := map[string]rawStat{"bweforvideo": bwe}
	for _, typ := range []string{legacySSRC, legacyPair, legacyComponent, legacyLocalCand, legacyRemoteCand, legacyBWE} {
		for _, suffix := range []string{"", "_recv", "_send"} {
			o := maps.Clone(obj)
			o["type"] = typ
			got := legacyStats(id+suffix, 1700000000000, o, state)
			want := legacyStatsRef(id+suffix, 1700000000000, o, state)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %s %s: got\n%+v\nbefore\n%+v", typ, id+suffix, objJSON, got, want)
			}
		}
	}
}

// toStat is fillStat into a new Stat (what the map-based mapping used).
func toStat(id, typ string, ts float64, obj rawStat) feed.Stat {
	var st feed.Stat
	fillStat(&st, id, typ, ts, obj)
	return st
}
