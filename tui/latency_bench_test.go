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

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/engine"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
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
			if c.ID == feedtest.ProbeCallID {
				if n, err := strconv.Atoi(c.Tags["probe"]); err == nil {
					m.mu.Lock()
					m.frames.Saw(n, now)
					m.mu.Unlock()
				}
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
// end on loopback, in one process: the simulator with 10,000 calls at real
// speed (stats timestamps elided, as `calltop hub --simulate` serves
// them), the hub, a WebSocket, feed.Client, the engine with the real
// Monitor and Book, and the real tea.Program at 200x50 (30 fps, as the
// command runs it) writing to a terminal that notes the time of every
// write. The calls screen is filtered to the probe call, as a support
// agent watching one customer's call would. A probe (feedtest.Probes,
// every 10 ms) is a call.update that renames the probe call's room; its
// screen latency is from hub.Publish to the first terminal write after a
// View that shows the new room. frame-p50/p99 time the same probes to the
// Update that takes their frame. Run with -benchtime=1x: about 35 s.
func BenchmarkScreenLatency10000(b *testing.B) {
	const warmup, window = 12 * time.Second, 20 * time.Second
	for i := 0; i < b.N; i++ {
		s, err := sim.New(sim.Config{Calls: 10000, Seed: 1, ElideStatTimestamps: true})
		if err != nil {
			b.Fatal(err)
		}
		lp := feedtest.StartLoopback(b, feed.HubConfig{})
		probes := &feedtest.Probes{Publisher: lp.Hub, Every: 10 * time.Millisecond}
		eng, err := engine.New(engine.Options{Events: lp.Client.Events(), Source: "loopback",
			NewMonitor: func() engine.Monitor { return diagnose.NewMonitor(diagnose.Options{}) },
			NewBook:    func() *alert.Book { return alert.NewBook(alert.Options{}) }})
		if err != nil {
			b.Fatal(err)
		}
		lp.Go(func(ctx context.Context) { _ = eng.Run(ctx) })
		lp.Go(func(ctx context.Context) { _ = feed.StepSource(s.StepEach, time.Second, 1)(ctx, probes) })

		model := &probeModel{Model: New(engineControl{e: eng, focused: &atomic.Value{}}, eng.Frames(), Options{}),
			frames: feedtest.NewLatencies(probes)}
		model.inView.Store(-1)
		out := &screenWriter{model: model, screen: feedtest.NewLatencies(probes)}
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
		cpu0, wait0 := feedtest.CPUTime(), feedtest.RunQueueWait()
		bytes0, pub0 := out.bytes.Load(), lp.Hub.Stats().Published
		model.mu.Lock()
		model.frames.Skip()
		model.mu.Unlock()
		out.mu.Lock()
		out.screen.Skip()
		out.mu.Unlock()
		time.Sleep(window)
		cpu, wait := feedtest.CPUTime()-cpu0, feedtest.RunQueueWait()-wait0
		pub := lp.Hub.Stats().Published - pub0
		bytes := out.bytes.Load() - bytes0
		model.mu.Lock()
		model.frames.Report(b, "frame-")
		model.mu.Unlock()
		out.mu.Lock()
		out.screen.Report(b, "")
		out.mu.Unlock()
		lp.Stop()
		b.ReportMetric(float64(lp.Hub.Stats().Dropped), "drops")
		b.ReportMetric(float64(pub)/window.Seconds(), "pub-msgs/s")
		b.ReportMetric(cpu.Seconds()/window.Seconds(), "cores")
		b.ReportMetric(wait.Seconds()/window.Seconds(), "runq-cores")
		b.ReportMetric(float64(bytes)/window.Seconds(), "bytes/s")
	}
}
