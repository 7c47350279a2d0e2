package client

import (
	"context"
	"errors"
	"fmt"
	"github.com/calltop/calltop/feed"
	"io"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// inFrame is one frame read from the connection.
type inFrame struct {
	typ  int
	data []byte
	recv time.Time
}

// liveness is what a connection's reader shares with its serve loop: when
// the last frame came, and whether serve has reported the feed stalled.
type liveness struct {
	last    atomic.Int64  // time of the last frame, Unix ns
	stalled atomic.Bool   // serve reported StateStalled (or is about to)
	alive   chan struct{} // the reader's poke: a frame came while stalled
}

// frameArrived notes a frame at t and pokes serve if it reported a stall.
func (lv *liveness) frameArrived(t time.Time) {
	lv.last.Store(t.UnixNano())
	if lv.stalled.Load() {
		select {
		case lv.alive <- struct{}{}:
		default:
		}
	}
}

// serve runs one live connection until it drops or ctx ends. It returns
// how long the connection was up and why it ended. Its reader goroutine
// reads, decodes and delivers the frames; serve pings and watches for a
// stall.
func (c *Client) serve(ctx context.Context, conn *websocket.Conn, u string) (time.Duration, error) {
	start := time.Now()
	c.setState(ctx, func(s *feed.Status) {
		s.State, s.URL, s.Reason, s.NextAttempt = feed.StateLive, u, "", time.Time{}
		s.Connects++
	})
	lv := &liveness{alive: make(chan struct{}, 1)}
	lv.last.Store(start.UnixNano())
	var readErr error
	readerDone, stop := make(chan struct{}), make(chan struct{})
	c.setConn(conn) // before the reader: whoever reads hello may Send at once
	go func() {
		defer close(readerDone)
		readErr = c.read(ctx, conn, lv, stop)
	}()
	defer func() {
		c.setConn(nil)
		close(stop)
		conn.Close()
		<-readerDone
	}()

	ping := time.NewTicker(c.cfg.PingInterval)
	defer ping.Stop()
	stallCheck := time.NewTicker(max(c.cfg.StallAfter/4, 10*time.Millisecond))
	defer stallCheck.Stop()
	done := func() (time.Duration, error) {
		conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, "client done"), time.Now().Add(time.Second))
		return time.Since(start), ctx.Err()
	}
	for {
		select {
		case <-ctx.Done():
			return done()
		case <-readerDone:
			if readErr == nil { // it stopped delivering: ctx ended
				return done()
			}
			return time.Since(start), c.readError(ctx, readErr)
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.cfg.DialTimeout)); err != nil {
				return time.Since(start), fmt.Errorf("ping failed: %w", err)
			}
		case now := <-stallCheck.C:
			if lv.stalled.Load() {
				continue
			}
			// Flag first, then look: a frame the look misses sees the
			// flag and pokes alive.
			lv.stalled.Store(true)
			last := time.Unix(0, lv.last.Load())
			if now.Sub(last) < c.cfg.StallAfter {
				lv.stalled.Store(false)
				continue
			}
			c.setState(ctx, func(s *feed.Status) { s.State, s.Since = feed.StateStalled, last })
		case <-lv.alive:
			if lv.stalled.Load() {
				lv.stalled.Store(false)
				c.setState(ctx, func(s *feed.Status) { s.State = feed.StateLive })
			}
		}
	}
}

// deadlineEvery is how often, at most, the reader pushes its dead-peer
// deadline forward while frames keep coming (not on every frame: that
// costs a timer change each); a quarter of DeadAfter when that is shorter.
const deadlineEvery = time.Second

// read reads, decodes and delivers frames until the connection fails (it
// returns the error) or stop closes (nil). It refreshes the dead-peer
// deadline as frames and pongs come.
func (c *Client) read(ctx context.Context, conn *websocket.Conn, lv *liveness, stop <-chan struct{}) error {
	conn.SetReadLimit(feed.MaxFrameBytes)
	conn.SetReadDeadline(time.Now().Add(c.cfg.DeadAfter))
	conn.SetPongHandler(func(string) error {
		return conn.SetReadDeadline(time.Now().Add(c.cfg.DeadAfter))
	})
	pipe := feed.Pipeline{KeepUnknown: c.cfg.KeepUnknown}
	var scratch []byte
	refreshed, every := time.Now(), min(deadlineEvery, c.cfg.DeadAfter/4)
	for {
		typ, r, err := conn.NextReader()
		if err == nil {
			scratch, err = readAllInto(scratch[:0], r)
		}
		if err != nil {
			select {
			case <-stop:
				return nil
			default:
				return err
			}
		}
		f := inFrame{typ: typ, data: feed.TakeFrame(scratch), recv: time.Now()}
		if len(scratch) > 4<<20 {
			scratch = nil // a huge frame passed; do not keep its room
		}
		lv.frameArrived(f.recv)
		if f.recv.Sub(refreshed) >= every {
			conn.SetReadDeadline(f.recv.Add(c.cfg.DeadAfter))
			refreshed = f.recv
		}
		if !c.handle(ctx, stop, f, &pipe) {
			return nil
		}
	}
}

// readAllInto appends everything r holds to b: one frame, read into
// reused room so that only its exact copy is allocated.
func readAllInto(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// readError turns the error that ended a connection into its reason,
// counting an oversize frame as a bad frame.
func (c *Client) readError(ctx context.Context, err error) error {
	if errors.Is(err, websocket.ErrReadLimit) {
		reason := fmt.Sprintf("frame larger than the %d-byte limit; connection dropped", feed.MaxFrameBytes)
		c.bad(ctx, nil, nil, time.Now(), reason)
		return errors.New(reason)
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if ce.Text != "" {
			return fmt.Errorf("hub closed the connection: %s", feed.LogSafe(ce.Text))
		}
		return fmt.Errorf("hub closed the connection (code %d)", ce.Code)
	}
	return fmt.Errorf("connection lost: %w", err)
}

// handle passes one frame through the pipeline and delivers what it
// completes. It reports false when delivery gave up because ctx ended or
// stop closed.
func (c *Client) handle(ctx context.Context, stop <-chan struct{}, f inFrame, pipe *feed.Pipeline) bool {
	c.mu.Lock()
	c.status.Frames++
	c.mu.Unlock()
	if f.typ != websocket.TextMessage {
		return c.bad(ctx, stop, f.data, f.recv, "binary frame; calltop.v1 frames are text")
	}
	ev, deliver := pipe.Frame(f.data, f.recv, true)
	switch ev.Kind {
	case feed.EventUnknown:
		c.mu.Lock()
		c.status.Unknown++
		c.mu.Unlock()
	case feed.EventBadFrame:
		return c.bad(ctx, stop, f.data, f.recv, ev.Reason)
	}
	if !deliver {
		return true
	}
	return c.deliver(ctx, stop, ev)
}

// bad counts a malformed frame and reports it (stop may be nil). It
// reports false when delivery gave up.
func (c *Client) bad(ctx context.Context, stop <-chan struct{}, frame []byte, recv time.Time, reason string) bool {
	c.mu.Lock()
	c.status.BadFrames++
	c.status.LastBadReason = reason
	c.mu.Unlock()
	return c.deliver(ctx, stop, feed.BadFrame(frame, recv, reason))
}

// deliver puts ev on the events channel unless ctx ends or stop closes
// first (it then reports false).
func (c *Client) deliver(ctx context.Context, stop <-chan struct{}, ev feed.Event) bool {
	select {
	case c.events <- ev:
		return true
	case <-ctx.Done():
		return false
	case <-stop:
		return false
	}
}
