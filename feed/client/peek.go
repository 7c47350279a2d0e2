package client

import (
	"context"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
)

// Peek connects once (each URL in turn, as Run's first round does), reads
// the first n frames the hub sends and closes: enough to learn what a hub
// is (its hello, a team hub's welcome) without taking its snapshot. It
// gives up when ctx ends.
func Peek(ctx context.Context, cfg Config, n int) ([][]byte, error) {
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	var lastErr error
	for _, u := range c.cfg.URLs {
		conn, err := c.dial(ctx, u)
		if err != nil {
			lastErr = err
			continue
		}
		frames, err := peekFrames(ctx, conn, n)
		conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, "peeked"), time.Now().Add(time.Second))
		conn.Close()
		return frames, err
	}
	return nil, lastErr
}

// peekFrames reads up to n frames from conn before ctx ends.
func peekFrames(ctx context.Context, conn *websocket.Conn, n int) ([][]byte, error) {
	conn.SetReadLimit(feed.MaxFrameBytes)
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()
	var out [][]byte
	for len(out) < n {
		_, b, err := conn.ReadMessage()
		if err != nil {
			return out, err
		}
		out = append(out, b)
	}
	return out, nil
}
