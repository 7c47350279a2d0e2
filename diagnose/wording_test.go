package diagnose

import (
	"strings"
	"testing"
)

// runNamed is run with the participant called name.
func runNamed(m *Monitor, g *gen, name string, n int, f func(i int) cond) {
	for _, msg := range g.start(name) {
		m.Apply(&msg)
	}
	for i := 0; i < n; i++ {
		msg := g.step(f(i))
		m.Apply(&msg)
	}
}

func TestLossMessageSaysHowTheMediaSuffers(t *testing.T) {
	def := &rules[ruleIndex[RuleLossInbound]]
	for kind, want := range map[string]string{
		"video": "Video reaching Ada is missing 12 % of packets, so it may look choppy.",
		"audio": "Audio reaching Ada is missing 12 % of packets, so it may sound choppy.",
	} {
		got := def.message(msgArgs{name: "Ada", v: 12, s: &connSample{lossInKind: kind}})
		if strings.ReplaceAll(got, "12%", "12 %") != want {
			t.Errorf("%s: %q, want %q", kind, got, want)
		}
	}
}

func TestANameEndingWithAPeriodEndsTheSentenceOnce(t *testing.T) {
	m := NewMonitor(Options{})
	runNamed(m, newGen("a", "pa"), "Ada J.", 30, func(i int) cond {
		return with(func(c *cond) { c.ice = "failed" })
	})
	fs := findingsOf(m, RuleICEFailed)
	if len(fs) == 0 {
		t.Fatal("no ice-failed finding")
	}
	if msg := fs[0].Message; !strings.HasSuffix(msg, "Ada J.") || strings.HasSuffix(msg, "..") {
		t.Fatalf("message %q: want one period after Ada J.", msg)
	}
	if endSentence("Wait...") != "Wait..." {
		t.Fatal("an ellipsis lost a period")
	}
}

func TestEvidenceShowsTheFigureThatDecided(t *testing.T) {
	m := NewMonitor(Options{})
	// Frozen 0, 0, 35, 35, 35 % of the time: three of five samples over
	// 30 % raise the finding, though their mean (21 %) is under it.
	runNamed(m, newGen("a", "pa"), "Bo", 20, func(i int) cond {
		return with(func(c *cond) {
			c.video = true
			if i >= 17 {
				c.freezePct = 35
			}
		})
	})
	fs := findingsOf(m, RuleVideoFreeze)
	if len(fs) != 1 {
		t.Fatalf("%d video-freeze findings", len(fs))
	}
	ev := fs[0].Evidence[0]
	if ev.Value <= ev.Threshold {
		t.Fatalf("evidence %s %v %s (threshold %v) does not show why the finding fired", ev.Metric, ev.Value, ev.Unit, ev.Threshold)
	}
}
