package diagnose

import (
	"math"
	"testing"
)

func TestEstimateMOSHandComputed(t *testing.T) {
	cases := []struct {
		name                       string
		rtt, jb, jitter, loss, mos float64
	}{
		// d = 100/2 + 40 + 26.5 = 116.5 ms (below 177.3: no step term)
		// Id = 0.024 × 116.5 = 2.796; Ie,eff = 0 (no loss)
		// R = 93.2 − 2.796 = 90.404
		// MOS = 1 + 0.035×90.404 + 7e-6×90.404×30.404×9.596
		//     = 1 + 3.16414 + 0.18463 = 4.34877
		{"clean", 100, 40, 5, 0, 4.34877},
		// jitter buffer unknown: 2 × 20 ms jitter = 40 ms
		// d = 400/2 + 40 + 26.5 = 266.5 ms
		// Id = 0.024×266.5 + 0.11×(266.5 − 177.3) = 6.396 + 9.812 = 16.208
		// Ie,eff = 0 + 95 × 2 / (2/1 + 20) = 8.63636
		// R = 93.2 − 16.208 − 8.63636 = 68.35564
		// MOS = 1 + 2.39245 + 7e-6×68.35564×8.35564×31.64436 = 3.51896
		{"long and lossy", 400, math.NaN(), 20, 2, 3.51896},
		// d = 0 + 0 + 26.5 = 26.5; Id = 0.636
		// Ie,eff = 95 × 100 / (100 + 20) = 79.1667
		// R = 93.2 − 0.636 − 79.1667 = 13.3973
		// MOS = 1 + 0.46891 + 7e-6×13.3973×(−46.6027)×86.6027
		//     = 1 + 0.46891 − 0.37849 = 1.09041
		{"all lost", 0, 0, 0, 100, 1.09041},
	}
	for _, tc := range cases {
		got := EstimateMOS(tc.rtt, tc.jb, tc.jitter, tc.loss)
		if math.Abs(got-tc.mos) > 0.0005 {
			t.Errorf("%s: MOS %.5f, want %.5f", tc.name, got, tc.mos)
		}
	}
}

func TestMOSFromRBounds(t *testing.T) {
	if got := MOSFromR(-5); got != 1 {
		t.Errorf("R<0: %v, want 1", got)
	}
	if got := MOSFromR(120); got != 4.5 {
		t.Errorf("R>100: %v, want 4.5", got)
	}
	// A clean G.711 call (R 93.2) scores about 4.41 (anchors §b).
	if got := MOSFromR(93.2); math.Abs(got-4.41) > 0.005 {
		t.Errorf("R 93.2: %v, want ≈4.41", got)
	}
}

// More delay never raises the score: the rtcscore/ObserveRTC bug
// (0.1·d − 150 instead of 0.1·(d − 150)) makes Id negative past 150 ms.
func TestDelayNeverImprovesMOS(t *testing.T) {
	prevID, prevMOS := -1.0, 5.0
	for d := 0.0; d <= 1500; d += 0.5 {
		id := DelayImpairment(d)
		if id < prevID || id < 0 {
			t.Fatalf("Id(%v) = %v after %v: delay impairment must grow with delay", d, id, prevID)
		}
		mos := MOSFromR(RFactor(d, 1))
		if mos > prevMOS+1e-12 {
			t.Fatalf("MOS rose from %v to %v at d = %v ms", prevMOS, mos, d)
		}
		prevID, prevMOS = id, mos
	}
}
