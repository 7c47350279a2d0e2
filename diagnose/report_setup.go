package diagnose

import (
	"fmt"
	"strings"
)

// The report's set-up and per-track figures (what rtcstats-server's
// feature extractor gives that the summaries above do not).

// ReportSetup is how a connection came up and held.
type ReportSetup struct {
	// SetupMs is from its first state change to its first connection
	// (ICE or peer connection connected); null if it never connected or
	// reported no state.
	SetupMs *float64 `json:"setupMs"`
	// ICEGatheringMs is from ICE gathering starting to complete; null if
	// the data has no gathering states.
	ICEGatheringMs *float64 `json:"iceGatheringMs"`
	// Reconnects counts returns to connected after disconnected.
	Reconnects int `json:"reconnects"`
	// ICERestarts counts ICE checking again after having connected
	// without a disconnection first.
	ICERestarts int `json:"iceRestarts"`
	// DTLSFailed: the transport reported DTLS failed.
	DTLSFailed bool `json:"dtlsFailed"`
	// NegotiationFailures counts failed createOffer, createAnswer,
	// setLocalDescription, setRemoteDescription and addIceCandidate calls;
	// NegotiationErrors are the first maxNegotiationErrors of them.
	NegotiationFailures int                      `json:"negotiationFailures"`
	NegotiationErrors   []ReportNegotiationError `json:"negotiationErrors"`
}

// ReportNegotiationError is one failed negotiation step.
type ReportNegotiationError struct {
	At        ReportTime `json:"at"`
	Operation string     `json:"operation"` // "setRemoteDescription", ...
	Error     string     `json:"error"`     // the browser's message, cleaned, at most about 300 bytes
}

// maxNegotiationErrors bounds the failures a connection keeps whole: a
// renegotiation loop can fail thousands of times.
const maxNegotiationErrors = 10

// ReportTrack is what one stream's media looked like.
type ReportTrack struct {
	// LossPct is packetsLost over packets plus packetsLost, in %; null
	// with no packets.
	LossPct *float64 `json:"lossPct"`
	// ConcealmentPct (inbound audio) is the share of samples the
	// receiver concealed (not counting silence), in %; null otherwise.
	ConcealmentPct *float64 `json:"concealmentPct"`
	// MinResolution and MaxResolution (video) are the smallest and
	// largest frame, "WIDTHxHEIGHT"; "" when no frame size was reported.
	MinResolution string `json:"minResolution"`
	MaxResolution string `json:"maxResolution"`
}

func reportSetup(cn *connection) ReportSetup {
	su := cn.setup
	rs := ReportSetup{Reconnects: su.reconnects, ICERestarts: su.iceRestarts, DTLSFailed: su.dtlsFail,
		NegotiationFailures: su.negotiation, NegotiationErrors: append([]ReportNegotiationError{}, su.negErrors...)}
	if su.connected != 0 && su.firstEvent != 0 && su.connected >= su.firstEvent {
		v := float64(su.connected - su.firstEvent)
		rs.SetupMs = &v
	}
	if su.gatherDone != 0 && su.gatherDone >= su.gatherStart {
		v := float64(su.gatherDone - su.gatherStart)
		rs.ICEGatheringMs = &v
	}
	return rs
}

func reportTrack(st *stream) ReportTrack {
	var rt ReportTrack
	if st.typ == stInbound && st.kind == "audio" {
		if samples := st.value(cSamples); samples > 0 {
			v := round2(clamp(100*st.value(cConcealed)/samples, 0, 100))
			rt.ConcealmentPct = &v
		}
	}
	if st.maxW > 0 {
		rt.MinResolution = fmt.Sprintf("%dx%d", st.minW, st.minH)
		rt.MaxResolution = fmt.Sprintf("%dx%d", st.maxW, st.maxH)
	}
	return rt
}

// lossPct is lost over sent-or-received plus lost, in %; nil without
// packets.
func lossPct(packets, lost int64) *float64 {
	if packets+lost <= 0 {
		return nil
	}
	v := round2(100 * float64(lost) / float64(packets+lost))
	return &v
}

// setupText is a connection's set-up line ("" when there is nothing).
func setupText(su ReportSetup) string {
	var parts []string
	if su.SetupMs != nil {
		parts = append(parts, fmt.Sprintf("set up in %.0f ms", *su.SetupMs))
	}
	if su.ICEGatheringMs != nil {
		parts = append(parts, fmt.Sprintf("ICE gathering %.0f ms", *su.ICEGatheringMs))
	}
	if su.Reconnects > 0 {
		parts = append(parts, fmt.Sprintf("%d reconnect%s", su.Reconnects, plural(su.Reconnects)))
	}
	if su.ICERestarts > 0 {
		parts = append(parts, fmt.Sprintf("%d ICE restart%s", su.ICERestarts, plural(su.ICERestarts)))
	}
	if su.DTLSFailed {
		parts = append(parts, "DTLS FAILED")
	}
	if n := su.NegotiationFailures; n > 0 {
		first := su.NegotiationErrors[0]
		parts = append(parts, fmt.Sprintf("%d failed negotiation step%s (first: %s: %s)", n, plural(n), first.Operation, first.Error))
	}
	return strings.Join(parts, ", ")
}

// trackText is the end of a stream's line: loss, concealment, frame sizes.
func trackText(t ReportTrack) string {
	var b strings.Builder
	if t.LossPct != nil {
		fmt.Fprintf(&b, " (%.2f %% lost)", *t.LossPct)
	}
	if t.ConcealmentPct != nil {
		fmt.Fprintf(&b, ", %.2f %% concealed", *t.ConcealmentPct)
	}
	if t.MaxResolution != "" {
		if t.MinResolution == t.MaxResolution {
			fmt.Fprintf(&b, ", %s", t.MaxResolution)
		} else {
			fmt.Fprintf(&b, ", %s to %s", t.MinResolution, t.MaxResolution)
		}
	}
	return b.String()
}
