package diagnose

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
)

func TestSnapshotMessageReplacesCalls(t *testing.T) {
	m := NewMonitor(Options{})
	a, b := newGen("a", "pa"), newGen("b", "pb")
	run(m, a, 5, func(int) cond { return good() })
	run(m, b, 5, func(int) cond { return good() })
	// A reconnect: the hub's snapshot lists only call a (with pa and a new
	// participant), so call b is a ghost and must go.
	snap := feed.Message{Type: feed.TypeSnapshot, TS: float64(a.t + 1000), Calls: []feed.Call{
		{ID: "a", Room: "room-a", Participants: []feed.Participant{{ID: "pa", Name: "Dana"}, {ID: "pz", Name: "Zoe"}}},
	}}
	m.Apply(&snap)
	s := m.Snapshot("a")
	if len(s.Calls) != 1 || s.Calls[0].ID != "a" {
		t.Fatalf("calls after snapshot: %+v, want only a", s.Calls)
	}
	if s.Calls[0].Participants != 2 {
		t.Errorf("participants %d, want 2", s.Calls[0].Participants)
	}
	// Call a kept its history through the snapshot.
	var dana *ParticipantDetail
	for i := range s.Focus.Participants {
		if s.Focus.Participants[i].ID == "pa" {
			dana = &s.Focus.Participants[i]
		}
	}
	if dana == nil || len(dana.BitrateIn.Values) != 5 {
		t.Fatalf("pa lost its history: %+v", dana)
	}
}

func TestSnapshotSharesUnchangedSummaries(t *testing.T) {
	m := NewMonitor(Options{})
	a, b := newGen("a", "pa"), newGen("b", "pb")
	run(m, a, 3, func(int) cond { return good() })
	run(m, b, 3, func(int) cond { return good() })
	s1 := m.Snapshot("")
	msg := a.step(good())
	m.Apply(&msg)
	s2 := m.Snapshot("")
	byID := func(s Snapshot) map[string]*CallSummary {
		out := map[string]*CallSummary{}
		for _, c := range s.Calls {
			out[c.ID] = c
		}
		return out
	}
	m1, m2 := byID(s1), byID(s2)
	if m1["b"] != m2["b"] {
		t.Errorf("unchanged call b got a new summary")
	}
	if m1["a"] == m2["a"] || m2["a"].Version <= m1["a"].Version {
		t.Errorf("changed call a kept its summary (version %d -> %d)", m1["a"].Version, m2["a"].Version)
	}
}

func TestFocusGrowsHistoryAndEndedCallsLinger(t *testing.T) {
	m := NewMonitor(Options{})
	g := newGen("a", "pa")
	run(m, g, 100, func(int) cond { return good() })
	if n := len(m.Snapshot("").Calls); n != 1 {
		t.Fatalf("%d calls", n)
	}
	// Unfocused: the fine ring's last points plus coarse means before them.
	s := m.Snapshot("a")
	pts := len(s.Focus.Participants[0].RTT.Values)
	if pts <= fineShort || pts >= 100 {
		t.Errorf("%d history points for 100 s at first focus, want %d fine + coarse", pts, fineShort)
	}
	for i := 0; i < 200; i++ {
		msg := g.step(good())
		m.Apply(&msg)
	}
	s = m.Snapshot("a")
	if n := len(s.Focus.Participants[0].RTT.Values); n < 200 {
		t.Errorf("focused call kept %d points over 200 s, want every sample", n)
	}
	times := s.Focus.Participants[0].RTT.Times
	for i := 1; i < len(times); i++ {
		if !times[i].After(times[i-1]) {
			t.Fatalf("series times not increasing at %d: %v then %v", i, times[i-1], times[i])
		}
	}
	end := feed.Message{Type: feed.TypeCallEnd, TS: float64(g.t), CallID: "a"}
	m.Apply(&end)
	if c := m.Snapshot("").Calls[0]; !c.Ended {
		t.Errorf("ended call not marked Ended")
	}
	other := newGen("b", "pb")
	other.t = g.t
	run(m, other, 61, func(int) cond { return good() })
	for _, c := range m.Snapshot("").Calls {
		if c.ID == "a" {
			t.Errorf("call a still shown 61 s after it ended")
		}
	}
}

func TestCleanStripsControlCharacters(t *testing.T) {
	cases := map[string]string{
		"Dana":                    "Dana",
		"Da\x1b[31mna":            "Da[31mna",
		"evil\u202ename":          "evilname",
		"tab\tand\nnewline\x7f":   "tabandnewline",
		"Chloé \u00e9":            "Chloé é",
		"bad\xffutf8":             "badutf8",
		"c1\u0085next-line":       "c1next-line",
		strings.Repeat("x", 1000): strings.Repeat("x", maxTextLen),
	}
	for in, want := range cases {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
	// Feed strings reach the snapshot, findings and report cleaned.
	m := NewMonitor(Options{KeepEnded: true})
	g := newGen("c1", "p1")
	msgs := g.start("Ev\x1b]0;pwned\x07il")
	msgs[0].Call.Tags = map[string]string{"te\x1bam": "o\x9bps"}
	for _, msg := range msgs {
		m.Apply(&msg)
	}
	for i := 0; i < 15; i++ {
		msg := g.step(with(func(c *cond) { c.lossIn = 8 }))
		m.Apply(&msg)
	}
	s := m.Snapshot("c1")
	for _, text := range []string{s.Focus.Participants[0].Name, s.Focus.Findings[0].Message, s.Calls[0].People[0].Name, s.Calls[0].Tags["team"]} {
		if strings.ContainsAny(text, "\x1b\x07\u009b") {
			t.Errorf("control character reached the snapshot: %q", text)
		}
	}
}

func TestStaleParticipants(t *testing.T) {
	m := NewMonitor(Options{})
	a, b := newGen("a", "pa"), newGen("b", "pb")
	run(m, a, 3, func(int) cond { return good() })
	b.t = a.t
	run(m, b, 20, func(int) cond { return good() })
	stale := m.StaleParticipants(10 * time.Second)
	if len(stale) != 1 || stale[0].ParticipantID != "pa" {
		t.Errorf("stale %v, want only pa (silent for 20 s of data time)", stale)
	}
	if len(m.StaleParticipants(30*time.Second)) != 0 {
		t.Errorf("nobody has been silent for 30 s")
	}
}

func TestSummaryNumbers(t *testing.T) {
	m := NewMonitor(Options{})
	run(m, newGen("a", "pa"), 15, func(int) cond { return with(func(c *cond) { c.lossIn, c.rttMs = 8, 120 }) })
	s := m.Snapshot("a").Calls[0]
	if math.Abs(s.WorstLoss-8) > 0.01 || math.Abs(s.WorstRTTMs-120) > 0.01 {
		t.Errorf("worst loss %v rtt %v, want 8 and 120", s.WorstLoss, s.WorstRTTMs)
	}
	if s.Severity != Critical || s.TopRule != RuleLossInbound || !strings.Contains(s.TopFinding, "Dana") {
		t.Errorf("top finding %s %s %q", s.Severity, s.TopRule, s.TopFinding)
	}
	if math.IsNaN(s.WorstMOS) || s.WorstMOS > 4 {
		t.Errorf("worst MOS %v with 8 %% loss", s.WorstMOS)
	}
	if s.BitrateKbps <= 0 {
		t.Errorf("bitrate %v", s.BitrateKbps)
	}
}

func TestSplitSnapshotAppliesWhenComplete(t *testing.T) {
	m := NewMonitor(Options{})
	for _, id := range []string{"a", "b", "c"} {
		g := newGen(id, "p-"+id)
		run(m, g, 2, func(int) cond { return good() })
	}
	ts := float64(t0 + 5000)
	part1 := feed.Message{Type: feed.TypeSnapshot, TS: ts, Part: 1, Parts: 2, Calls: []feed.Call{{ID: "a"}}}
	part2 := feed.Message{Type: feed.TypeSnapshot, TS: ts, Part: 2, Parts: 2, Calls: []feed.Call{{ID: "b"}}}
	m.Apply(&part1)
	if n := len(m.Snapshot("").Calls); n != 3 {
		t.Fatalf("%d calls after the first part, want 3 (nothing dropped yet)", n)
	}
	m.Apply(&part2)
	var ids []string
	for _, c := range m.Snapshot("").Calls {
		ids = append(ids, c.ID)
	}
	if len(ids) != 2 || strings.Contains(strings.Join(ids, ","), "c") {
		t.Errorf("calls %v after the whole snapshot, want a and b", ids)
	}
}

func TestLateStatsDoNotBringBackAnEndedCall(t *testing.T) {
	m := NewMonitor(Options{})
	g := newGen("a", "pa")
	run(m, g, 5, func(int) cond { return good() })
	end := feed.Message{Type: feed.TypeCallEnd, TS: float64(g.t), CallID: "a"}
	m.Apply(&end)
	other := newGen("b", "pb")
	other.t = g.t
	run(m, other, 70, func(int) cond { return good() }) // a's linger passes
	g.t = other.t
	late := g.step(good())
	m.Apply(&late)
	for _, c := range m.Snapshot("").Calls {
		if c.ID == "a" {
			t.Fatalf("a late stats message brought ended call a back (ended %v)", c.Ended)
		}
	}
	// A new call.start with the same id is a new call.
	again := g.start("Dana")
	m.Apply(&again[0])
	if n := len(m.Snapshot("").Calls); n != 2 {
		t.Errorf("%d calls after call a started again, want 2", n)
	}
}

func TestBrowser(t *testing.T) {
	cases := map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36":               "Chrome 142",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0": "Edge 142",
		"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:144.0) Gecko/20100101 Firefox/144.0":                                                "Firefox 144",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Safari/605.1.15":         "Safari 18.6",
		"curl/8.0": "",
	}
	for ua, want := range cases {
		if got := Browser(ua); got != want {
			t.Errorf("Browser(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestOpenFindingsAreCopies(t *testing.T) {
	m := NewMonitor(Options{})
	run(m, newGen("a", "pa"), 15, func(int) cond { return with(func(c *cond) { c.lossIn, c.rttMs = 8, 450 }) })
	open := m.OpenFindings()
	if len(open) < 2 {
		t.Fatalf("%d open findings, want loss and rtt", len(open))
	}
	for i := 1; i < len(open); i++ {
		if open[i].Start.Before(open[i-1].Start) {
			t.Errorf("open findings not oldest first")
		}
	}
	open[0].Message = "changed"
	if m.OpenFindings()[0].Message == "changed" {
		t.Errorf("OpenFindings hands out the Monitor's own findings")
	}
}

func TestAnEndedCallKeepsHowItWas(t *testing.T) {
	m := NewMonitor(Options{KeepEnded: true})
	g := newGen("a", "pa")
	run(m, g, 60, func(int) cond { return with(func(c *cond) { c.lossIn = 12 }) })
	before := *m.Snapshot("").Calls[0]
	if before.Severity < Warning || math.IsNaN(before.WorstLoss) {
		t.Fatalf("the lossy call has no finding before it ends: %+v", before)
	}
	if !before.FirstStats.Equal(msTime(t0).Add(time.Second)) && !before.FirstStats.Equal(msTime(t0)) {
		t.Fatalf("FirstStats %v, want the first stats message's time (about %v)", before.FirstStats, msTime(t0))
	}
	end := feed.Message{Type: feed.TypeCallEnd, TS: float64(g.t), CallID: "a"}
	m.Apply(&end)
	after := m.Snapshot("").Calls[0]
	if !after.Ended || after.Severity != before.Severity || after.TopFinding != before.TopFinding ||
		after.WorstLoss != before.WorstLoss || math.Abs(after.WorstMOS-before.WorstMOS) > 1e-9 || after.Participants != before.Participants {
		t.Fatalf("ended call lost how it was:\nbefore %+v\nafter  %+v", before, *after)
	}
}

// An ended call's MOS in the list is the worst participant's mean over the
// call (what its report says), not the last sample's before the hang-up:
// a call good for a minute that went bad for its last half minute shows
// between the two.
func TestAnEndedCallShowsItsMeanMOS(t *testing.T) {
	m := NewMonitor(Options{KeepEnded: true})
	g := newGen("a", "pa")
	run(m, g, 60, func(int) cond { return with(func(*cond) {}) })
	good := m.Snapshot("").Calls[0].WorstMOS
	run(m, g, 30, func(int) cond { return with(func(c *cond) { c.lossIn = 12 }) })
	last := m.Snapshot("").Calls[0].WorstMOS
	if !(last < good-0.5) {
		t.Fatalf("set-up: the call's MOS went from %.2f to %.2f, want a clear drop", good, last)
	}
	end := feed.Message{Type: feed.TypeCallEnd, TS: float64(g.t), CallID: "a"}
	m.Apply(&end)
	ended := m.Snapshot("").Calls[0]
	r := m.Report()
	var mean float64
	for _, c := range r.Calls {
		for _, p := range c.Participants {
			if p.MOS != nil {
				mean = p.MOS.Mean
			}
		}
	}
	if math.Abs(ended.WorstMOS-mean) > 0.01 || !(ended.WorstMOS > last+0.2) {
		t.Errorf("ended call's MOS %.2f, want its mean over the call %.2f (last sample %.2f, good part %.2f)", ended.WorstMOS, mean, last, good)
	}
}

func TestFocusedCallKeepsJitterFrameRateAndResolution(t *testing.T) {
	m := NewMonitor(Options{})
	a, b := newGen("a", "pa"), newGen("b", "pb")
	video := func(int) cond { return with(func(c *cond) { c.video, c.fps, c.jitterMs = true, 24, 7 }) }
	run(m, a, 5, video)
	run(m, b, 5, video)
	m.Snapshot("a") // focus a from here on
	for i := 0; i < 30; i++ {
		for _, g := range []*gen{a, b} {
			msg := g.step(video(i))
			m.Apply(&msg)
		}
	}
	p := m.Snapshot("a").Focus.Participants[0]
	last := func(s Series) float64 { return s.Values[len(s.Values)-1] }
	if n := len(p.FrameRateIn.Values); n < 25 || n != len(p.FrameRateIn.Times) {
		t.Fatalf("%d frame rate points (%d times) over 30 focused samples", n, len(p.FrameRateIn.Times))
	}
	if last(p.FrameRateIn) != 24 || last(p.FrameHeightIn) != 720 || last(p.JitterIn) != 7 {
		t.Fatalf("last points: %v fps, %v px, %v ms jitter; want 24, 720, 7",
			last(p.FrameRateIn), last(p.FrameHeightIn), last(p.JitterIn))
	}
	if q := m.Snapshot("b").Focus.Participants[0]; len(q.FrameRateIn.Values) > 1 {
		t.Fatalf("an unfocused call kept %d frame rate points", len(q.FrameRateIn.Values))
	}
}

// TestJoinedAtTheParticipantsJoinTime: a call first seen in a snapshot
// (a view client opening a call, a subscriber joining late) has its
// people joined when they joined, not when the snapshot came.
func TestJoinedAtTheParticipantsJoinTime(t *testing.T) {
	m := NewMonitor(Options{})
	base := 1.7e12
	m.Apply(&feed.Message{Type: feed.TypeSnapshot, TS: base + 300_000, Calls: []feed.Call{{ID: "c", Start: base,
		Participants: []feed.Participant{{ID: "ana", Joined: base + 10_000}, {ID: "bo"}}}}})
	got := map[string]time.Time{}
	for _, ev := range m.Snapshot("c").Focus.Timeline {
		if ev.Kind == "joined" {
			got[ev.ParticipantID] = ev.Time
		}
	}
	if want := time.UnixMilli(int64(base + 10_000)); !got["ana"].Equal(want) {
		t.Errorf("ana joined at %v on the timeline, want %v (her join time)", got["ana"], want)
	}
	if want := time.UnixMilli(int64(base + 300_000)); !got["bo"].Equal(want) { // no join time: when first seen
		t.Errorf("bo joined at %v on the timeline, want %v (the snapshot's time)", got["bo"], want)
	}
}
