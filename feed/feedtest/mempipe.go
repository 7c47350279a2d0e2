package feedtest

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// pipeBuffer is how many bytes one direction of a memPipe holds before a
// write waits for the reader, as a loopback socket's buffers would.
const pipeBuffer = 256 << 10

// errPeerGone is what a write to a connection whose peer closed returns.
var errPeerGone = errors.New("feedtest: connection reset by peer")

// memPipe returns the two ends of an in-memory connection between the
// addresses a and b. Unlike net.Pipe each direction is buffered, so a
// writer need not wait for a reader that is busy (a WebSocket peer in the
// middle of its own write would otherwise deadlock the two); reads,
// writes and deadlines block only on channels and timers, which
// testing/synctest counts as durably blocked.
func memPipe(a, b net.Addr) (net.Conn, net.Conn) {
	ab, ba := newHalfPipe(), newHalfPipe()
	return &memConn{rx: ba, tx: ab, local: a, remote: b, done: make(chan struct{})},
		&memConn{rx: ab, tx: ba, local: b, remote: a, done: make(chan struct{})}
}

// halfPipe is one direction of a memPipe.
type halfPipe struct {
	mu         sync.Mutex
	buf        []byte
	eof        bool          // the writer closed: EOF once buf is read
	readerGone bool          // the reader closed: writes fail
	data       chan struct{} // a token when data or EOF may be ready
	space      chan struct{} // a token when room may be free
}

func newHalfPipe() *halfPipe {
	return &halfPipe{data: make(chan struct{}, 1), space: make(chan struct{}, 1)}
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// memConn is one end of a memPipe.
type memConn struct {
	rx, tx        *halfPipe
	local, remote net.Addr
	done          chan struct{} // closed by Close
	once          sync.Once
	rd, wd        deadline
}

func (c *memConn) Read(p []byte) (int, error) {
	for {
		if c.closed() {
			return 0, net.ErrClosed
		}
		changed := c.rd.changed()
		if c.rd.expired() {
			return 0, os.ErrDeadlineExceeded
		}
		c.rx.mu.Lock()
		if len(c.rx.buf) > 0 {
			n := copy(p, c.rx.buf)
			c.rx.buf = c.rx.buf[n:]
			c.rx.mu.Unlock()
			poke(c.rx.space)
			return n, nil
		}
		eof := c.rx.eof
		c.rx.mu.Unlock()
		if eof {
			return 0, io.EOF
		}
		select {
		case <-c.rx.data:
		case <-changed:
		case <-c.done:
		}
	}
}

func (c *memConn) Write(p []byte) (int, error) {
	written := 0
	for {
		if c.closed() {
			return written, net.ErrClosed
		}
		changed := c.wd.changed()
		if c.wd.expired() {
			return written, os.ErrDeadlineExceeded
		}
		c.tx.mu.Lock()
		if c.tx.readerGone {
			c.tx.mu.Unlock()
			return written, errPeerGone
		}
		n := min(len(p), pipeBuffer-len(c.tx.buf))
		c.tx.buf = append(c.tx.buf, p[:n]...)
		c.tx.mu.Unlock()
		if n > 0 {
			poke(c.tx.data)
		}
		written, p = written+n, p[n:]
		if len(p) == 0 {
			return written, nil
		}
		select {
		case <-c.tx.space:
		case <-changed:
		case <-c.done:
		}
	}
}

func (c *memConn) closed() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Close ends both directions: the peer reads what was written, then EOF;
// its writes fail.
func (c *memConn) Close() error {
	err := net.ErrClosed
	c.once.Do(func() {
		close(c.done)
		c.tx.mu.Lock()
		c.tx.eof = true
		c.tx.mu.Unlock()
		c.rx.mu.Lock()
		c.rx.readerGone, c.rx.buf = true, nil
		c.rx.mu.Unlock()
		poke(c.tx.data)
		poke(c.rx.space)
		err = nil
	})
	return err
}

func (c *memConn) LocalAddr() net.Addr  { return c.local }
func (c *memConn) RemoteAddr() net.Addr { return c.remote }

func (c *memConn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

func (c *memConn) SetReadDeadline(t time.Time) error  { c.rd.set(t); return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }

// deadline is a connection's read or write deadline. Waiters take its
// channel, which closes when the deadline passes or changes, then check
// expired: a deadline moved while a Read waits applies to that Read.
type deadline struct {
	mu    sync.Mutex
	at    time.Time
	timer *time.Timer
	ch    chan struct{}
}

// set moves the deadline to t (zero: none).
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.renew()
	d.at = t
	if t.IsZero() {
		return
	}
	ch := d.ch
	d.timer = time.AfterFunc(max(time.Until(t), 0), func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.ch == ch {
			d.renew()
		}
	})
}

// renew wakes the waiters on the current channel and starts a new one;
// d.mu is held.
func (d *deadline) renew() {
	if d.ch != nil {
		close(d.ch)
	}
	d.ch = make(chan struct{})
}

// changed returns a channel that closes when the deadline passes or moves.
func (d *deadline) changed() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ch == nil {
		d.ch = make(chan struct{})
	}
	return d.ch
}

// expired reports whether the deadline has passed.
func (d *deadline) expired() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.at.IsZero() && !time.Now().Before(d.at)
}
