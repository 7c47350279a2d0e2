package diagnose

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/calltop/calltop/feed/sim"
)

// TestRandomInputs runs the fuzz checks on a fixed set of random inputs,
// so every plain `go test` exercises them.
func TestRandomInputs(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	n := 400
	if testing.Short() {
		n = 50
	}
	for i := 0; i < n; i++ {
		b := make([]byte, r.Intn(800))
		r.Read(b)
		m := NewMonitor(Options{KeepEnded: true, History: 30e9})
		fuzzStats(m, b)
		checkInvariants(t, m)
	}
}

// TestWriteFuzzSeeds regenerates the seed corpus from the simulator when
// CALLTOP_WRITE_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("CALLTOP_WRITE_SEEDS") != "1" {
		t.Skip("set CALLTOP_WRITE_SEEDS=1 to regenerate testdata/fuzz/FuzzMonitor")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzMonitor")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"wifi-loss", "ice-disconnect", "freezes"} {
		s, err := sim.New(sim.Config{Calls: 1, Scenarios: []string{name}, Seed: int64(i)})
		if err != nil {
			t.Fatal(err)
		}
		// Small seeds keep the fuzzer fast (it minimises interesting inputs
		// by re-running them): the first few frames of one participant.
		var lines []byte
		for step := 0; step < 8 && len(lines) < 4000; step++ {
			for _, msg := range s.Step() {
				if msg.ParticipantID != "" && msg.ParticipantID != "p1" {
					continue
				}
				if b, _ := json.Marshal(msg); len(lines)+len(b) < 6000 {
					lines = append(append(lines, b...), '\n')
				}
			}
		}
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(lines)))
		if err := os.WriteFile(filepath.Join(dir, "sim-"+name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
