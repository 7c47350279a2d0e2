package feedtest

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// memPair dials a new listener of n and returns both ends.
func memPair(t *testing.T, n *MemNet) (client, server net.Conn) {
	t.Helper()
	ln, err := n.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = n.DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

func TestMemNetRefusesAndFreesAddressesAsTCPDoes(t *testing.T) {
	n := NewMemNet()
	_, err := n.DialContext(context.Background(), "tcp", "127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("dial to nobody: %v, want connection refused", err)
	}
	ln, err := n.Listen("127.0.0.1:7070")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Listen("127.0.0.1:7070"); err == nil {
		t.Fatal("a second listener on a taken address")
	}
	ln.Close()
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close: %v", err)
	}
	if _, err := n.Listen("127.0.0.1:7070"); err != nil {
		t.Fatalf("the address of a closed listener is not free: %v", err)
	}
}

func TestMemPipeIsBufferedAndEndsLikeASocket(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server := memPair(t, NewMemNet())
		// A write far smaller than the buffer returns without a reader.
		if _, err := client.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		// A write bigger than the buffer waits for the reader, then
		// completes: everything arrives, in order.
		big := make([]byte, 3*pipeBuffer)
		for i := range big {
			big[i] = byte(i)
		}
		wrote := make(chan error, 1)
		go func() { _, err := client.Write(big); wrote <- err }()
		synctest.Wait()
		select {
		case err := <-wrote:
			t.Fatalf("a write of 3 buffers returned (%v) with nothing read", err)
		default:
		}
		got := make([]byte, 5+len(big))
		if _, err := io.ReadFull(server, got); err != nil {
			t.Fatal(err)
		}
		if err := <-wrote; err != nil || string(got[:5]) != "hello" || got[5+1000] != big[1000] {
			t.Fatalf("write %v; read %q...", err, got[:5])
		}
		// Closing one end: the other reads EOF, and its writes fail.
		client.Write([]byte("bye"))
		client.Close()
		if b, err := io.ReadAll(server); err != nil || string(b) != "bye" {
			t.Fatalf("after the peer closed: read %q, %v; want what it wrote, then EOF", b, err)
		}
		if _, err := server.Write([]byte("x")); err == nil {
			t.Fatal("a write to a closed peer succeeded")
		}
	})
}

func TestMemPipeDeadlinesRunOnTheBubblesClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server := memPair(t, NewMemNet())
		start := time.Now()
		server.SetReadDeadline(start.Add(time.Second))
		read := make(chan error, 1)
		go func() { _, err := server.Read(make([]byte, 1)); read <- err }()
		// Moved while the Read waits: the new deadline applies to it.
		time.Sleep(500 * time.Millisecond)
		server.SetReadDeadline(start.Add(3 * time.Second))
		err := <-read
		var ne net.Error
		if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("read: %v, want a timeout", err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Fatalf("the read timed out after %v, want the moved deadline, 3 s", d)
		}
		// A write deadline in the past fails a write that would wait.
		client.SetWriteDeadline(time.Now().Add(-time.Second))
		if _, err := client.Write(make([]byte, 2*pipeBuffer)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("write past its deadline: %v", err)
		}
	})
}
