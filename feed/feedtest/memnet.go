package feedtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"testing"
)

// MemNet is an in-memory network for tests that run in virtual time
// (testing/synctest): the real hub, client and HTTP servers talk over
// in-memory connections (memPipe) whose reads, writes and deadlines wait
// on the bubble's clock, where a loopback socket would wait outside it. Addresses
// look like loopback TCP ones; a dial to one nobody listens on is refused
// as TCP would refuse it.
type MemNet struct {
	mu        sync.Mutex
	listeners map[string]*memListener
	port      int
}

// NewMemNet returns an empty in-memory network.
func NewMemNet() *MemNet { return &MemNet{listeners: map[string]*memListener{}, port: 40000} }

// Listen listens on addr ("127.0.0.1:0" for a port of its own); a closed
// listener's address is free again at once.
func (n *MemNet) Listen(addr string) (net.Listener, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if addr == "" || addr == "127.0.0.1:0" {
		n.port++
		addr = fmt.Sprintf("127.0.0.1:%d", n.port)
	}
	if n.listeners[addr] != nil {
		return nil, &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
	}
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil, err
	}
	l := &memListener{net: n, addr: ta, conns: make(chan net.Conn), done: make(chan struct{})}
	n.listeners[addr] = l
	return l, nil
}

// DialContext connects to the listener on addr; it has the signature of
// net.Dialer.DialContext (client.Config.NetDialContext, http.Transport).
func (n *MemNet) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	l := n.listeners[addr]
	n.port++
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: n.port}
	n.mu.Unlock()
	refused := &net.OpError{Op: "dial", Net: network, Addr: tcpAddr(addr),
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	if l == nil {
		return nil, refused
	}
	mine, theirs := memPipe(local, l.addr)
	select {
	case l.conns <- theirs:
		return mine, nil
	case <-l.done:
		return nil, refused
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func tcpAddr(addr string) net.Addr {
	ta, _ := net.ResolveTCPAddr("tcp", addr)
	return ta
}

// memListener is a MemNet listener.
type memListener struct {
	net   *MemNet
	addr  *net.TCPAddr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *memListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *memListener) Close() error {
	err := errors.New("feedtest: listener already closed")
	l.once.Do(func() {
		l.net.mu.Lock()
		delete(l.net.listeners, l.addr.String())
		l.net.mu.Unlock()
		close(l.done)
		err = nil
	})
	return err
}

func (l *memListener) Addr() net.Addr { return l.addr }

// Serve serves handler over HTTP on a new address of n until the test
// ends, and returns its base URL (http://ADDR). The cleanup closes the
// server and waits for every handler to return: a synctest bubble must
// end with its goroutines.
func (n *MemNet) Serve(t testing.TB, handler http.Handler) string {
	t.Helper()
	ln, err := n.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var handlers sync.WaitGroup
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		handler.ServeHTTP(w, r)
	})}
	served := make(chan struct{})
	go func() { defer close(served); srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		<-served
		handlers.Wait()
	})
	return "http://" + ln.Addr().String()
}

// HTTPClient returns an HTTP client whose connections go over n.
func (n *MemNet) HTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: n.DialContext}}
}
