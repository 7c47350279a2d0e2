package viewserve

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/hub"
)

// RunEngine diagnoses what h serves and keeps the index in step, until
// ctx ends: h is served on an internal loopback listener, an engine
// (newMonitor's Monitor, no alert book) subscribes to it with token (the
// hub's --token, "" for none), and each of its frames' snapshots is
// synced into the index. A team hub has an engine already: give its
// snapshots to Sync instead.
func (s *Server) RunEngine(ctx context.Context, h *hub.Hub, token string, newMonitor func() engine.Monitor) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("call index: internal listener: %w", err)
	}
	srv := &http.Server{Handler: h.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	c, err := client.New(client.Config{URLs: []string{"ws://" + ln.Addr().String() + "/feed"}, Token: token, MaxBackoff: time.Second})
	if err != nil {
		return err
	}
	// Windows go out at most every Interval: a snapshot every half of it
	// is fresh enough: 8 snapshots a second rather than a TUI's 20.
	eng, err := engine.New(engine.Options{NewMonitor: newMonitor, Source: "call index", Events: c.Events(),
		FrameInterval: s.cfg.Interval / 2})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { c.Run(ctx) })
	wg.Go(func() { eng.Run(ctx) })
	for f := range eng.Frames() {
		s.Sync(f.Calls)
	}
	cancel()
	wg.Wait()
	return nil
}
