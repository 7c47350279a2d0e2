// Command scalerun measures hubs on a NATS bus at scale (docs/scaling.md,
// "What it costs (measured)"): it builds calltop and nats-server, starts a
// routed cluster of nats-server processes, several `calltop hub --nats
// --simulate N` processes sharing it, and one WebSocket subscriber of the
// first hub (in this process, reading every frame as a TUI's client
// would); after a warm-up it measures, over a window, each process's CPU
// (from /proc) and each hub's bus bytes (from /healthz), and prints them
// as a Markdown table.
//
//	go run ./scripts/scalerun                      # 3 nodes, 4 hubs x 5,000 calls
//	go run ./scripts/scalerun -hubs 2 -calls 500 -measure 10s
//	go run ./scripts/scalerun -team -view          # a view client (?view=1) in place of the subscriber
//	go run ./scripts/scalerun -nodes 0 -hubs 1 -calls 1000 -view   # one hub --index, no bus
//	go run ./scripts/scalerun -team -view -calls 2500 -keep         # keep the logs and state (path printed)
//	go run ./scripts/scalerun -team -view -tui                      # also the real TUI in tmux, measured
//
// With -view the client on the first hub is a view client as `calltop
// --view` is: it asks for the 40 worst calls and reads the windows; the
// run waits until its windows count every hub's calls, checks each window
// is worst first, and reports its bytes and frames. With -nodes 0 the hubs
// run without NATS and with --index.
//
// Run it from the repository's root. Linux only (/proc).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
)

type options struct {
	team, view, keep   bool
	tui                bool
	nodes, hubs, calls int
	interval           time.Duration
	warmup, measure    time.Duration
}

func main() {
	var o options
	flag.BoolVar(&o.team, "team", false, "team hubs (--team): each also diagnoses its own calls and keeps their alerts")
	flag.BoolVar(&o.view, "view", false, "the client of the first hub is a view client (?view=1, the 40 worst calls) rather than a subscriber of every frame")
	flag.BoolVar(&o.tui, "tui", false, "also run the real TUI (calltop --feed hub-0 [--view]) in a tmux pane of 80x24 and measure its CPU and bytes read; its calls screen and, after Enter, the worst call's screen are printed")
	flag.BoolVar(&o.keep, "keep", false, "keep the build, logs and state directory (its path is printed) rather than removing it")
	flag.IntVar(&o.nodes, "nodes", 3, "nats-server processes in the cluster (0: hubs with --index and no bus)")
	flag.IntVar(&o.hubs, "hubs", 4, "calltop hub processes")
	flag.IntVar(&o.calls, "calls", 5000, "simulated calls per hub")
	flag.DurationVar(&o.interval, "interval", 4*time.Second, "the simulator's stats interval (1s is a browser's; longer sends fewer reports a second)")
	flag.DurationVar(&o.warmup, "warmup", 20*time.Second, "how long to run before measuring, once every hub serves every call")
	flag.DurationVar(&o.measure, "measure", 30*time.Second, "how long to measure")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "scalerun:", err)
		os.Exit(1)
	}
}

// proc is a child process: a nats-server or a hub.
type proc struct {
	name string
	cmd  *exec.Cmd
	addr string // hub: its listen address; node: its client URL
	log  *os.File
}

func run(ctx context.Context, o options) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run it from the repository's root (go run ./scripts/scalerun)")
	}
	dir, err := os.MkdirTemp("", "calltop-scalerun-")
	if err != nil {
		return err
	}
	if o.keep {
		defer fmt.Fprintf(os.Stderr, "logs and state kept in %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintf(os.Stderr, "building calltop and nats-server into %s\n", dir)
	for _, b := range [][2]string{{"calltop", "./cmd/calltop"}, {"nats-server", "github.com/nats-io/nats-server/v2"}} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, b[0]), b[1]).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	var procs []*proc
	defer func() {
		for _, p := range procs {
			p.cmd.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			done := make(chan struct{})
			go func() { p.cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				p.cmd.Process.Kill()
				<-done
			}
			p.log.Close()
		}
	}()
	start := func(name string, args ...string) (*proc, error) {
		f, err := os.Create(filepath.Join(dir, name+".log"))
		if err != nil {
			return nil, err
		}
		p := &proc{name: name, cmd: exec.Command(filepath.Join(dir, args[0]), args[1:]...), log: f}
		p.cmd.Stdout, p.cmd.Stderr = f, f
		if err := p.cmd.Start(); err != nil {
			f.Close()
			return nil, err
		}
		procs = append(procs, p)
		return p, nil
	}

	// The cluster: every node routes to every other.
	ports := freePorts(3 * o.nodes) // client, cluster, monitoring
	var routes, urls []string
	for i := range o.nodes {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[o.nodes+i]))
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
	}
	for i := range o.nodes {
		args := []string{"-a", "127.0.0.1", "-p", strconv.Itoa(ports[i]),
			"-n", fmt.Sprintf("scale-%d", i), "-m", strconv.Itoa(ports[2*o.nodes+i]), "--cluster_name", "calltop-scale",
			"--cluster", fmt.Sprintf("nats://127.0.0.1:%d", ports[o.nodes+i]), "--routes", strings.Join(routes, ",")}
		if o.team { // team hubs on NATS keep their state in JetStream (docs/team.md)
			args = append(args, "-js", "-sd", filepath.Join(dir, fmt.Sprintf("js-%d", i)))
		}
		p, err := start(fmt.Sprintf("nats-%d", i), append([]string{"nats-server"}, args...)...)
		if err != nil {
			return err
		}
		p.addr = urls[i]
	}
	for i := range o.nodes {
		routez := fmt.Sprintf("http://127.0.0.1:%d/routez", ports[2*o.nodes+i])
		if err := waitFor(ctx, 20*time.Second, "nats-"+strconv.Itoa(i)+"'s routes", func() bool {
			var r struct {
				NumRoutes int `json:"num_routes"`
			}
			return getJSON(routez, &r) == nil && r.NumRoutes >= o.nodes-1
		}); err != nil {
			return err
		}
	}

	// The hubs, each on its own port, every one given the whole cluster.
	hubPorts := freePorts(o.hubs)
	var hubs []*proc
	for i := range o.hubs {
		addr := fmt.Sprintf("127.0.0.1:%d", hubPorts[i])
		args := []string{"calltop", "hub", "--listen", addr, "--simulate", strconv.Itoa(o.calls), "--seed", strconv.Itoa(i + 1),
			"--interval", o.interval.String()}
		if o.nodes > 0 {
			args = append(args, "--nats", strings.Join(urls, ","), "--hub-id", fmt.Sprintf("hub-%d", i))
		} else {
			args = append(args, "--index")
		}
		if o.team {
			args = append(args, "--team", "--state-dir", filepath.Join(dir, fmt.Sprintf("state-%d", i)))
		}
		p, err := start(fmt.Sprintf("hub-%d", i), args...)
		if err != nil {
			return err
		}
		p.addr = addr
		hubs = append(hubs, p)
	}
	total := o.hubs * o.calls
	for _, h := range hubs {
		if err := waitFor(ctx, 120*time.Second, h.name+" to serve every hub's calls", func() bool {
			hs, err := health(h.addr)
			return err == nil && hs.Calls >= total*95/100
		}); err != nil {
			return fmt.Errorf("%w (logs in %s)", err, dir)
		}
	}

	// The subscriber: every frame of the first hub, as a TUI's client; or
	// a view client of it, once its windows count every hub's calls.
	var sub *subscriber
	if o.view {
		sub, err = viewClient(ctx, hubs[0].addr)
		if err == nil {
			err = waitFor(ctx, 120*time.Second, "the view client's windows to count every hub's calls", func() bool {
				return sub.matched.Load() >= int64(total*95/100)
			})
		}
	} else {
		sub, err = subscribe(ctx, hubs[0].addr)
	}
	if err != nil {
		return err
	}
	if o.tui {
		if sub.tui, err = startTUI(dir, hubs[0].addr, o.view); err != nil {
			return err
		}
		defer sub.tui.stop()
	}
	fmt.Fprintf(os.Stderr, "%d hubs serve %d calls; warming up %s, then measuring %s\n", o.hubs, total, o.warmup, o.measure)
	if err := sleep(ctx, o.warmup); err != nil {
		return err
	}
	load, _ := os.ReadFile("/proc/loadavg")
	before, err := sample(procs, hubs, sub)
	if err != nil {
		return err
	}
	if err := sleep(ctx, o.measure); err != nil {
		return err
	}
	after, err := sample(procs, hubs, sub)
	if err != nil {
		return err
	}
	if o.tui {
		if err := sub.tui.show(ctx); err != nil {
			return err
		}
	}
	if sub.err.Load() != nil {
		return fmt.Errorf("the subscriber stopped: %v", *sub.err.Load())
	}
	if o.view && sub.unordered.Load() > 0 {
		return fmt.Errorf("%d of the view client's windows were not worst first", sub.unordered.Load())
	}
	report(o, string(load), procs, hubs, before, after)
	return nil
}

// freePorts returns n distinct free loopback ports.
func freePorts(n int) []int {
	var lns []net.Listener
	var out []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return out
}

// waitFor polls cond every 100 ms until it holds or within passes.
func waitFor(ctx context.Context, within time.Duration, what string, cond func() bool) error {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("waited %s for %s", within, what)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func getJSON(url string, v any) error {
	c := http.Client{Timeout: 20 * time.Second} // a loaded hub answers slowly
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// hubHealth is what scalerun reads of a hub's /healthz.
type hubHealth struct {
	Calls int `json:"calls"`
	Index struct {
		Calls       int   `json:"calls"`
		PeerRows    int   `json:"peerRows"`
		SharedBytes int64 `json:"sharedBytes"`
	} `json:"index"`
	Bus struct {
		Published      int64 `json:"published"`
		PublishedBytes int64 `json:"publishedBytes"`
		Received       int64 `json:"received"`
		ReceivedBytes  int64 `json:"receivedBytes"`
		LostCalls      int   `json:"lostCalls"`
		Errors         int64 `json:"errors"`
	} `json:"bus"`
}

func health(addr string) (hubHealth, error) {
	var h hubHealth
	err := getJSON("http://"+addr+"/healthz", &h)
	return h, err
}

// subscriber reads a hub's feed, counting frames and bytes; a view
// client also notes its last window's matched calls and the windows that
// were not worst first.
type subscriber struct {
	frames, bytes      atomic.Int64
	windowBytes        atomic.Int64 // a view client's view.window frames'
	matched, unordered atomic.Int64
	err                atomic.Pointer[error]
	tui                *tui // the real TUI, with -tui
}

func subscribe(ctx context.Context, addr string) (*subscriber, error) {
	d := websocket.Dialer{Subprotocols: []string{feed.Subprotocol}, HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(ctx, "ws://"+addr+"/feed", nil)
	if err != nil {
		return nil, fmt.Errorf("subscribing to %s: %w", addr, err)
	}
	conn.SetReadLimit(feed.MaxFrameBytes)
	s := &subscriber{}
	go func() {
		defer conn.Close()
		for {
			_, r, err := conn.NextReader()
			if err != nil {
				s.err.Store(&err)
				return
			}
			n, err := io.Copy(io.Discard, r)
			if err != nil {
				s.err.Store(&err)
				return
			}
			s.frames.Add(1)
			s.bytes.Add(n)
		}
	}()
	return s, nil
}

// snapshot is one sample of every counter.
type snapshot struct {
	at      time.Time
	cpu     map[string]time.Duration // by process name, and "subscriber" (this process)
	hubs    []hubHealth
	frames  int64
	subByte int64
	winByte int64
	matched int64
	tuiRead int64 // the TUI's bytes read (/proc/PID/io rchar: its socket and terminal)
}

func sample(procs, hubs []*proc, sub *subscriber) (snapshot, error) {
	s := snapshot{at: time.Now(), cpu: map[string]time.Duration{}, frames: sub.frames.Load(), subByte: sub.bytes.Load(), matched: sub.matched.Load(), winByte: sub.windowBytes.Load()}
	for _, p := range procs {
		c, err := procCPU(p.cmd.Process.Pid)
		if err != nil {
			return s, fmt.Errorf("%s: %w", p.name, err)
		}
		s.cpu[p.name] = c
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return s, err
	}
	s.cpu["subscriber"] = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if sub.tui != nil {
		c, err := procCPU(sub.tui.pid)
		if err == nil {
			s.cpu["tui"] = c
			s.tuiRead, err = procRead(sub.tui.pid)
		}
		if err != nil {
			return s, fmt.Errorf("the TUI: %w (did it exit?)", err)
		}
	}
	for _, h := range hubs {
		hs, err := health(h.addr)
		for try := 1; err != nil && try < 3; try++ { // a loaded hub answers slowly
			fmt.Fprintf(os.Stderr, "%s /healthz: %v; asking again\n", h.name, err)
			hs, err = health(h.addr)
		}
		if err != nil {
			return s, fmt.Errorf("%s /healthz: %w", h.name, err)
		}
		s.hubs = append(s.hubs, hs)
	}
	return s, nil
}

// procCPU is a process's user and system CPU time from /proc/PID/stat
// (clock ticks of 10 ms, USER_HZ on Linux).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields after the name", pid, len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// report prints the measurements as Markdown.
func report(o options, load string, procs, hubs []*proc, a, b snapshot) {
	secs := b.at.Sub(a.at).Seconds()
	cores := func(name string) float64 { return (b.cpu[name] - a.cpu[name]).Seconds() / secs }
	mb := func(n int64) float64 { return float64(n) / secs / 1e6 }
	kind := "plain"
	if o.team {
		kind = "team"
	}
	fmt.Printf("%s UTC: %d nats-server nodes, %d %s hubs x %d simulated calls (stats every %s), measured over %.0f s; load average before: %s\n\n",
		time.Now().UTC().Format("2006-01-02 15:04"), o.nodes, o.hubs, kind, o.calls, o.interval, secs, strings.TrimSpace(load))
	fmt.Println("| process | CPU (cores) | bus out MB/s (msg/s) | bus in MB/s (msg/s) | calls served | index rows (of peers) | view rows shared kB/s | lost calls | publish errors |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for i, h := range hubs {
		x, y := a.hubs[i].Bus, b.hubs[i].Bus
		fmt.Printf("| %s | %.2f | %.1f (%.0f) | %.1f (%.0f) | %d | %d (%d) | %.1f | %d | %d |\n", h.name, cores(h.name),
			mb(y.PublishedBytes-x.PublishedBytes), float64(y.Published-x.Published)/secs,
			mb(y.ReceivedBytes-x.ReceivedBytes), float64(y.Received-x.Received)/secs,
			b.hubs[i].Calls, b.hubs[i].Index.Calls, b.hubs[i].Index.PeerRows,
			1000*mb(b.hubs[i].Index.SharedBytes-a.hubs[i].Index.SharedBytes), y.LostCalls, y.Errors-x.Errors)
	}
	for _, p := range procs {
		if strings.HasPrefix(p.name, "nats-") {
			fmt.Printf("| %s | %.2f | | | | | | | |\n", p.name, cores(p.name))
		}
	}
	client := "subscriber of hub-0"
	if o.view {
		client = fmt.Sprintf("view client of hub-0 (40 worst of %d; view.window frames %.3f MB/s of it)", b.matched, mb(b.winByte-a.winByte))
	}
	fmt.Printf("| %s | %.2f | | %.3f (%.1f frames/s) | | | | | |\n", client, cores("subscriber"),
		mb(b.subByte-a.subByte), float64(b.frames-a.frames)/secs)
	if a.cpu["tui"] > 0 || b.cpu["tui"] > 0 {
		fmt.Printf("| the TUI on hub-0 (calltop --feed%s, 80x24, calls screen) | %.3f | | %.3f (bytes read) | | | | | |\n",
			map[bool]string{true: " --view"}[o.view], cores("tui"), mb(b.tuiRead-a.tuiRead))
	}
}

// viewClient is a view client of a hub (?view=1) asking for the 40 worst
// ongoing calls, as `calltop --view` does on its calls screen: it counts
// the frames and bytes, notes each window's matched calls and checks the
// rows are worst first.
func viewClient(ctx context.Context, addr string) (*subscriber, error) {
	d := websocket.Dialer{Subprotocols: []string{feed.Subprotocol}, HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(ctx, "ws://"+addr+"/feed?view=1", nil)
	if err != nil {
		return nil, fmt.Errorf("view client of %s: %w", addr, err)
	}
	conn.SetReadLimit(feed.MaxFrameBytes)
	req, err := feed.EncodeView(feed.ViewRequest{Type: feed.TypeViewRequest, View: feed.ViewQuery{Sort: feed.SortWorst, Limit: 40}})
	if err == nil {
		err = conn.WriteMessage(websocket.TextMessage, req)
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("view client of %s: asking: %w", addr, err)
	}
	rank := map[string]int{"critical": 2, "warning": 1}
	s := &subscriber{}
	go func() {
		defer conn.Close()
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				s.err.Store(&err)
				return
			}
			s.frames.Add(1)
			s.bytes.Add(int64(len(b)))
			var w feed.ViewWindow
			if json.Unmarshal(b, &w) != nil || w.Type != feed.TypeViewWindow {
				continue
			}
			s.windowBytes.Add(int64(len(b)))
			s.matched.Store(int64(w.Window.Matched))
			for i := 1; i < len(w.Window.Rows); i++ {
				if rank[w.Window.Rows[i].Severity] > rank[w.Window.Rows[i-1].Severity] {
					s.unordered.Add(1)
					break
				}
			}
		}
	}()
	return s, nil
}

// tui is the real TUI in a detached tmux session.
type tui struct {
	session string
	pid     int
}

// startTUI runs `calltop --feed ws://addr/feed [--view]` in a new tmux
// session of 80x24 (its state in dir/tui-state) and finds its process.
func startTUI(dir, addr string, view bool) (*tui, error) {
	if _, err := exec.LookPath("tmux"); err != nil {
		return nil, errors.New("-tui needs tmux (apt-get install -y tmux)")
	}
	t := &tui{session: fmt.Sprintf("scalerun-%d", os.Getpid())}
	args := []string{"new-session", "-d", "-s", t.session, "-x", "80", "-y", "24", "-e", "TERM=xterm-256color",
		filepath.Join(dir, "calltop"), "--feed", "ws://" + addr + "/feed", "--state-dir", filepath.Join(dir, "tui-state")}
	if view {
		args = append(args, "--view")
	}
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("tmux new-session: %v: %s", err, out)
	}
	out, err := exec.Command("tmux", "list-panes", "-t", t.session, "-F", "#{pane_pid}").Output()
	if err == nil {
		t.pid, err = strconv.Atoi(strings.TrimSpace(string(out)))
	}
	if err != nil {
		t.stop()
		return nil, fmt.Errorf("the TUI's process: %v", err)
	}
	return t, nil
}

// show prints the TUI's calls screen, then opens the call under the
// cursor (the worst) and prints its screen after 6 s, to stderr.
func (t *tui) show(ctx context.Context) error {
	capture := func(what string) error {
		out, err := exec.Command("tmux", "capture-pane", "-p", "-t", t.session).Output()
		if err != nil {
			return fmt.Errorf("tmux capture-pane: %w", err)
		}
		fmt.Fprintf(os.Stderr, "the TUI, %s:\n%s\n", what, out)
		return nil
	}
	if err := capture("calls screen"); err != nil {
		return err
	}
	exec.Command("tmux", "send-keys", "-t", t.session, "Enter").Run()
	if err := sleep(ctx, 6*time.Second); err != nil {
		return err
	}
	return capture("6 s after Enter on the worst call")
}

func (t *tui) stop() { exec.Command("tmux", "kill-session", "-t", t.session).Run() }

// procRead is a process's bytes read (rchar in /proc/PID/io).
func procRead(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "rchar: "); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/io: no rchar", pid)
}
