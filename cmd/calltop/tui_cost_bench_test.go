package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/feedtest"
)

// BenchmarkTUICost measures what a TUI's client costs on its own side:
// bytes/s it receives and the CPU its feed client and engine use, with a
// hub (`calltop hub --simulate N`, the built binary, in its own process
// so its work is not counted) serving N simulated calls at real speed.
//
//   - full-1000: the full feed (every call's stats), diagnosed locally,
//     as `calltop --feed` does today;
//   - view-1000, view-20000: view mode (`calltop --feed ... --view` on
//     `hub --index`): a window of 60 rows, worst first, and one call open.
//
// Each run warms up, then measures a window; the engine's frames are
// read as the TUI reads them. Run with -benchtime=1x (about 30 s each):
//
//	go test -run '^$' -bench BenchmarkTUICost -benchtime=1x ./cmd/calltop/
func BenchmarkTUICost(b *testing.B) {
	bin := buildCalltop(b)
	for _, c := range []struct {
		name  string
		calls int
		view  bool
	}{{"full-1000", 1000, false}, {"view-1000", 1000, true}, {"view-20000", 20000, true}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				measureTUICost(b, bin, c.calls, c.view)
			}
		})
	}
}

// countingConn counts the bytes read from a connection.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func measureTUICost(b *testing.B, bin string, calls int, view bool) {
	const warmup, window = 10 * time.Second, 15 * time.Second
	args := []string{"hub", "--simulate", strconv.Itoa(calls), "--seed", "1", "--listen", "127.0.0.1:0"}
	if view {
		args = append(args, "--index")
	}
	logs := &lockedBuffer{}
	hubCmd := exec.Command(bin, args...)
	hubCmd.Stdout, hubCmd.Stderr = logs, logs
	hubCmd.Env = append(os.Environ(), "HOME="+b.TempDir())
	if err := hubCmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { hubCmd.Process.Signal(os.Interrupt); hubCmd.Wait() }()
	var addr string
	for deadline := time.Now().Add(30 * time.Second); addr == ""; time.Sleep(20 * time.Millisecond) {
		if m := servingOn.FindStringSubmatch(logs.String()); m != nil {
			addr = m[1]
		} else if time.Now().After(deadline) {
			b.Fatalf("the hub did not listen within 30 s:\n%s", logs.String())
		}
	}

	var bytes atomic.Int64
	d := net.Dialer{}
	cfg := client.Config{URLs: []string{"ws://" + addr + "/feed"},
		NetDialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, a)
			if err != nil {
				return nil, err
			}
			return countingConn{c, &bytes}, nil
		}}
	if view {
		var err error
		if cfg, err = viewConfig(cfg); err != nil {
			b.Fatal(err)
		}
	}
	c, err := client.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	opts := engine.Options{NewMonitor: newMonitor, Events: c.Events(),
		NewBook: func() *alert.Book { return alert.NewBook(alert.Options{}) }}
	if view {
		opts.View = &engine.ViewOptions{Send: c.Send}
	}
	e, err := engine.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.Run(ctx) })
	wg.Go(func() { e.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	b.ResetTimer()
	start := time.Now()
	measureFrom, end := start.Add(warmup), start.Add(warmup+window)
	var cpu0 time.Duration
	var bytes0 int64
	frames, opened, rows, focused := 0, false, 0, false
	for now := time.Now(); now.Before(end); now = time.Now() {
		var f engine.Frame
		select {
		case f = <-e.Frames():
		case <-time.After(time.Until(end)):
			continue
		}
		if view && !opened && f.View != nil && len(f.View.Rows) > 0 {
			e.SetView(feed.ViewQuery{Sort: feed.SortWorst, Limit: 60, Ended: true})
			e.Focus(f.View.Rows[0].Key) // the call screen open on the worst call
			opened = true
		}
		if fd := f.Calls.Focus; fd != nil && len(fd.Participants) > 0 {
			focused = true
		}
		if f.View != nil {
			rows = f.View.Matched
		} else {
			rows = len(f.Calls.Calls)
		}
		if time.Now().Before(measureFrom) {
			continue
		}
		if cpu0 == 0 {
			cpu0, bytes0 = feedtest.CPUTime(), bytes.Load()
		}
		frames++
	}
	secs := window.Seconds()
	b.StopTimer()
	if view && !focused {
		b.Fatal("the open call's stats never reached the engine's Monitor")
	}
	if rows < calls*9/10 {
		b.Fatalf("the client saw %d calls of the hub's %d", rows, calls)
	}
	b.ReportMetric(float64(bytes.Load()-bytes0)/secs/1024, "KiB/s")
	b.ReportMetric((feedtest.CPUTime()-cpu0).Seconds()/secs*1000, "cpu-ms/s")
	b.ReportMetric(float64(frames)/secs, "frames/s")
}
