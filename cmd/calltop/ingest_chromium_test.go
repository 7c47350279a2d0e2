package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/feedtest"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

// The real-browser test of the rtcstats ingest (issue #8): headless
// Chromium (Debian's chromium) opens scripts/chromium/ingest/call.html, a
// loopback call between two RTCPeerConnections of one page with fake audio
// and video, instrumented with the Jitsi rtcstats client (npm
// @jitsi/rtcstats, pinned in scripts/chromium/package-lock.json) pointed at
// a real `calltop hub --ingest rtcstats`; a feed client reads /feed as the
// TUI does.
//
// What the user sees is one call with ONE participant holding TWO
// connections (PC_0, the caller; PC_1, the callee): a participant is one
// browser session, that is one rtcstats client with one WebSocket, and the
// client wraps every RTCPeerConnection of its page. Two participants would
// take two pages (two clients), with signalling between them.
//
// Browser, page server and hub run inside a network namespace of the test's
// own with nothing but loopback: the test runs its own binary again under
// `unshare -n` and reports what that run printed.

const (
	// netnsEnv marks the run of the test binary inside its network namespace.
	netnsEnv = "CALLTOP_TEST_IN_NETNS"
	// ingestName and ingestMeeting are what the page's identity says.
	ingestName    = "Ada Lovelace (Chromium)"
	ingestMeeting = "chromium-loopback"
	// ingestSeen bounds the wait, from the page opening, for the call, its
	// participant, both connections, bitrate both ways and an RTT.
	ingestSeen = 30 * time.Second
	// ingestEnded bounds the wait, from the page closing, for the call's end.
	ingestEnded = 15 * time.Second
)

// browserTools are the programs and packages the test needs.
type browserTools struct {
	chromium, node, npmDir string
}

// needBrowserTools finds Chromium, Node.js and scripts/chromium's npm
// packages. What is missing is named with how to install it: a skip when $CI
// is unset, a failure under CI=true (.ci/run installs them).
func needBrowserTools(t *testing.T) browserTools {
	t.Helper()
	bt := browserTools{chromium: os.Getenv("CHROMIUM")}
	if bt.chromium == "" {
		bt.chromium = "/usr/bin/chromium"
	}
	npmDir, err := filepath.Abs(filepath.Join("..", "..", "scripts", "chromium"))
	if err != nil {
		t.Fatal(err)
	}
	bt.npmDir = npmDir
	var missing []string
	if _, err := exec.LookPath(bt.chromium); err != nil {
		missing = append(missing, fmt.Sprintf("Chromium at %s (apt-get install chromium; or set CHROMIUM)", bt.chromium))
	}
	if bt.node, err = exec.LookPath("node"); err != nil {
		missing = append(missing, "node (Node.js 20 or later, with npm)")
	}
	for _, pkg := range []string{"playwright-core", "@jitsi/rtcstats", "esbuild"} {
		if _, err := os.Stat(filepath.Join(npmDir, "node_modules", pkg, "package.json")); err != nil {
			missing = append(missing, fmt.Sprintf("the npm package %s (npm ci --prefix scripts/chromium)", pkg))
		}
	}
	for _, prog := range []string{"unshare", "ip"} {
		if _, err := exec.LookPath(prog); err != nil {
			missing = append(missing, prog+" (apt-get install util-linux iproute2)")
		}
	}
	if len(missing) > 0 {
		feedtest.Missing(t, "the real-browser ingest test needs "+strings.Join(missing, ", ")+
			" (.ci/run installs them: apt-get install chromium && npm ci --prefix scripts/chromium)")
	}
	return bt
}

// runInNetNS runs this test again in a new network namespace with only
// loopback up, and fails with that run's output when it fails.
func runInNetNS(t *testing.T) {
	t.Helper()
	ns := []string{"-n"}
	if os.Geteuid() != 0 {
		ns = []string{"-r", "-n"} // a user namespace maps us to root inside
	}
	args := append(ns, "sh", "-c", `ip link set lo up && exec "$0" "$@"`,
		os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1", "-test.timeout=3m")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", args...)
	cmd.Env = append(os.Environ(), netnsEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in its network namespace (unshare %s: root, or unprivileged user namespaces), the test failed: %v\n%s",
			strings.Join(ns, " "), err, out)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("in its network namespace, the test did not run:\n%s", out)
	}
	t.Logf("in its network namespace:\n%s", out)
}

func TestIngestFromChromium(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skipping the real-browser ingest test (Chromium, about 10 s)")
	}
	bt := needBrowserTools(t)
	if os.Getenv(netnsEnv) == "" {
		runInNetNS(t)
		return
	}

	page := servePage(t, bt)
	token := randomToken(t)
	hubLogs, hubAddr, stopHub := startHubCLI(t, "--ingest", "rtcstats",
		"--ingest-token", token, "--allow-origin", page.origin)
	w := watchFeed(t, "ws://"+hubAddr+"/feed")

	q := url.Values{"hub": {"ws://" + hubAddr + "/rtcstats"}, "meeting": {ingestMeeting}, "token": {token},
		"name": {ingestName}, "pollMs": {"1000"}, "duration": {"600"}, "hangup": {"0"}}
	drv := startDriver(t, bt, page.origin+"/call.html?"+q.Encode())
	defer func() {
		if t.Failed() {
			t.Logf("hub log:\n%s\ndrive.js said %q; its stderr:\n%s", hubLogs, drv.said, drv.stderr)
		}
	}()
	if !w.until(drv, time.Now().Add(60*time.Second), func() bool { return drv.saw("opened") }) {
		t.Fatal("drive.js did not open the page within 60 s")
	}
	opened := time.Now()

	// Within 30 s of the page opening: one call, one participant named as
	// the identity says, two connections, media flowing both ways, an RTT.
	var callID, missing string
	seen := func() bool {
		callID, missing = checkLiveCall(w.m)
		return missing == ""
	}
	if !w.until(drv, opened.Add(ingestSeen), seen) {
		t.Fatalf("within %v of the page opening the feed did not show the call: %s", ingestSeen, missing)
	}
	t.Logf("after %v: %s", time.Since(opened).Round(time.Millisecond), describeCall(w.m, callID))

	// Closing the page ends the call within a few seconds.
	drv.send(t, "close")
	closing := time.Now()
	ended := func() bool {
		s := w.m.Snapshot("")
		return w.ended != nil && len(s.Calls) == 1 && s.Calls[0].Ended
	}
	if !w.until(drv, closing.Add(ingestEnded), ended) {
		t.Fatalf("%v after the page closed the call had not ended (feed: %v)", ingestEnded, w.types)
	}
	t.Logf("call ended %v after the page closed (%s); the feed had %v", time.Since(closing).Round(time.Millisecond), w.ended.Reason, w.types)
	if w.left == nil || w.left.Reason != "page closed" {
		t.Errorf("participant.leave before the end: %+v; want reason \"page closed\" (the browser's 1001 close)", w.left)
	}
	for typ, want := range map[string]int{feed.TypeCallStart: 1, feed.TypeParticipantJoin: 1, feed.TypeParticipantLeave: 1, feed.TypeCallEnd: 1} {
		if w.types[typ] != want {
			t.Errorf("the feed had %d %s messages, want %d (all: %v)", w.types[typ], typ, want, w.types)
		}
	}
	drv.wait(t)

	if err := stopHub(); err != nil {
		t.Errorf("hub stopped with %v", err)
	}
	logs := hubLogs.String()
	for _, want := range []string{"joined call " + ingestMeeting + " as ", "(" + ingestName + ")", "left call " + ingestMeeting + ": page closed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("hub log lacks %q", want)
		}
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "hub: stopped after") { // its counters name refusals, and must be 0
			if !strings.Contains(line, " 0 requests refused") {
				t.Errorf("the hub refused requests: %s", line)
			}
			continue
		}
		for _, bad := range []string{"bad frame", "refused", "publishing"} {
			if strings.Contains(line, bad) {
				t.Errorf("hub log has a %q line (the page's session should be clean): %s", bad, line)
			}
		}
	}
}

// checkLiveCall returns the call's id and "" when the Monitor shows what the
// test waits for, else what is still missing.
func checkLiveCall(m *diagnose.Monitor) (string, string) {
	s := m.Snapshot("")
	if len(s.Calls) != 1 {
		return "", fmt.Sprintf("%d calls, want 1", len(s.Calls))
	}
	cs := s.Calls[0]
	d := m.Snapshot(cs.ID).Focus
	switch {
	case cs.Ended:
		return cs.ID, "the call ended"
	case cs.ID != ingestMeeting || cs.Room != ingestMeeting:
		return cs.ID, fmt.Sprintf("call %q in room %q, want %q from the identity", cs.ID, cs.Room, ingestMeeting)
	case len(d.Participants) != 1:
		return cs.ID, fmt.Sprintf("%d participants, want 1 (one rtcstats session)", len(d.Participants))
	}
	p := d.Participants[0]
	var conns []string
	for _, c := range p.Connections {
		conns = append(conns, c.ID)
	}
	switch {
	case p.Name != ingestName:
		return cs.ID, fmt.Sprintf("participant named %q, want %q", p.Name, ingestName)
	case !strings.HasPrefix(p.Browser, "Chrome"):
		return cs.ID, fmt.Sprintf("participant's browser %q (user agent %q), want Chrome", p.Browser, p.UserAgent)
	case strings.Join(conns, ",") != "PC_0,PC_1" && strings.Join(conns, ",") != "PC_1,PC_0":
		return cs.ID, fmt.Sprintf("connections %v, want PC_0 and PC_1", conns)
	case !(lastValue(p.BitrateOut) > 0) || !(lastValue(p.BitrateIn) > 0):
		return cs.ID, fmt.Sprintf("bitrate out %v in %v kbps, want both above 0", lastValue(p.BitrateOut), lastValue(p.BitrateIn))
	case !(cs.BitrateKbps > 0):
		return cs.ID, fmt.Sprintf("the calls screen shows %v kbps", cs.BitrateKbps)
	case !(lastValue(p.RTT) >= 0 && lastValue(p.RTT) < 1000) || math.IsNaN(cs.WorstRTTMs):
		return cs.ID, fmt.Sprintf("RTT %v ms, want one measured (on loopback, a few ms)", lastValue(p.RTT))
	}
	return cs.ID, ""
}

// lastValue is a series' newest known value, NaN when none.
func lastValue(s diagnose.Series) float64 {
	for i := len(s.Values) - 1; i >= 0; i-- {
		if !math.IsNaN(s.Values[i]) {
			return s.Values[i]
		}
	}
	return math.NaN()
}

// describeCall is one line about the call, for the log.
func describeCall(m *diagnose.Monitor, id string) string {
	d := m.Snapshot(id).Focus
	if d == nil {
		return "no call " + id
	}
	var b strings.Builder
	fmt.Fprintf(&b, "call %s: %.0f kbps, worst RTT %.1f ms", d.Summary.ID, d.Summary.BitrateKbps, d.Summary.WorstRTTMs)
	for _, p := range d.Participants {
		fmt.Fprintf(&b, "; %q (%s): out %.0f kbps, in %.0f kbps, RTT %.1f ms, connections", p.Name, p.Browser,
			lastValue(p.BitrateOut), lastValue(p.BitrateIn), lastValue(p.RTT))
		for _, c := range p.Connections {
			fmt.Fprintf(&b, " %s (%s, %s)", c.ID, c.ConnectionState, c.LocalCandidateType)
		}
	}
	return b.String()
}

// page is the ingest page's server.
type page struct {
	origin string
}

// servePage bundles the rtcstats client with esbuild into a temporary
// directory and serves the ingest page, call.js and the bundle on
// 127.0.0.1.
func servePage(t *testing.T, bt browserTools) page {
	t.Helper()
	out := filepath.Join(t.TempDir(), "rtcstats-ingest.js")
	// @jitsi/js-utils maps "@jitsi/js-utils/*" to a directory in its
	// exports, which bundlers refuse; the alias makes it a plain path.
	cmd := exec.Command(filepath.Join(bt.npmDir, "node_modules", ".bin", "esbuild"), "ingest/ingest.js",
		"--bundle", "--format=iife", "--platform=browser", "--target=chrome120", "--log-level=warning",
		"--alias:@jitsi/js-utils=./node_modules/@jitsi/js-utils/dist", "--outfile="+out)
	cmd.Dir = bt.npmDir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("esbuild could not bundle scripts/chromium/ingest/ingest.js: %v\n%s", err, msg)
	}
	files := map[string]string{
		"/call.html":          filepath.Join(bt.npmDir, "ingest", "call.html"),
		"/call.js":            filepath.Join(bt.npmDir, "page", "call.js"),
		"/rtcstats-ingest.js": out,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if r.URL.Path == "/favicon.ico" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFile(w, r, f)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return page{origin: "http://" + ln.Addr().String()}
}

func randomToken(t *testing.T) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// feedWatch is a feed client on the hub, applied to a Monitor as the TUI's
// engine does, with a tally of what came.
type feedWatch struct {
	events      <-chan feed.Event
	m           *diagnose.Monitor
	types       map[string]int // messages by type, snapshots and stats aside
	left, ended *feed.Message  // the last participant.leave and call.end
}

// watchFeed connects a feed client to url until the test ends.
func watchFeed(t *testing.T, url string) *feedWatch {
	t.Helper()
	client, err := client.New(client.Config{URLs: []string{url}, Buffer: 65536})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); client.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &feedWatch{events: client.Events(), m: diagnose.NewMonitor(diagnose.Options{}), types: map[string]int{}}
}

// until applies feed events and reads the driver's lines until ok holds
// (true), the deadline passes or the driver fails or exits (false).
func (w *feedWatch) until(drv *driver, deadline time.Time, ok func() bool) bool {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case ev := <-w.events:
			if ev.Kind != feed.EventMessage {
				continue
			}
			w.m.Apply(ev.Msg)
			switch ev.Msg.Type {
			case feed.TypeSnapshot, feed.TypeHello, feed.TypeStats:
			default:
				w.types[ev.Msg.Type]++
			}
			switch ev.Msg.Type {
			case feed.TypeParticipantLeave:
				w.left = ev.Msg
			case feed.TypeCallEnd:
				w.ended = ev.Msg
			}
		case line, open := <-drv.lines:
			if !open {
				drv.lines = nil
				return ok()
			}
			drv.said = append(drv.said, line)
			if strings.HasPrefix(line, "drive: error") {
				return false
			}
		case <-tick.C:
			if ok() {
				return true
			}
			if time.Now().After(deadline) {
				return false
			}
		}
	}
}

// driver is scripts/chromium/ingest/drive.js running the page in Chromium.
type driver struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string // its stdout, line by line
	stderr *lockedBuffer
	said   []string // its stdout lines so far
	exited chan error
}

func startDriver(t *testing.T, bt browserTools, pageURL string) *driver {
	t.Helper()
	d := &driver{lines: make(chan string, 16), stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	d.cmd = exec.Command(bt.node, filepath.Join(bt.npmDir, "ingest", "drive.js"), pageURL,
		"--chromium", bt.chromium, "--limit", "150")
	d.cmd.Stderr = d.stderr
	var err error
	if d.stdin, err = d.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting drive.js: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
		close(d.lines)
		d.exited <- d.cmd.Wait()
	}()
	t.Cleanup(func() {
		d.stdin.Close() // the driver closes the page and exits at the end of its input
		select {
		case <-d.exited:
		case <-time.After(20 * time.Second):
			d.cmd.Process.Kill()
		}
	})
	return d
}

// saw reports whether the driver said "drive: what".
func (d *driver) saw(what string) bool { return slices.Contains(d.said, "drive: "+what) }

// send writes one line to the driver.
func (d *driver) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(d.stdin, line+"\n"); err != nil {
		t.Fatalf("telling drive.js to %s: %v", line, err)
	}
}

// wait waits for the driver to report the page closed and exit cleanly.
func (d *driver) wait(t *testing.T) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-d.lines:
			if ok {
				d.said = append(d.said, line)
				continue
			}
			d.lines = nil
		case err := <-d.exited:
			d.exited <- err // for the cleanup
			if err != nil {
				t.Errorf("drive.js exited with %v (it said %q)", err, d.said)
			} else if !d.saw("closed") {
				t.Errorf("drive.js exited without closing the page (it said %q)", d.said)
			}
			return
		case <-timeout:
			t.Errorf("drive.js still running 30 s after the page was closed (it said %q)", d.said)
			return
		}
	}
}
