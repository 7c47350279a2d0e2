package feed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

// inFrame is one read from the connection: a frame or the error that
// ended reading.
type inFrame struct {
	typ  int
	data []byte
	recv time.Time
	err  error
}

// serve runs one live connection until it drops or ctx ends. It returns
// how long the connection was up and why it ended.
func (c *Client) serve(ctx context.Context, conn *websocket.Conn, u string) (time.Duration, error) {
	start := time.Now()
	c.setState(ctx, func(s *Status) {
		s.State, s.URL, s.Reason, s.NextAttempt = StateLive, u, "", time.Time{}
		s.Connects++
	})
	frames := make(chan inFrame, 64)
	readerDone, stop := make(chan struct{}), make(chan struct{})
	go c.read(conn, frames, stop, readerDone)
	defer func() {
		close(stop)
		conn.Close()
		<-readerDone
	}()

	ping := time.NewTicker(c.cfg.PingInterval)
	defer ping.Stop()
	stallCheck := time.NewTicker(max(c.cfg.StallAfter/4, 10*time.Millisecond))
	defer stallCheck.Stop()
	lastFrame := start
	stalled := false
	var parts SnapshotAssembler
	var partFrames [][]byte

	for {
		select {
		case <-ctx.Done():
			conn.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseNormalClosure, "client done"), time.Now().Add(time.Second))
			return time.Since(start), ctx.Err()
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.cfg.DialTimeout)); err != nil {
				return time.Since(start), fmt.Errorf("ping failed: %w", err)
			}
		case now := <-stallCheck.C:
			if !stalled && now.Sub(lastFrame) >= c.cfg.StallAfter {
				stalled = true
				c.setState(ctx, func(s *Status) { s.State, s.Since = StateStalled, lastFrame })
			}
		case f := <-frames:
			if f.err != nil {
				return time.Since(start), c.readError(ctx, f.err)
			}
			lastFrame = f.recv
			if stalled {
				stalled = false
				c.setState(ctx, func(s *Status) { s.State = StateLive })
			}
			c.handle(ctx, f, &parts, &partFrames)
		}
	}
}

// read reads frames until the connection fails, refreshing the dead-peer
// deadline on every frame and pong.
func (c *Client) read(conn *websocket.Conn, out chan<- inFrame, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	conn.SetReadLimit(MaxFrameBytes)
	conn.SetReadDeadline(time.Now().Add(c.cfg.DeadAfter))
	conn.SetPongHandler(func(string) error {
		return conn.SetReadDeadline(time.Now().Add(c.cfg.DeadAfter))
	})
	for {
		typ, data, err := conn.ReadMessage()
		f := inFrame{typ: typ, data: data, recv: time.Now(), err: err}
		select {
		case out <- f:
		case <-stop:
			return
		}
		if err != nil {
			return
		}
		conn.SetReadDeadline(time.Now().Add(c.cfg.DeadAfter))
	}
}

// readError turns the error that ended a connection into its reason,
// counting an oversize frame as a bad frame.
func (c *Client) readError(ctx context.Context, err error) error {
	if errors.Is(err, websocket.ErrReadLimit) {
		reason := fmt.Sprintf("frame larger than the %d-byte limit; connection dropped", MaxFrameBytes)
		c.bad(ctx, nil, time.Now(), reason)
		return errors.New(reason)
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if ce.Text != "" {
			return fmt.Errorf("hub closed the connection: %s", ce.Text)
		}
		return fmt.Errorf("hub closed the connection (code %d)", ce.Code)
	}
	return fmt.Errorf("connection lost: %w", err)
}

// handle decodes one frame and delivers what it holds.
func (c *Client) handle(ctx context.Context, f inFrame, parts *SnapshotAssembler, partFrames *[][]byte) {
	c.mu.Lock()
	c.status.Frames++
	c.mu.Unlock()
	if f.typ != websocket.TextMessage {
		c.bad(ctx, f.data, f.recv, "binary frame; calltop.v1 frames are text")
		return
	}
	m := new(Message)
	if err := Decode(f.data, m); err != nil {
		if errors.Is(err, ErrUnknownType) {
			c.mu.Lock()
			c.status.Unknown++
			c.mu.Unlock()
			if c.cfg.KeepUnknown {
				c.emit(ctx, Event{Kind: EventUnknown, Msg: m, Frames: [][]byte{f.data}, Recv: f.recv})
			}
			return
		}
		c.bad(ctx, f.data, f.recv, err.Error())
		return
	}
	if m.Type != TypeSnapshot {
		c.emit(ctx, Event{Kind: EventMessage, Msg: m, Frames: [][]byte{f.data}, Recv: f.recv})
		return
	}
	if m.Part <= 1 {
		*partFrames = nil
	}
	*partFrames = append(*partFrames, f.data)
	full, err := parts.Add(m)
	if err != nil {
		*partFrames = nil
		c.bad(ctx, f.data, f.recv, err.Error())
		return
	}
	if full != nil {
		c.emit(ctx, Event{Kind: EventMessage, Msg: full, Frames: *partFrames, Recv: f.recv})
		*partFrames = nil
	}
}

// bad counts a malformed frame and reports it.
func (c *Client) bad(ctx context.Context, frame []byte, recv time.Time, reason string) {
	c.mu.Lock()
	c.status.BadFrames++
	c.status.LastBadReason = reason
	c.mu.Unlock()
	if len(frame) > 1024 {
		frame = frame[:1024]
	}
	c.emit(ctx, Event{Kind: EventBadFrame, Frames: [][]byte{frame}, Recv: recv, Reason: reason})
}
