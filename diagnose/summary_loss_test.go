package diagnose

import "testing"

// worstLossAfter feeds one second of 50 audio packets per sample, losing
// lost[i] packets in second i, and returns the calls table's loss figure.
func worstLossAfter(t *testing.T, lost []float64) float64 {
	t.Helper()
	var samples []in
	recv, lossTotal := 0.0, 0.0
	for i, l := range lost {
		recv += 50 - l
		lossTotal += l
		samples = append(samples, in{sec: float64(i), recv: recv, lost: lossTotal, bytes: recv * 100})
	}
	m, _ := applyInbound(t, samples)
	snap := m.Snapshot("")
	if len(snap.Calls) != 1 {
		t.Fatalf("want one call, got %d", len(snap.Calls))
	}
	return snap.Calls[0].WorstLoss
}

func TestWorstLossIgnoresOneStrayPacket(t *testing.T) {
	// One lost packet in one second is 2 % of that second; the calls table
	// should not call a clean call lossy for it.
	lost := make([]float64, 12)
	lost[11] = 1 // in the newest sample
	if got := worstLossAfter(t, lost); got >= 1 {
		t.Fatalf("worst loss %.2f %% after a single lost packet, want under 1 %%", got)
	}
}

func TestWorstLossFollowsSustainedLoss(t *testing.T) {
	lost := make([]float64, 20)
	for i := 5; i < 20; i++ {
		lost[i] = 4 // 8 % of 50 packets
	}
	if got := worstLossAfter(t, lost); got < 7 || got > 8.5 {
		t.Fatalf("worst loss %.2f %% after 15 s at 8 %%, want about 8 %%", got)
	}
}
