package tui

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/sim"
)

// countingWriter is the terminal: it counts the bytes the program writes.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// eventPublisher is a hub.Publisher that hands each message to the
// engine as a client.Client would: encoded, then decoded into a fresh
// message.
type eventPublisher struct{ events chan<- feed.Event }

func (p eventPublisher) Publish(m *feed.Message) error {
	raw, err := feed.AppendMessage(nil, m)
	if err != nil {
		return err
	}
	msg := new(feed.Message)
	if err := feed.Decode(raw, msg); err != nil {
		return err
	}
	p.events <- feed.Event{Kind: feed.EventMessage, Msg: msg, Frames: [][]byte{raw}, Recv: time.Now()}
	return nil
}

func (eventPublisher) PublishFrame([]byte) error { return nil }
func (eventPublisher) EndAll(string) error       { return nil }

// engineControl is the Controller of the benchmark: focus goes to the
// engine, everything else is ignored.
// It remembers the call the TUI asked to focus.
type engineControl struct {
	e       *engine.Engine
	focused *atomic.Value
}

func (c engineControl) Focus(id string)        { c.focused.Store(id); c.e.Focus(id) }
func (engineControl) Ack(string, string)       {}
func (engineControl) Mute(MuteRequest)         {}
func (engineControl) Unmute(string)            {}
func (engineControl) Unack(string)             {}
func (engineControl) ReplayPause(bool)         {}
func (engineControl) ReplaySeek(time.Duration) {}
func (engineControl) ReplaySpeed(float64)      {}

// BenchmarkCallScreenBytes measures what the call screen costs a slow SSH
// link: bytes per second a real tea.Program (at the 30 fps the command
// uses, true colour) writes to the terminal at steady state, driven by the
// real engine over 1,000 simulated calls fed at real speed (one stats
// report per participant per second, spread over the second). The first
// row of the calls table is opened with Enter after a warm-up; the bytes
// of the full first paint are left out. Run with -benchtime=1x: each size
// takes about 18 s.
func BenchmarkCallScreenBytes(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				bps, frames := callScreenBytes(b, size[0], size[1], 6*time.Second, 12*time.Second)
				b.ReportMetric(bps, "bytes/s")
				b.ReportMetric(bps*8/1000, "kbit/s")
				b.ReportMetric(frames, "engine-frames/s")
			}
		})
	}
}

// callScreenBytes runs the program for warmup, opens the first call, waits
// two seconds for the full paint, then counts the bytes written in window.
func callScreenBytes(b *testing.B, w, h int, warmup, window time.Duration) (bytesPerSec, framesPerSec float64) {
	s, err := sim.New(sim.Config{Calls: 1000, Seed: 5})
	if err != nil {
		b.Fatal(err)
	}
	events := make(chan feed.Event, 1024)
	eng, err := engine.New(engine.Options{Events: events, Source: "sim",
		NewMonitor: func() engine.Monitor { return diagnose.NewMonitor(diagnose.Options{}) },
		NewBook:    func() *alert.Book { return alert.NewBook(alert.Options{}) }})
	if err != nil {
		b.Fatal(err)
	}
	// Count the engine's frames on their way to the model.
	frames := make(chan engine.Frame)
	var nframes atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { _ = hub.StepSource(s.StepEach, time.Second, 1)(ctx, eventPublisher{events}) })
	wg.Go(func() { _ = eng.Run(ctx) })
	wg.Go(func() {
		defer close(frames)
		for f := range eng.Frames() {
			nframes.Add(1)
			select {
			case frames <- f:
			case <-ctx.Done():
				return
			}
		}
	})
	out := &countingWriter{}
	ctrl := engineControl{e: eng, focused: &atomic.Value{}}
	prog := tea.NewProgram(New(ctrl, frames, Options{}),
		tea.WithOutput(out), tea.WithInput(nil), tea.WithContext(ctx), tea.WithFPS(30),
		tea.WithWindowSize(w, h), tea.WithColorProfile(colorprofile.TrueColor),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}), tea.WithoutSignalHandler())
	wg.Go(func() { _, _ = prog.Run() })

	time.Sleep(warmup)
	prog.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	time.Sleep(2 * time.Second)
	if id, _ := ctrl.focused.Load().(string); id == "" {
		b.Fatal("Enter did not open a call")
	}
	b0, f0 := out.n.Load(), nframes.Load()
	time.Sleep(window)
	b1, f1 := out.n.Load(), nframes.Load()
	if b1 == b0 {
		b.Fatal("nothing was written to the terminal in the window")
	}
	return float64(b1-b0) / window.Seconds(), float64(f1-f0) / window.Seconds()
}
