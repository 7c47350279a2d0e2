package feedtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/feed/hub"
)

// hubChildEnv carries, to a test binary started by StartHubProcess, what
// it is to serve.
const hubChildEnv = "CALLTOP_FEEDTEST_HUB_CHILD"

// HubChild returns what StartHubProcess asked this process to serve, or
// "" when it is not a hub child. A test binary's TestMain checks it first:
//
//	if arg := feedtest.HubChild(); arg != "" {
//		os.Exit(feedtest.ServeHubChild(sourceFor(arg)))
//	}
func HubChild() string { return os.Getenv(hubChildEnv) }

// ServeHubChild is a hub child's whole life: it serves a hub on a
// loopback port, publishing source through Probes (every 10 ms), and
// writes "ADDR\n" to stdout. When stdin closes it stops and writes when
// each probe was sent (Unix nanoseconds, one a line). It returns the exit
// code.
func ServeHubChild(source hub.Source) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	hub := hub.New(hub.Config{Logf: func(string, ...any) {}})
	probes := &Probes{Publisher: hub, Every: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = hub.Serve(ctx, ln); done <- struct{}{} }()
	go func() { _ = source(ctx, probes); done <- struct{}{} }()
	fmt.Printf("%s\n", ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it
	cancel()
	<-done
	<-done
	w := bufio.NewWriter(os.Stdout)
	for _, t := range probes.Sent() {
		fmt.Fprintln(w, t.UnixNano())
	}
	if err := w.Flush(); err != nil {
		return 1
	}
	return 0
}

// HubProcess is a hub serving in a child process: the same test binary,
// started again with arg for its TestMain (see HubChild).
type HubProcess struct {
	URL   string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	began time.Time
	once  sync.Once
}

// childWait bounds how long the harness waits for the child to start or
// to finish; past it the child is killed.
const childWait = 30 * time.Second

// StartHubProcess starts the child and waits for its address. The child
// is killed when the test ends if Stop was not called before.
func StartHubProcess(tb testing.TB, arg string) *HubProcess {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hubChildEnv+"="+arg)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	h := &HubProcess{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout), began: time.Now()}
	tb.Cleanup(h.kill)
	kill := time.AfterFunc(childWait, h.kill)
	addr, err := h.out.ReadString('\n')
	kill.Stop()
	if err != nil {
		h.kill()
		tb.Fatalf("hub child: no address within %v: %v", childWait, err)
	}
	h.URL = "ws://" + strings.TrimSpace(addr) + "/feed"
	return h
}

// kill ends the child at once, unless Stop or kill already ended it.
func (h *HubProcess) kill() {
	h.once.Do(func() {
		h.cmd.Process.Kill()
		h.cmd.Wait()
	})
}

// Stop ends the child and returns when each probe was sent and the cores
// the child used on average over its life. A child that does not finish
// within childWait is killed.
func (h *HubProcess) Stop() (sent []time.Time, cores float64, err error) {
	stopped := false
	h.once.Do(func() {
		stopped = true
		kill := time.AfterFunc(childWait, func() { h.cmd.Process.Kill() })
		defer kill.Stop()
		h.stdin.Close()
		for {
			line, rerr := h.out.ReadString('\n')
			if line = strings.TrimSpace(line); line != "" && err == nil {
				ns, perr := strconv.ParseInt(line, 10, 64)
				if perr != nil {
					err = fmt.Errorf("hub child wrote %q: %w", line, perr)
				} else {
					sent = append(sent, time.Unix(0, ns))
				}
			}
			if rerr != nil { // read to the end, so the child never blocks writing
				break
			}
		}
		if werr := h.cmd.Wait(); werr != nil && err == nil {
			err = fmt.Errorf("hub child: %w", werr)
		}
		if st := h.cmd.ProcessState; st != nil {
			cores = (st.UserTime() + st.SystemTime()).Seconds() / time.Since(h.began).Seconds()
		}
	})
	if !stopped {
		return nil, 0, fmt.Errorf("hub child: already stopped")
	}
	return sent, cores, err
}
