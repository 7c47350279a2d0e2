package diagnose

import "math"

// E-model constants (ITU-T G.107, simplified as in the diagnosis anchors §b).
const (
	// eModelBase is the simplified basic signal-to-noise rating R0 - Is - A
	// used by VLP and most open-source estimators (G.107 default values).
	eModelBase = 93.2
	// opusCodecDelayMs is Opus's algorithmic delay at WebRTC's default 20 ms
	// frames: 20 ms frame + 6.5 ms look-ahead (RFC 6716 §1, "26.5 ms").
	opusCodecDelayMs = 26.5
	// opusIe is the equipment impairment of Opus. G.113 has no Opus value
	// on the narrowband scale; at WebRTC bitrates Opus is at least as
	// clean as G.711, whose Ie is 0, and the narrowband scale cannot credit
	// wideband audio, so 0 is the honest choice.
	opusIe = 0.0
	// opusBpl is the packet-loss robustness factor. G.113 App. I gives 25.1
	// for G.711 with PLC and 19 for G.729A+VAD; Opus with its PLC and
	// in-band FEC sits between them. 20 matches rtcscore's Opus-with-FEC
	// value and errs on the pessimistic side of G.711+PLC.
	opusBpl = 20.0
	// burstR is 1: cumulative counters cannot show burstiness, so loss is
	// taken as random (G.107 eq. 7-29 with BurstR = 1).
	burstR = 1.0
)

// OneWayDelayMs estimates mouth-to-ear delay for the E-model: half the
// round trip, plus the receiver's jitter-buffer delay (or, when unknown,
// twice the jitter, the usual stand-in), plus Opus's algorithmic delay.
func OneWayDelayMs(rttMs, jitterBufferMs, jitterMs float64) float64 {
	jb := jitterBufferMs
	if math.IsNaN(jb) || jb < 0 {
		jb = 2 * jitterMs
	}
	if math.IsNaN(jb) || jb < 0 {
		jb = 0
	}
	if math.IsNaN(rttMs) || rttMs < 0 {
		rttMs = 0
	}
	return rttMs/2 + jb + opusCodecDelayMs
}

// DelayImpairment is the E-model's Id for one-way delay d in ms (the
// Cole–Rosenbluth simplification): Id = 0.024·d + 0.11·(d−177.3)·H(d−177.3).
//
// rtcscore and ObserveRTC write the second term as 0.1·d − 150 instead of
// 0.1·(d − 150): above 150 ms their Id turns negative and a longer delay
// raises the MOS. Here the step term is always a non-negative slope that
// starts at 177.3 ms, so more delay never improves the score.
func DelayImpairment(d float64) float64 {
	id := 0.024 * d
	if d > 177.3 {
		id += 0.11 * (d - 177.3)
	}
	return id
}

// LossImpairment is Ie,eff (G.107 eq. 7-29) for Opus at lossPct percent
// random packet loss: Ie + (95 − Ie)·Ppl / (Ppl/BurstR + Bpl).
func LossImpairment(lossPct float64) float64 {
	p := clamp(lossPct, 0, 100)
	return opusIe + (95-opusIe)*p/(p/burstR+opusBpl)
}

// RFactor is the simplified E-model rating R = 93.2 − Id − Ie,eff.
func RFactor(oneWayDelayMs, lossPct float64) float64 {
	return eModelBase - DelayImpairment(oneWayDelayMs) - LossImpairment(lossPct)
}

// MOSFromR converts an R rating to a mean opinion score (G.107 Annex B):
// 1 below R 0, 4.5 above R 100, else 1 + 0.035R + 7·10⁻⁶·R(R−60)(100−R).
// The polynomial dips below 1 for R under about 6.5 (the reason Twilio
// floors R at 6.52); the result is floored at 1 so the score never rises
// as R falls.
func MOSFromR(r float64) float64 {
	switch {
	case math.IsNaN(r) || r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	return math.Max(1, 1+0.035*r+7e-6*r*(r-60)*(100-r))
}

// EstimateMOS is the MOS of an Opus audio stream given the round trip,
// the jitter-buffer delay (NaN if unknown), the jitter and the loss of
// one interval.
func EstimateMOS(rttMs, jitterBufferMs, jitterMs, lossPct float64) float64 {
	if math.IsNaN(lossPct) {
		return math.NaN()
	}
	return MOSFromR(RFactor(OneWayDelayMs(rttMs, jitterBufferMs, jitterMs), lossPct))
}
