package tui

import (
	"context"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/sim"
)

// probeShown finds the probe's room on a screen.
var probeShown = regexp.MustCompile(`probe-(\d{7})`)

// probeModel is the real Model with a watch on what it shows: the probe
// in the latest frame it took (when Update took it) and the newest probe
// its View showed.
type probeModel struct {
	*Model
	frames *feedtest.Latencies // probes by the Update that took their frame
	mu     sync.Mutex
	inView atomic.Int64 // the newest probe a View showed, -1 for none
}

func (m *probeModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if f, ok := msg.(frameMsg); ok {
		now := time.Now()
		for _, c := range f.Calls.Calls {
			if n := feedtest.ProbeSeq(c.ID, c.Tags); n >= 0 {
				m.mu.Lock()
				m.frames.Saw(n, now)
				m.mu.Unlock()
			}
		}
	}
	_, cmd := m.Model.Update(msg)
	return m, cmd
}

func (m *probeModel) View() tea.View {
	v := m.Model.View()
	if sub := probeShown.FindStringSubmatch(v.Content); sub != nil {
		if n, err := strconv.Atoi(sub[1]); err == nil && int64(n) > m.inView.Load() {
			m.inView.Store(int64(n))
		}
	}
	return v
}

// screenWriter is the terminal: a probe that a View showed is on the
// screen at the first write after that View.
type screenWriter struct {
	model  *probeModel
	mu     sync.Mutex
	screen *feedtest.Latencies
	bytes  atomic.Int64
}

func (w *screenWriter) Write(p []byte) (int, error) {
	now := time.Now()
	w.bytes.Add(int64(len(p)))
	w.mu.Lock()
	w.screen.Saw(int(w.model.inView.Load()), now)
	w.mu.Unlock()
	return len(p), nil
}

// BenchmarkScreenLatency10000 runs the live path of the product end to
// end on loopback: the simulator with 10,000 calls at real speed (stats
// timestamps elided, as `calltop hub --simulate` serves them), the hub, a
// WebSocket, client.Client, the engine with the real Monitor and Book, and
// the real tea.Program at 200x50 (30 fps, as the command runs it) writing
// to a terminal that notes the time of every write. The calls screen is
// filtered to the probe call, as a support agent watching one customer's
// call would. A probe (feedtest.Probes, every 10 ms) is a call.update
// that renames the probe call's room; its screen latency is from
// hub.Publish to the first terminal write after a View that shows the new
// room. frame-p50/p99 time the same probes to the Update that takes their
// frame.
//
// In "in-process" everything shares this process; in "hub-process" the
// simulator and the hub run in a child process (this test binary again),
// as `calltop hub --simulate 10000` and `calltop` would, so only the
// client, engine and program are measured here (cores, runq-cores) and
// hub-cores is the child's. Run with -benchtime=1x: about 35 s each.
func BenchmarkScreenLatency10000(b *testing.B) {
	for _, where := range []string{"in-process", "hub-process"} {
		b.Run(where, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				screenLatency(b, where == "hub-process")
			}
		})
	}
}

// screenHubCalls is the fleet the hub child serves (see TestMain).
const screenHubCalls = 10000

// screenSource is the simulator's fleet as `calltop hub --simulate`
// serves it.
func screenSource(calls int) (hub.Source, error) {
	s, err := sim.New(sim.Config{Calls: calls, Seed: 1, ElideStatTimestamps: true})
	if err != nil {
		return nil, err
	}
	return hub.StepSource(s.StepEach, time.Second, 1), nil
}

func screenLatency(b *testing.B, hubProcess bool) {
	const warmup, window = 12 * time.Second, 20 * time.Second
	var lp *feedtest.Loopback
	var child *feedtest.HubProcess
	var probes *feedtest.Probes
	if hubProcess {
		child = feedtest.StartHubProcess(b, strconv.Itoa(screenHubCalls))
		lp = feedtest.StartClient(b, child.URL)
	} else {
		source, err := screenSource(screenHubCalls)
		if err != nil {
			b.Fatal(err)
		}
		lp = feedtest.StartLoopback(b, hub.Config{})
		probes = &feedtest.Probes{Publisher: lp.Hub, Every: 10 * time.Millisecond}
		lp.Go(func(ctx context.Context) { _ = source(ctx, probes) })
	}
	eng, err := engine.New(engine.Options{Events: lp.Client.Events(), Source: "loopback",
		NewMonitor: func() engine.Monitor { return diagnose.NewMonitor(diagnose.Options{}) },
		NewBook:    func() *alert.Book { return alert.NewBook(alert.Options{}) }})
	if err != nil {
		b.Fatal(err)
	}
	lp.Go(func(ctx context.Context) { _ = eng.Run(ctx) })

	model := &probeModel{Model: New(engineControl{e: eng, focused: &atomic.Value{}}, eng.Frames(), Options{}),
		frames: feedtest.NewLatencies()}
	model.inView.Store(-1)
	out := &screenWriter{model: model, screen: feedtest.NewLatencies()}
	prog := tea.NewProgram(model,
		tea.WithOutput(out), tea.WithInput(nil), tea.WithContext(lp.Ctx), tea.WithFPS(30),
		tea.WithWindowSize(200, 50), tea.WithColorProfile(colorprofile.TrueColor),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}), tea.WithoutSignalHandler())
	lp.Go(func(context.Context) { _, _ = prog.Run() })

	time.Sleep(warmup / 2)
	prog.Send(press("/"))
	for _, r := range feedtest.ProbeCallID {
		prog.Send(press(string(r)))
	}
	prog.Send(press("enter"))
	time.Sleep(warmup / 2)
	if model.inView.Load() < 0 {
		lp.Stop()
		b.Fatal("the filtered calls screen does not show the probe call")
	}
	cpu0, wait0, steal0 := feedtest.CPUTime(), feedtest.RunQueueWait(), feedtest.StealTime()
	bytes0, msgs0 := out.bytes.Load(), lp.Client.Status().Frames
	model.mu.Lock()
	model.frames.Skip()
	model.mu.Unlock()
	out.mu.Lock()
	out.screen.Skip()
	out.mu.Unlock()
	time.Sleep(window)
	cpu, wait, steal := feedtest.CPUTime()-cpu0, feedtest.RunQueueWait()-wait0, feedtest.StealTime()-steal0
	msgs := lp.Client.Status().Frames - msgs0
	bytes := out.bytes.Load() - bytes0
	lp.Stop()

	var sent []time.Time
	if hubProcess {
		var cores float64
		if sent, cores, err = child.Stop(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(cores, "hub-cores")
	} else {
		sent = probes.Sent()
		b.ReportMetric(float64(lp.Hub.Stats().Dropped), "drops")
	}
	model.frames.Report(b, "frame-", sent)
	out.screen.Report(b, "", sent)
	b.ReportMetric(float64(msgs)/window.Seconds(), "feed-msgs/s")
	b.ReportMetric(cpu.Seconds()/window.Seconds(), "cores")
	b.ReportMetric(wait.Seconds()/window.Seconds(), "runq-cores")
	b.ReportMetric(steal.Seconds()/window.Seconds(), "steal-cores")
	b.ReportMetric(float64(bytes)/window.Seconds(), "bytes/s")
}
