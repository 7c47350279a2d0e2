package tui

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
)

// onCall is a model showing c-wifi-001's detail at w x h.
func onCall(t *testing.T, w, h int) (*Model, *recorder) {
	t.Helper()
	m, rec := newTestModel(w, h, frame(1, 40, ""))
	hit(m, "enter")
	m.Update(frameMsg(frame(2, 40, "c-wifi-001")))
	return m, rec
}

func TestSparklinesPlotOnlyWhenDataChanges(t *testing.T) {
	m, _ := onCall(t, 200, 50)
	m.View()
	plots := m.call.graphs.plots
	if want := len(graphsOf(m.call.participant())); plots != want || want != 8 {
		t.Fatalf("first view plotted %d sparklines, want %d (bitrate, loss, RTT, jitter, frame rate, resolution)", plots, want)
	}
	for range 10 {
		m.View()
	}
	m.Update(frameMsg(frame(3, 40, "c-wifi-001"))) // same series: nothing new to plot
	m.View()
	if m.call.graphs.plots != plots {
		t.Fatalf("views of unchanged data plotted again: %d", m.call.graphs.plots-plots)
	}
	f := frame(4, 40, "c-wifi-001")
	p := &f.Calls.Focus.Participants[0]
	p.LossIn.Times = append(p.LossIn.Times, feedTime().Add(2*time.Second))
	p.LossIn.Values = append(p.LossIn.Values, 30)
	m.Update(frameMsg(f))
	m.View()
	if got := m.call.graphs.plots - plots; got != 1 {
		t.Fatalf("one series grew, %d plotted", got)
	}
	mustShow(t, m, "now 30.0")
	hit(m, "+")
	m.View()
	if got := m.call.graphs.plots - plots; got != 9 {
		t.Fatalf("a new window replots all eight: %d", got-1)
	}
	if n := len(m.call.graphs.pictures); n != 8 {
		t.Fatalf("cache holds %d pictures, want the 8 on screen", n)
	}
}

func TestSparklineLabelsAndEdgeCases(t *testing.T) {
	st := DefaultStyles()
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	for _, c := range []struct {
		name string
		s    diagnose.Series
		want string
	}{
		{"all unknown", diagnose.Series{Unit: "%", Times: []time.Time{at(0), at(1)}, Values: []float64{nan(), nan()}}, "no data"},
		{"empty", diagnose.Series{Unit: "ms"}, "no data"},
		{"one sample", diagnose.Series{Unit: "ms", Times: []time.Time{at(0)}, Values: []float64{42}}, "now 42  min 42  max 42"},
		{"flat zero", diagnose.Series{Unit: "%", Times: []time.Time{at(0), at(1)}, Values: []float64{0, 0}}, "now 0.0"},
		{"gap", diagnose.Series{Unit: "kbps", Times: []time.Time{at(0), at(1), at(2)}, Values: []float64{500, nan(), 700}}, "now 700  min 500  max 700"},
	} {
		out := renderGraph(&c.s, "Loss in", 60, 3, 5*time.Minute, &st)
		lines := strings.Split(out, "\n")
		if len(lines) != 5 {
			t.Errorf("%s: %d lines, want label + 4 plot rows", c.name, len(lines))
		}
		for _, l := range lines {
			if lipWidth(l) != 60 {
				t.Errorf("%s: line %q is %d wide", c.name, stripANSI(l), lipWidth(l))
			}
		}
		if !strings.Contains(stripANSI(out), c.want) {
			t.Errorf("%s: graph lacks %q:\n%s", c.name, c.want, stripANSI(out))
		}
	}
}

func TestWindowedSeries(t *testing.T) {
	s := series("rtt", "ms", func(i int) float64 { return float64(i) })
	if got := windowed(&s, time.Minute); len(got) != 31 || got[0] != 329 {
		t.Fatalf("1 minute of 2 s samples: %d values from %v", len(got), got[0])
	}
	if got := windowed(&s, 15*time.Minute); len(got) != 360 {
		t.Fatalf("15 minutes: %d values", len(got))
	}
}

func TestCallScreenNarrowStacksDiagnosesBelow(t *testing.T) {
	m, _ := onCall(t, 80, 24)
	s := screenText(m)
	graph, diag := strings.Index(s, "Loss in"), strings.Index(s, "DIAGNOSES")
	if graph < 0 || diag < 0 || diag < graph {
		t.Fatalf("at 80 columns the diagnoses belong below the sparklines:\n%s", s)
	}
	mustShow(t, m, "┤", "Alice receives 12% packet loss", "since 21:09:00 UTC (3m00s)")
}

func TestCallScreenWideShowsAllBeside(t *testing.T) {
	m, _ := onCall(t, 200, 50)
	mustShow(t, m, "CONNECTION", "relay/udp, ice connected", "advice: Ask Alice to move closer",
		"cleared: 21:03:00 to 21:05:00 UTC (2m00s)", "TIMELINE", "ICE checking -> connected", "Carol (left)")
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.Contains(l, "Bitrate in (kbps)") && !strings.Contains(l, "!! critical") {
			t.Fatalf("the diagnoses should sit beside the first graph: %q", l)
		}
	}
}

func TestRefocusWhenEngineShowsAnotherCall(t *testing.T) {
	m, rec := newTestModel(80, 24, frame(1, 40, ""))
	for m.calls.Selected().ID != "c-rtt-002" {
		hit(m, "j")
	}
	hit(m, "enter")
	if lastLog(rec) != "focus c-rtt-002" {
		t.Fatalf("focus: %v", rec.log())
	}
	_, cmd := m.Update(frameMsg(frame(2, 40, "c-wifi-001"))) // a stale focus
	run(m, cmd)
	if lastLog(rec) != "focus c-rtt-002" || len(rec.log()) != 2 {
		t.Fatalf("a stale focus was not corrected: %v", rec.log())
	}
	mustShow(t, m, "Loading call sales-demo")
	_, cmd = m.Update(frameMsg(frame(3, 40, ""))) // the engine focuses nothing
	run(m, cmd)
	if lastLog(rec) != "focus c-rtt-002" || len(rec.log()) != 3 {
		t.Fatalf("a lost focus was not asked again: %v", rec.log())
	}
}

func TestHeaderStates(t *testing.T) {
	since := time.Date(2026, 11, 21, 22, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		feed engine.FeedStatus
		want string
	}{
		{engine.FeedStatus{State: "connecting"}, "connecting"},
		{engine.FeedStatus{State: "stalled", Reason: "no message for 10 s", Since: since}, "stalled for 42 s (no message for 10 s)"},
		{engine.FeedStatus{State: "failed", Reason: "401 Unauthorized"}, "failed (401 Unauthorized)"},
		{engine.FeedStatus{State: "ended"}, "feed ended"},
		{engine.FeedStatus{State: "live", BadFrames: 3, LastBad: "frame 9: bad json"}, "3 bad frames (last: frame 9: bad json)"},
		{engine.FeedStatus{State: "live", BadFrames: 1}, "1 bad frame |"},
	} {
		f := frame(1, 10, "")
		c.feed.Source = "ws://127.0.0.1:7070/feed"
		f.Feed = c.feed
		f.Calls.DataQuality = map[string]int{"counter-reset": 2, "nan": 1}
		m, _ := newTestModel(200, 50, f)
		m.Update(tickMsg(since.Add(42 * time.Second)))
		mustShow(t, m, c.want, "3 samples skipped")
	}
}

func nan() float64 { return math.NaN() }

func TestCallGoneFromTheFeed(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 40, ""))
	for m.calls.Selected().ID != "c-rtt-002" {
		hit(m, "j")
	}
	hit(m, "enter")
	f := frame(2, 40, "")
	f.Calls.Calls = append(f.Calls.Calls[:1:1], f.Calls.Calls[2:]...)
	m.Update(frameMsg(f))
	mustShow(t, m, "Call sales-demo is no longer in the feed")
	hit(m, "esc")
	if m.screen != screenCalls {
		t.Fatal("esc did not go back")
	}
}

// sixParticipants is c-wifi-001's detail with six participants: the
// worst open finding is on the fifth, a lower MOS on the second.
func sixParticipants(f engine.Frame) engine.Frame {
	d := *f.Calls.Focus
	alice, bob := d.Participants[0], d.Participants[1]
	var ps []diagnose.ParticipantDetail
	for i, name := range []string{"Ann", "Ben", "Cai", "Dov", "Eve", "Fay"} {
		p := bob
		p.ID, p.Name, p.MOS = "p-"+name, name, 4.2
		switch i {
		case 1:
			p.MOS = 3.1 // low MOS, no finding
		case 2:
			p.Worst = &d.Findings[1] // a cleared warning: not open
		case 4:
			p.MOS, p.Worst = alice.MOS, alice.Worst
		}
		ps = append(ps, p)
	}
	d.Participants = ps
	f.Calls.Focus = &d
	return f
}

func TestCallOpensOnTheWorstParticipant(t *testing.T) {
	m, _ := newTestModel(80, 24, frame(1, 40, ""))
	hit(m, "enter")
	m.Update(frameMsg(sixParticipants(frame(2, 40, "c-wifi-001"))))
	if p := m.call.participant(); p == nil || p.Name != "Eve" {
		t.Fatalf("selected %s on entry, want Eve (the open critical finding)", m.call.people.selected)
	}
	mustShow(t, m, "Eve  ", "Eve, last 5 min", "3-5 of 6 participants")
	mustNotShow(t, m, "Ann  ")
	keys(m, "up")
	m.Update(frameMsg(sixParticipants(frame(3, 40, "c-wifi-001"))))
	if p := m.call.participant(); p.Name != "Dov" {
		t.Fatalf("a new frame moved the selection to %s", p.Name)
	}

	// Without open findings the lowest MOS wins.
	f := sixParticipants(frame(2, 40, "c-wifi-001"))
	f.Calls.Focus.Participants[4].Worst, f.Calls.Focus.Participants[4].MOS = nil, 4.2
	m, _ = newTestModel(80, 24, frame(1, 40, ""))
	hit(m, "enter")
	m.Update(frameMsg(f))
	if p := m.call.participant(); p.Name != "Ben" {
		t.Fatalf("selected %s, want Ben (lowest MOS)", p.Name)
	}
}

func TestCompactGraphLabelsFitWithoutCutting(t *testing.T) {
	s := series("bitrate-out", "kbps", func(i int) float64 { return 1282 + float64(i%136) })
	for _, c := range []struct {
		width int
		want  string
	}{
		{49, "Bitrate out 1369 kbps (1282-1417)"},
		{39, "Bitrate out 1369 kbps (1282-1417)"},
		{30, "Bitrate out 1369 kbps"},
		{24, "Bitrate out 1369 kbps"},
	} {
		head := strings.SplitN(stripANSI(renderGraph(&s, "Bitrate out", c.width, 2, 15*time.Minute, &Styles{})), "\n", 2)[0]
		if strings.TrimRight(head, " ") != c.want {
			t.Errorf("width %d: label %q, want %q", c.width, head, c.want)
		}
	}
}
