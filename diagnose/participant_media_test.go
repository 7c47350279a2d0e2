package diagnose

import (
	"testing"

	"github.com/calltop/calltop/feed"
)

// placeholder adds a receive stream that never carries a packet, like
// Jitsi's mixed-audio placeholder.
func placeholder(st []feed.Stat) []feed.Stat {
	return append(st, feed.Stat{ID: "IA-placeholder", Type: feed.StatInboundRTP, Timestamp: st[0].Timestamp,
		SSRC: 1236537598, Kind: "audio"})
}

func TestNoMediaPlaceholderStream(t *testing.T) {
	m := NewMonitor(Options{})
	g := newGen("c1", "p1")
	g.extra = placeholder
	run(m, g, 20, func(int) cond { return good() })
	if fs := findingsOf(m, RuleNoMediaInbound); len(fs) != 0 {
		t.Fatalf("a placeholder beside a receiving stream raised: %s", fs[0].Message)
	}
	for range 5 { // now the real stream dies too: one-way audio
		msg := g.step(with(func(c *cond) { c.audioInDead = true }))
		m.Apply(&msg)
	}
	if fs := findingsOf(m, RuleNoMediaInbound); len(fs) != 1 {
		t.Fatalf("every audio stream silent: %d findings, want 1", len(fs))
	}
}

func TestNoMediaJudgedPerParticipant(t *testing.T) {
	m := NewMonitor(Options{})
	bridge, p2p := newGen("c1", "p1"), newGen("c1", "p1")
	p2p.conn = "pc-2"
	dead := with(func(c *cond) { c.audioInDead, c.audioOutDead = true, true })
	for _, msg := range bridge.start("Dana") {
		m.Apply(&msg)
	}
	step := func(n int, b, p cond) {
		for range n {
			m1, m2 := bridge.step(b), p2p.step(p)
			m.Apply(&m1)
			m.Apply(&m2)
		}
	}
	step(20, dead, good()) // media moved to the peer-to-peer connection
	for _, rule := range []string{RuleNoMediaInbound, RuleNoMediaOutbound} {
		if fs := findingsOf(m, rule); len(fs) != 0 {
			t.Fatalf("idle connection beside a flowing one raised: %s", fs[0].Message)
		}
	}
	step(20, dead, dead) // now nothing flows anywhere
	for _, rule := range []string{RuleNoMediaInbound, RuleNoMediaOutbound} {
		if fs := findingsOf(m, rule); len(fs) != 1 {
			t.Errorf("%s with no audio on any connection: %d findings, want 1 (one per participant)", rule, len(fs))
		}
	}
}

func TestNoMediaAtTeardownIsNotAFinding(t *testing.T) {
	for _, tc := range []struct {
		name     string
		deadSecs int
		wantKept bool
	}{
		{name: "closed 4 s after media stopped", deadSecs: 4, wantKept: false},
		{name: "closed 20 s after media stopped", deadSecs: 20, wantKept: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMonitor(Options{KeepEnded: true})
			g := newGen("c1", "p1")
			run(m, g, 10, func(int) cond { return good() })
			for range tc.deadSecs {
				msg := g.step(with(func(c *cond) { c.audioInDead = true }))
				m.Apply(&msg)
			}
			m.Apply(&feed.Message{Type: feed.TypeConnectionEvent, TS: float64(g.t + 500), CallID: "c1", ParticipantID: "p1",
				ConnectionID: g.conn, Event: &feed.ConnectionEvent{Kind: feed.EventConnectionState, State: "closed"}})
			fs := findingsOf(m, RuleNoMediaInbound)
			if got := len(fs) == 1; got != tc.wantKept {
				t.Fatalf("findings %v, want kept=%v", fs, tc.wantKept)
			}
			if tc.wantKept && fs[0].Open() {
				t.Errorf("finding still open after the connection closed")
			}
			if len(m.OpenFindings()) != 0 {
				t.Errorf("open findings left after close: %v", m.OpenFindings())
			}
			for _, c := range m.views.allCalls() {
				for _, ev := range c.timelineEvents() {
					if ev.Kind == "finding-raised" && !tc.wantKept {
						t.Errorf("timeline keeps the withdrawn finding: %+v", ev)
					}
				}
			}
		})
	}
}

func TestMicLevelUnknownWhenSourceDoesNotMeasure(t *testing.T) {
	m := NewMonitor(Options{})
	g := newGen("c1", "p1")
	g.extra = func(st []feed.Stat) []feed.Stat { // Safari: a media-source without level or energy
		for i := range st {
			if st[i].Type == feed.StatMediaSource {
				st[i].AudioLevel, st[i].TotalAudioEnergy, st[i].TotalSamplesDuration = 0, 0, 0
			}
		}
		return st
	}
	run(m, g, 30, func(int) cond { return good() })
	if fs := findingsOf(m, RuleMicSilent); len(fs) != 0 {
		t.Fatalf("a source that reports no level raised: %s", fs[0].Message)
	}
}

func TestKeyframeBurstIsOneEpisode(t *testing.T) {
	m := NewMonitor(Options{})
	run(m, newGen("c1", "p1"), 120, func(i int) cond {
		return with(func(c *cond) {
			c.video = true
			if i >= 30 && i < 50 {
				c.pliPerSec = 20
			}
		})
	})
	if fs := findingsOf(m, RuleKeyframeStorm); len(fs) != 1 || fs[0].Open() {
		t.Fatalf("a 20 s burst of PLIs: %d findings (want 1, cleared): %v", len(fs), fs)
	}
}

// A call whose media stopped a moment before it ended had its no-media
// finding retracted as the hang-up: its row no longer shows it as how the
// call ended (a replayed dump's row said "warning: very choppy" while its
// call screen and report said no problems).
func TestEndedCallRowDropsARetractedTeardownFinding(t *testing.T) {
	m := NewMonitor(Options{KeepEnded: true})
	g := newGen("c1", "p1")
	run(m, g, 10, func(int) cond { return good() })
	for range 4 {
		msg := g.step(with(func(c *cond) { c.audioInDead = true }))
		m.Apply(&msg)
	}
	if c := m.Snapshot("").Calls[0]; c.TopRule != RuleNoMediaInbound {
		t.Fatalf("before the end the row shows %q (%s), want the open no-media finding", c.TopRule, c.Severity)
	}
	m.Apply(&feed.Message{Type: feed.TypeCallEnd, TS: float64(g.t + 500), CallID: "c1"})
	c := m.Snapshot("").Calls[0]
	if !c.Ended || c.Severity != None || c.TopFinding != "" {
		t.Fatalf("ended call's row: ended %v, %s %q; want no finding (it was the hang-up)", c.Ended, c.Severity, c.TopFinding)
	}
}
