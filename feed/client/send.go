package client

import (
	"errors"
	"time"

	"github.com/gorilla/websocket"
)

// errNotConnected is Send's error while no connection is up.
var errNotConnected = errors.New("not connected to the feed")

// sendTimeout bounds one Send's write.
const sendTimeout = 5 * time.Second

// Send writes one text frame to the hub on the live connection (a team
// hub's command). It fails at once while the client is not connected; a
// frame sent just before a connection drops may be lost, so a sender
// waits for its answer and retries or reports. Safe for concurrent use.
func (c *Client) Send(frame []byte) error {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return errNotConnected
	}
	conn.SetWriteDeadline(time.Now().Add(sendTimeout))
	return conn.WriteMessage(websocket.TextMessage, frame)
}

// setConn records the live connection for Send (nil when it ends).
func (c *Client) setConn(conn *websocket.Conn) {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	c.mu.Lock()
	c.conn = conn
	c.mu.Unlock()
}
