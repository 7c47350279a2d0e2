package tui

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// t0 is when the fixture calls begin; the feed time is 12 minutes later.
var t0 = time.Date(2026, 11, 21, 21, 0, 0, 0, time.UTC)

func feedTime() time.Time { return t0.Add(12 * time.Minute) }

// recorder is a Controller that records what the TUI asked, in order.
type recorder struct {
	mu    sync.Mutex
	calls []string
	mutes []MuteRequest
	notes []string // the notes of the acks, in order
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
}

func (r *recorder) Focus(id string) { r.add("focus " + id) }
func (r *recorder) Ack(key, note string) {
	r.mu.Lock()
	r.notes = append(r.notes, note)
	r.mu.Unlock()
	r.add("ack " + key)
}
func (r *recorder) Unmute(id string)           { r.add("unmute " + id) }
func (r *recorder) Unack(key string)           { r.add("unack " + key) }
func (r *recorder) ReplayPause(p bool)         { r.add(fmt.Sprintf("replay-pause %v", p)) }
func (r *recorder) ReplaySeek(d time.Duration) { r.add("replay-seek " + d.String()) }
func (r *recorder) ReplaySpeed(f float64)      { r.add(fmt.Sprintf("replay-speed %g", f)) }
func (r *recorder) Mute(req MuteRequest) {
	r.mu.Lock()
	r.mutes = append(r.mutes, req)
	r.mu.Unlock()
	r.add("mute " + req.Scope.String())
}

// log returns what was recorded so far.
func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// hand-made calls at the top of every fixture.
func namedCalls() []*diagnose.CallSummary {
	calls := []*diagnose.CallSummary{
		{ID: "c-wifi-001", Room: "support-escalation", Tags: map[string]string{"env": "prod", "team": "support"},
			Start: t0, Participants: 3, Severity: diagnose.Critical,
			TopFinding: "Alice receives 12% packet loss: her Wi-Fi is dropping audio", TopRule: diagnose.RuleLossInbound,
			WorstMOS: 2.9, WorstLoss: 12.4, WorstRTTMs: 180, BitrateKbps: 2450,
			People: people("Alice/alice@acme.test", "Bob/bob@acme.test", "Carol/carol@acme.test"), Version: 7},
		{ID: "c-rtt-002", Room: "sales-demo", Start: t0.Add(4 * time.Minute), Participants: 2, Severity: diagnose.Warning,
			TopFinding: "Round-trip time to Dmitri is 420 ms: conversation will feel laggy", TopRule: diagnose.RuleRTTHigh,
			WorstMOS: 3.6, WorstLoss: 0.4, WorstRTTMs: 420, BitrateKbps: 1200, People: people("Dmitri", "Erin"), Version: 3},
		{ID: "c-good-003", Room: "standup", Start: t0.Add(2 * time.Minute), Participants: 6,
			WorstMOS: 4.3, WorstLoss: 0, WorstRTTMs: 35, BitrateKbps: 5400, People: people("Frank", "Grace"), Version: 2},
		{ID: "c-end-004", Room: "1:1 dana/eve", Start: t0.Add(time.Minute), End: feedTime().Add(-30 * time.Second),
			Ended: true, Participants: 2, Severity: diagnose.Warning, TopFinding: "Eve's microphone sent silence for 40 s",
			TopRule: diagnose.RuleMicSilent, WorstMOS: 3.9, WorstLoss: 0.1, WorstRTTMs: 60, BitrateKbps: 0,
			People: people("Dana", "Eve"), Version: 9},
		{ID: "c-relay-005", Room: "", Start: t0.Add(10 * time.Minute), Participants: 2, Severity: diagnose.Info,
			TopFinding: "Hal is relayed over TURN/TCP", TopRule: diagnose.RuleRelayTCP, WorstMOS: math.NaN(),
			WorstLoss: math.NaN(), WorstRTTMs: math.NaN(), BitrateKbps: 300, People: people("Hal", "Ivy"), Version: 1},
	}
	for _, c := range calls {
		c.Key, c.FirstStats = c.ID, c.Start
	}
	return calls
}

// people makes participants from "Name" or "Name/user id", with ids
// "p-" and the name in lower case (as wifiDetail's).
func people(names ...string) []diagnose.Person {
	out := make([]diagnose.Person, len(names))
	for i, n := range names {
		name, user, _ := strings.Cut(n, "/")
		out[i] = diagnose.Person{ID: "p-" + strings.ToLower(name), Name: name, UserID: user}
	}
	return out
}

// manyCalls returns n calls: the named ones, then generated ones.
func manyCalls(n int) []*diagnose.CallSummary {
	calls := namedCalls()
	msgs := []string{"", "Participant 2 sends 4% packet loss", "Jitter of 48 ms on inbound audio"}
	for i := len(calls); i < n; i++ {
		sev := diagnose.Severity(i % 3)
		calls = append(calls, &diagnose.CallSummary{
			ID: fmt.Sprintf("c-%05d", i), Key: fmt.Sprintf("c-%05d", i), Room: fmt.Sprintf("room-%d", i), Start: t0.Add(time.Duration(i%600) * time.Second),
			FirstStats:   t0.Add(time.Duration(i%600) * time.Second),
			Participants: 2 + i%5, Severity: sev, TopFinding: msgs[sev], WorstMOS: 4.4 - float64(i%20)/10,
			WorstLoss: float64(i%7) * 0.8, WorstRTTMs: float64(40 + i%300), BitrateKbps: float64(500 + i%4000),
			People: people(fmt.Sprintf("user-%d", i)), Version: 1})
	}
	return calls[:n]
}

// series builds a 12-minute series, one sample every 2 s, from f(i).
func series(name, unit string, f func(i int) float64) diagnose.Series {
	s := diagnose.Series{Name: name, Unit: unit}
	for i := 0; i < 360; i++ {
		s.Times = append(s.Times, t0.Add(time.Duration(i*2)*time.Second))
		s.Values = append(s.Values, f(i))
	}
	return s
}

// wifiDetail is the drill-down of c-wifi-001.
func wifiDetail(sum *diagnose.CallSummary) *diagnose.CallDetail {
	loss := diagnose.Finding{Rule: diagnose.RuleLossInbound, Severity: diagnose.Critical,
		Subject: diagnose.Subject{CallID: sum.ID, ParticipantID: "p-alice"}, ParticipantName: "Alice",
		Start: t0.Add(9 * time.Minute), Message: "Alice receives 12% packet loss: her Wi-Fi is dropping audio",
		Advice:   "Ask Alice to move closer to the router or switch to a cable; close other apps using the network.",
		Evidence: []diagnose.Evidence{{Metric: "packet loss in", Value: 12.4, Threshold: 5, Unit: "%"}}}
	rtt := diagnose.Finding{Rule: diagnose.RuleRTTHigh, Severity: diagnose.Warning,
		Subject: diagnose.Subject{CallID: sum.ID, ParticipantID: "p-bob"}, ParticipantName: "Bob",
		Start: t0.Add(3 * time.Minute), End: t0.Add(5 * time.Minute),
		Message: "Round-trip time to Bob reached 350 ms", Advice: "Check Bob's VPN."}
	alice := diagnose.ParticipantDetail{ID: "p-alice", Name: "Alice", UserID: "alice@acme.test",
		Browser: "Chrome 131", NetworkType: "wifi", Region: "eu-west", MOS: 2.9, Worst: &loss,
		Connections: []diagnose.ConnectionDetail{{ID: "PC_0", ICEState: "connected", LocalCandidateType: "host"}},
		BitrateIn:   series("bitrate-in", "kbps", func(i int) float64 { return 900 + 300*math.Sin(float64(i)/9) }),
		BitrateOut:  series("bitrate-out", "kbps", func(i int) float64 { return 700 + float64(i%30) }),
		LossIn: series("loss-in", "%", func(i int) float64 {
			if i > 270 {
				return 8 + float64(i%9)
			}
			return 0.2
		}),
		LossOut:  series("loss-out", "%", func(int) float64 { return 0 }),
		RTT:      series("rtt", "ms", func(i int) float64 { return 150 + float64(i%40) }),
		JitterIn: series("jitter in", "ms", func(i int) float64 { return 4 + float64(i%12) }),
		FrameRateIn: series("frame rate in", "fps", func(i int) float64 {
			if i > 270 {
				return 12 + float64(i%5)
			}
			return 30
		}),
		FrameHeightIn: series("resolution in", "px", func(i int) float64 {
			if i > 270 {
				return 360
			}
			return 720
		}),
	}
	bob := alice
	bob.ID, bob.Name, bob.UserID, bob.Browser, bob.NetworkType, bob.Region = "p-bob", "Bob", "bob@acme.test", "Firefox 133", "ethernet", "us-east"
	bob.MOS, bob.Worst = 4.1, nil
	bob.Connections = []diagnose.ConnectionDetail{{ID: "PC_0", ICEState: "connected", LocalCandidateType: "relay", RelayProtocol: "udp"}}
	carol := bob
	carol.ID, carol.Name, carol.Browser, carol.NetworkType, carol.Region, carol.Left = "p-carol", "Carol", "Safari 18", "cellular", "ap-south", true
	return &diagnose.CallDetail{Summary: sum, Participants: []diagnose.ParticipantDetail{alice, bob, carol},
		Findings: []diagnose.Finding{loss, rtt},
		Timeline: []diagnose.TimelineEvent{
			{Time: t0, ParticipantID: "p-alice", Kind: "joined", Text: "joined"},
			{Time: t0.Add(5 * time.Second), ParticipantID: "p-bob", Kind: "joined", Text: "joined"},
			{Time: t0.Add(8 * time.Second), ParticipantID: "p-alice", Kind: "ice", Text: "ICE checking -> connected (host/udp)"},
			{Time: t0.Add(3 * time.Minute), ParticipantID: "p-bob", Kind: "finding-raised", Severity: diagnose.Warning, Text: "raised: Round-trip time to Bob reached 350 ms"},
			{Time: t0.Add(5 * time.Minute), ParticipantID: "p-bob", Kind: "finding-cleared", Severity: diagnose.Warning, Text: "cleared: Round-trip time to Bob"},
			{Time: t0.Add(6 * time.Minute), ParticipantID: "p-carol", Kind: "left", Text: "left"},
			{Time: t0.Add(9 * time.Minute), ParticipantID: "p-alice", Kind: "finding-raised", Severity: diagnose.Critical, Text: "raised: Alice receives 12% packet loss"},
		}}
}

// frame builds a live frame with n calls; focus names the detailed call.
func frame(seq uint64, n int, focus string) engine.Frame {
	calls := manyCalls(n)
	f := engine.Frame{Seq: seq, Calls: diagnose.Snapshot{FeedTime: feedTime(), Calls: calls},
		Feed: engine.FeedStatus{Source: "ws://127.0.0.1:7070/feed", State: "live"}, Alerts: alertBook().Snapshot()}
	if focus == calls[0].ID {
		f.Calls.Focus = wifiDetail(calls[0])
	}
	return f
}

// press builds a key press as the terminal would send it.
func press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c", "ctrl+w", "ctrl+u":
		return tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// typeText presses each character of s.
func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(press(string(r)))
	}
}

// newTestModel is a model sized w x h that has shown f.
func newTestModel(w, h int, f engine.Frame) (*Model, *recorder) {
	rec := &recorder{}
	m := New(rec, nil, Options{})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(frameMsg(f))
	return m, rec
}

// screenText is the view without styling, for assertions.
func screenText(m *Model) string { return stripANSI(m.View().Content) }

func stripANSI(s string) string { return ansi.Strip(s) }

// finding builds an open finding for a fixture call.
func finding(rule string, sev diagnose.Severity, call, pid, name, msg string, start time.Time) diagnose.Finding {
	return diagnose.Finding{Rule: rule, Severity: sev, Start: start, Message: msg, ParticipantName: name,
		Subject: diagnose.Subject{CallID: call, ParticipantID: pid}}
}

// alertBook runs a real alert Book through a few minutes of findings: a
// critical and a warning firing, one acknowledged, one muted, one resolved.
func alertBook() *alert.Book {
	b := alert.NewBook(alert.Options{User: "oncall"})
	start := t0.Add(9 * time.Minute)
	loss := finding(diagnose.RuleLossInbound, diagnose.Critical, "c-wifi-001", "p-alice", "Alice", "Alice receives 12% packet loss: her Wi-Fi is dropping audio", start)
	rtt := finding(diagnose.RuleRTTHigh, diagnose.Warning, "c-rtt-002", "p-dmitri", "Dmitri", "Round-trip time to Dmitri is 420 ms: conversation will feel laggy", start)
	mic := finding(diagnose.RuleMicSilent, diagnose.Warning, "c-end-004", "p-eve", "Eve", "Eve's microphone sent silence for 40 s", start)
	jit := finding(diagnose.RuleJitterHigh, diagnose.Warning, "c-00005", "p-5", "user-5", "Jitter of 48 ms on inbound audio", start)
	ice := finding(diagnose.RuleICEDisconnected, diagnose.Critical, "c-00011", "p-11", "user-11", "user-11's connection dropped (ICE disconnected)", start)
	all := []diagnose.Finding{loss, rtt, mic, jit, ice}
	// One finding opens each second, so each alert fires at its own time
	// and the event log's order does not depend on map iteration.
	for i := range all {
		b.Observe(start.Add(time.Duration(i)*time.Second), all[:i+1])
	}
	for i := range all {
		b.Observe(start.Add(time.Duration(10+i)*time.Second), all)
	}
	if err := b.Ack(rtt.Key(), "oncall", "looking", start.Add(20*time.Second)); err != nil {
		panic(err)
	}
	if _, err := b.MuteFor(alert.Matcher{Key: jit.Key()}, time.Hour, "oncall", "known", start.Add(25*time.Second)); err != nil {
		panic(err)
	}
	b.Observe(start.Add(90*time.Second), []diagnose.Finding{loss, rtt, jit, ice})
	b.Observe(feedTime(), []diagnose.Finding{loss, rtt, jit, ice})
	return b
}
