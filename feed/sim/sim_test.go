package sim

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
)

// run marshals n steps of a simulator made from cfg.
func run(t *testing.T, cfg Config, n int) []byte {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for range n {
		for _, m := range s.Step() {
			if err := enc.Encode(&m); err != nil {
				t.Fatal(err)
			}
		}
	}
	return buf.Bytes()
}

func TestSameSeedSameFeed(t *testing.T) {
	cfg := Config{Calls: 8, Seed: 42}
	a, b := run(t, cfg, 150), run(t, cfg, 150)
	if !bytes.Equal(a, b) {
		t.Fatal("two simulators with the same config produced different feeds")
	}
	cfg.Seed = 43
	if bytes.Equal(a, run(t, cfg, 150)) {
		t.Fatal("seeds 42 and 43 produced the same feed")
	}
}

func TestStepEachMatchesStep(t *testing.T) {
	cfg := Config{Calls: 8, Seed: 7}
	want := run(t, cfg, 100)
	s, _ := New(cfg)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for range 100 {
		s.StepEach(func(m *feed.Message) {
			if err := enc.Encode(m); err != nil {
				t.Fatal(err)
			}
		})
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatal("StepEach and Step produced different feeds")
	}
}

func TestScenarioNamesAccepted(t *testing.T) {
	names := ScenarioNames()
	if len(names) != 12 || names[0] != "good" {
		t.Fatalf("ScenarioNames() = %v", names)
	}
	for _, name := range names {
		if _, err := New(Config{Calls: 1, Scenarios: []string{name}}); err != nil {
			t.Errorf("scenario %q refused: %v", name, err)
		}
	}
	if _, err := New(Config{Calls: 1, Scenarios: names}); err != nil {
		t.Errorf("all scenarios together refused: %v", err)
	}
}

func TestConfigRefused(t *testing.T) {
	_, err := New(Config{Calls: 1, Scenarios: []string{"good", "wifi-lost"}})
	if err == nil || !strings.Contains(err.Error(), `"wifi-lost"`) {
		t.Fatalf("unknown scenario: err = %v, want it named", err)
	}
	for _, name := range ScenarioNames() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list %s", err, name)
		}
	}
	for _, cfg := range []Config{{Calls: 0}, {Calls: -3}, {Calls: 1, Interval: time.Millisecond}, {Calls: 1, Interval: -time.Second}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestFeedTime(t *testing.T) {
	start := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	s, _ := New(Config{Calls: 3, Start: start, Interval: 2 * time.Second})
	if !s.Now().Equal(start) {
		t.Fatalf("Now() before the first step = %v, want %v", s.Now(), start)
	}
	for i := range 5 {
		msgs := s.Step()
		want := start.Add(time.Duration(i) * 2 * time.Second)
		if !s.Now().Equal(want) {
			t.Fatalf("step %d: Now() = %v, want %v", i, s.Now(), want)
		}
		for _, m := range msgs {
			if m.TS != float64(want.UnixMilli()) {
				t.Fatalf("step %d: %s has ts %v, want %v", i, m.Type, m.TS, want.UnixMilli())
			}
			for _, st := range m.Stats {
				if st.Timestamp != m.TS {
					t.Fatalf("step %d: stat %s timestamp %v, want %v", i, st.ID, st.Timestamp, m.TS)
				}
			}
		}
	}
	s, _ = New(Config{Calls: 1})
	s.Step()
	if !s.Now().Equal(DefaultStart) {
		t.Fatalf("default start %v, want %v", s.Now(), DefaultStart)
	}
}

// TestCallsComeAndGo runs a default-mix fleet for 40 minutes of feed time
// (10 s interval): calls end, new ones start, the fleet stays at its size,
// and each call has 2 to 6 participants.
func TestCallsComeAndGo(t *testing.T) {
	s, _ := New(Config{Calls: 10, Seed: 3, Interval: 10 * time.Second})
	c := newChecker(t)
	first := s.Step()
	c.feed(first)
	if n := countType(first, feed.TypeCallStart); n != 10 {
		t.Fatalf("first step started %d calls, want 10", n)
	}
	if n := countType(first, feed.TypeStats); n < 20 {
		t.Fatalf("first step has %d stats reports, want the fleet's (at least 20)", n)
	}
	for _, m := range first {
		if m.Type == feed.TypeCallStart && m.Call.Start >= m.TS {
			t.Errorf("initial call %s starts at %v, want before the first step", m.Call.ID, m.Call.Start)
		}
	}
	for range 240 {
		c.feed(s.Step())
		if s.ActiveCalls() != 10 {
			t.Fatalf("%d calls in progress, want 10", s.ActiveCalls())
		}
	}
	ended := 0
	for _, call := range c.order {
		if !call.ended {
			continue
		}
		ended++
		if n := len(call.parts); n < 2 || n > 6 {
			t.Errorf("call %s had %d participants", call.id, n)
		}
	}
	if ended < 15 || len(c.order) < 25 {
		t.Errorf("%d calls seen, %d ended over 40 minutes; want calls to turn over", len(c.order), ended)
	}
}

func TestDefaultMixMostlyGood(t *testing.T) {
	s, _ := New(Config{Calls: 3000, Seed: 9})
	count := map[string]int{}
	for _, m := range s.Step() {
		if m.Type == feed.TypeCallStart {
			count[m.Call.Tags["scenario"]]++
		}
	}
	if good := float64(count["good"]) / 3000; good < 0.65 || good > 0.75 {
		t.Errorf("good calls are %.0f%% of the default mix, want about 70%%", 100*good)
	}
	for _, name := range ScenarioNames()[1:] {
		if count[name] < 40 {
			t.Errorf("scenario %s has %d of 3000 calls", name, count[name])
		}
	}
}

func countType(msgs []feed.Message, typ string) (n int) {
	for _, m := range msgs {
		if m.Type == typ {
			n++
		}
	}
	return n
}

// TestBytesPerSample measures the JSON size of a participant's stats
// report in the default mix (the protocol budget is 1.5 KB).
func TestBytesPerSample(t *testing.T) {
	avg := bytesPerSample(t, false)
	// The protocol's aim is 1.5 KB; with every field the rules read, the
	// default mix lands near 1.7 KB (docs/simulator.md). Guard against growth.
	if avg > 1750 {
		t.Errorf("average stats report is %.0f bytes, want at most 1750", avg)
	}
	if avg := bytesPerSample(t, true); avg > 1500 {
		t.Errorf("average stats report without object timestamps is %.0f bytes, want at most 1500", avg)
	}
}

func bytesPerSample(t *testing.T, elide bool) float64 {
	s, _ := New(Config{Calls: 60, Seed: 5, ElideStatTimestamps: elide})
	size, n := 0, 0
	for range 60 {
		for _, m := range s.Step() {
			if m.Type == feed.TypeStats {
				data, _ := json.Marshal(&m)
				size += len(data)
				n++
			}
		}
	}
	avg := float64(size) / float64(n)
	t.Logf("default mix, elided object timestamps %v: %d stats reports, %.0f JSON bytes per participant-sample", elide, n, avg)
	return avg
}
