package natsstate

import (
	"testing"

	"github.com/calltop/calltop/diagnose/alert"
)

// FuzzDecode feeds decode what a bucket value may hold (gzip'd JSON,
// plain JSON, anything another client put there): it must return a state
// or an error, never panic, and a state it returns encodes and decodes
// to the same. Seeds in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	good, _ := encode(alert.Persisted{Version: alert.StateVersion, SilenceSeq: 2,
		Acks: []alert.AckAction{{Key: "rtt-high@hub-b/call-1/p4/pc-1/0", Who: "dana", Note: "on it", At: t0}}})
	f.Add(good)
	f.Add([]byte(`{"version":1,"active":[],"silences":[],"history":[]}`))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decode(data)
		if err != nil {
			return
		}
		again, err := encode(p)
		if err != nil {
			t.Fatalf("a decoded state does not encode: %v", err)
		}
		if _, err := decode(again); err != nil {
			t.Fatalf("an encoded state does not decode: %v", err)
		}
	})
}
