package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/recording"

	"github.com/calltop/calltop/feed/sim"
)

// The end-to-end tests run the real calltop binary in a detached tmux pane
// at 80x24 and read the screen as a user would. They need tmux: without it
// they skip, naming it, unless CI is set (.ci/run installs it), and -short
// skips them.

// e2eWait bounds every wait for the screen.
const e2eWait = 60 * time.Second

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// calltopBinary builds cmd/calltop once per test run. Every end-to-end
// test starts with it, so it is where -short skips them and where a
// missing tmux is found before anything is built.
func calltopBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the end-to-end test of the built binary in tmux (4-15 s each)")
	}
	feedtest.RequireTool(t, "tmux", "apt-get install tmux; .ci/run installs it")
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "calltop-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "calltop")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	flag.Parse()
	widenParallel()
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// widenParallel lets 8 of this package's parallel tests run at once
// unless -test.parallel was given: they mostly wait (on tmux panes, hubs,
// reconnect timers), and at the default of GOMAXPROCS (2 on the project's
// machine) the package would take the sum of their waits.
func widenParallel() {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", "8")
	}
}

// pane is one tmux session on its own tmux server (socket), so the test
// never touches the user's sessions.
type pane struct {
	t      *testing.T
	socket string
}

var paneSeq sync.Mutex
var paneN int

// startPane runs shell command cmd in a new 80x24 pane with env set
// (K=V to set, -u K to unset, as env(1) reads them). They are applied by
// env(1) in the pane, not by tmux -e: tmux puts its own default-terminal
// in TERM after -e.
func startPane(t *testing.T, cmd string, env ...string) *pane {
	t.Helper() // calltopBinary, called first, has checked for tmux
	paneSeq.Lock()
	paneN++
	p := &pane{t: t, socket: fmt.Sprintf("calltop-e2e-%d-%d", os.Getpid(), paneN)}
	paneSeq.Unlock()
	if len(env) > 0 {
		cmd = "env " + strings.Join(env, " ") + " " + cmd
	}
	args := []string{"-L", p.socket, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", "-s", "e2e", cmd}
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", p.socket, "kill-server").Run() })
	return p
}

// screen returns the pane's visible text.
func (p *pane) screen() string {
	out, err := exec.Command("tmux", "-L", p.socket, "capture-pane", "-p", "-t", "e2e").CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux capture-pane: %v\n%s", err, out)
	}
	return string(out)
}

// styled returns the pane's visible text with its SGR escape sequences.
func (p *pane) styled() string {
	out, err := exec.Command("tmux", "-L", p.socket, "capture-pane", "-p", "-e", "-t", "e2e").CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux capture-pane -e: %v\n%s", err, out)
	}
	return string(out)
}

var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// colourCodes counts SGR parameters that set a foreground or background
// colour: basic ones (30-37, 40-47, 90-97, 100-107: a 16-colour terminal's)
// and extended ones (38 and 48: 256 colours or true colour). Resets (39,
// 49) do not count.
func colourCodes(screen string) (basic, extended int) {
	for _, m := range sgr.FindAllStringSubmatch(screen, -1) {
		params := strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' })
		for i := 0; i < len(params); i++ {
			var v int
			fmt.Sscan(params[i], &v)
			switch {
			case v == 38 || v == 48: // its arguments follow; skip them
				extended++
				i = len(params)
			case v >= 30 && v <= 37, v >= 40 && v <= 47, v >= 90 && v <= 97, v >= 100 && v <= 107:
				basic++
			}
		}
	}
	return basic, extended
}

// keys sends tmux key names (Enter, q, ...).
func (p *pane) keys(keys ...string) {
	args := append([]string{"-L", p.socket, "send-keys", "-t", "e2e"}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		p.t.Fatalf("tmux send-keys %v: %v\n%s", keys, err, out)
	}
}

// waitFor polls the screen until ok holds, failing with the last screen
// after e2eWait.
func (p *pane) waitFor(what string, ok func(screen string) bool) string {
	p.t.Helper()
	deadline := time.Now().Add(e2eWait)
	var s string
	for time.Now().Before(deadline) {
		if s = p.screen(); ok(s) {
			return s
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.t.Fatalf("waited %v for %s; the screen was:\n%s", e2eWait, what, s)
	return ""
}

var (
	// a row of the calls table: a severity word, then a room.
	callRow = regexp.MustCompile(`(?m)^(!!|! |i |- ) ?(crit|warn|info|ok)\s+\S`)
	// a call whose loss finding is already raised.
	lossRow = regexp.MustCompile(`(?m)^(!!|! ) ?(crit|warn)\s+\S.*(reaching|los|missing)`)
	// an asciigraph plot: an axis tick followed by box-drawing strokes.
	sparkline = regexp.MustCompile(`[┤┼][ ─╭╮╰╯│]*[─╭╮╰╯]`)
	// the loss diagnosis in words.
	lossWords = regexp.MustCompile(`(?i)\bloss\b|losing|missing [0-9.]+ ?%`)
)

// diagnoses returns the screen from the DIAGNOSES heading on ("" if none).
func diagnoses(screen string) string {
	if i := strings.Index(screen, "DIAGNOSES"); i >= 0 {
		return screen[i:]
	}
	return ""
}

// runDemoInTmux drives `calltop demo --scenario wifi-loss --calls 6` as a
// user would: wait for calls, drill into the worst, read the sparklines
// and the loss diagnosis, quit, and find a clean shell.
func runDemoInTmux(t *testing.T, extraArgs string, palette string, env ...string) {
	bin := calltopBinary(t)
	home := t.TempDir()
	env = append(env, "HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"))
	cmd := fmt.Sprintf("sh -c '%s demo --scenario wifi-loss --calls 6%s; echo CALLTOP-EXITED $?; exec sleep 120'", bin, extraArgs)
	p := startPane(t, cmd, env...)

	s := p.waitFor("the calls table", func(s string) bool {
		return strings.Contains(s, "demo") && len(callRow.FindAllString(s, -1)) >= 6
	})
	if !strings.Contains(s, "live") {
		t.Errorf("the header does not say the demo feed is live:\n%s", s)
	}
	p.waitFor("a call with its loss finding, worst first", func(s string) bool {
		rows := callRow.FindAllStringIndex(s, -1)
		first := lossRow.FindStringIndex(s)
		return len(rows) > 0 && first != nil && first[0] == rows[0][0]
	})
	basic, extended := colourCodes(p.styled())
	switch {
	case palette == "none" && basic+extended > 0:
		t.Errorf("with NO_COLOR=1 the calls screen still sets %d colours", basic+extended)
	case palette == "16" && (extended > 0 || basic == 0):
		t.Errorf("on a 16-colour terminal the calls screen sets %d basic and %d extended colours; want basic only", basic, extended)
	case palette == "256" && basic+extended == 0:
		t.Error("with TERM=xterm-256color the calls screen sets no colour at all")
	}
	p.keys("Enter")
	s = p.waitFor("the call screen with sparklines and the loss diagnosis", func(s string) bool {
		return sparkline.MatchString(s) && lossWords.MatchString(diagnoses(s))
	})
	for _, want := range []string{"Bitrate", "RTT", "DIAGNOSES"} {
		if !strings.Contains(s, want) {
			t.Errorf("call screen lacks %q:\n%s", want, s)
		}
	}

	p.keys("q")
	s = p.waitFor("calltop to exit", func(s string) bool { return strings.Contains(s, "CALLTOP-EXITED") })
	if !strings.Contains(s, "CALLTOP-EXITED 0") {
		t.Errorf("calltop exited with an error:\n%s", s)
	}
	for _, gone := range []string{"DIAGNOSES", "calltop |", "Bitrate", "┤"} {
		if strings.Contains(s, gone) {
			t.Errorf("after quitting, the pane still shows %q: the alternate screen was not left:\n%s", gone, s)
		}
	}
}

func TestDemoInTmux(t *testing.T) {
	t.Parallel()
	runDemoInTmux(t, "", "256", "TERM=xterm-256color")
}

func TestDemoInTmuxNoColor(t *testing.T) {
	t.Parallel()
	runDemoInTmux(t, " --speed 2", "none", "TERM=xterm-256color", "NO_COLOR=1")
}

// TestDemoInTmux16Colours runs with TERM=xterm outside tmux's view (no
// $TMUX, which Bubble Tea would take as 256 colours).
func TestDemoInTmux16Colours(t *testing.T) {
	t.Parallel()
	runDemoInTmux(t, " --speed 2", "16", "-u", "TMUX", "TERM=xterm")
}

// writeRecording simulates a minute of wifi-loss calls into a calltop
// recording (JSON lines of recording.Record) and returns its path.
func writeRecording(t *testing.T) string {
	t.Helper()
	s, err := sim.New(sim.Config{Calls: 3, Scenarios: []string{"wifi-loss"}, Seed: 5,
		Start: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for i := 0; i < 60; i++ {
		for _, m := range s.Step() {
			raw, err := json.Marshal(&m)
			if err != nil {
				t.Fatal(err)
			}
			line, err := json.Marshal(recording.Record{Recv: s.Now(), Msg: raw})
			if err != nil {
				t.Fatal(err)
			}
			b.Write(append(line, '\n'))
		}
	}
	path := filepath.Join(t.TempDir(), "wifi-loss.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// replayPosition reads "replay <state>  <pos> / <total>" from the header.
var replayPosition = regexp.MustCompile(`replay (playing|paused)\s+(\S+) / (\S+)\s+speed x(\S+)`)

// seconds parses the header's durations: "9s", "1:05".
func seconds(t *testing.T, s string) int {
	t.Helper()
	var m, sec int
	if _, err := fmt.Sscanf(s, "%d:%d", &m, &sec); err == nil {
		return m*60 + sec
	}
	if _, err := fmt.Sscanf(s, "%ds", &sec); err == nil {
		return sec
	}
	t.Fatalf("cannot read the replay position %q", s)
	return 0
}

func TestReplayInTmux(t *testing.T) {
	t.Parallel()
	bin := calltopBinary(t)
	rec := writeRecording(t)
	home := t.TempDir()
	p := startPane(t, fmt.Sprintf("sh -c '%s replay %s --speed 2; echo CALLTOP-EXITED $?; exec sleep 120'", bin, rec),
		"TERM=xterm-256color", "HOME="+home)

	p.waitFor("the replay playing with calls", func(s string) bool {
		return replayPosition.MatchString(s) && len(callRow.FindAllString(s, -1)) >= 3
	})
	p.keys("Space")
	s := p.waitFor("the replay paused", func(s string) bool { return strings.Contains(s, "replay paused") })
	m := replayPosition.FindStringSubmatch(s)
	if m[3] != "59s" || m[4] != "2" {
		t.Errorf("replay line %q: want a 59 s recording at speed x2", m[0])
	}
	before := seconds(t, m[2])

	p.keys("Right")
	s = p.waitFor("the position 10 s on", func(s string) bool {
		m := replayPosition.FindStringSubmatch(s)
		return m != nil && seconds(t, m[2]) == before+10
	})
	if !strings.Contains(s, "replay paused") {
		t.Errorf("seeking resumed the paused replay:\n%s", s)
	}
	p.keys("Left", "Left")
	p.waitFor("the position 10 s before the pause", func(s string) bool {
		m := replayPosition.FindStringSubmatch(s)
		return m != nil && seconds(t, m[2]) == max(before-10, 0)
	})
	p.keys("]")
	p.waitFor("speed x4", func(s string) bool { return strings.Contains(s, "speed x4") })
	p.keys("Right", "Right", "Right", "Right", "Space")
	p.waitFor("the end of the recording", func(s string) bool {
		return strings.Contains(s, "feed ended") && strings.Contains(s, "59s / 59s")
	})
	if n := len(callRow.FindAllString(p.screen(), -1)); n < 3 {
		t.Errorf("at the end of the replay the view lost its calls (%d rows)", n)
	}

	p.keys("q")
	s = p.waitFor("calltop to exit", func(s string) bool { return strings.Contains(s, "CALLTOP-EXITED") })
	if !strings.Contains(s, "CALLTOP-EXITED 0") || strings.Contains(s, "replay ") {
		t.Errorf("replay did not exit cleanly:\n%s", s)
	}
}

// startHub serves simulated calls on loopback until stop is called; it
// returns the feed URL.
func startHub(t *testing.T) (url string, stop func()) {
	t.Helper()
	s, err := sim.New(sim.Config{Calls: 4, Scenarios: []string{"good"}, Seed: 9, Start: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return serveHub(t, hub.StepSource(s.StepEach, time.Second, 1))
}

// serveHub serves src from a hub on loopback until stop is called (or
// the test ends); it returns the feed URL.
func serveHub(t *testing.T, src hub.Source) (url string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	feedHub := hub.New(hub.Config{Logf: t.Logf})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); feedHub.Serve(ctx, ln) }()
	go func() { defer wg.Done(); src(ctx, feedHub) }()
	stop = sync.OnceFunc(func() { cancel(); wg.Wait() })
	t.Cleanup(stop)
	return "ws://" + ln.Addr().String() + "/feed", stop
}

func TestLiveFeedInTmux(t *testing.T) {
	t.Parallel()
	bin := calltopBinary(t)
	url, stopHub := startHub(t)
	state := filepath.Join(t.TempDir(), "state")
	p := startPane(t, fmt.Sprintf("sh -c '%s --feed %s --state-dir %s; echo CALLTOP-EXITED $?; exec sleep 120'", bin, url, state),
		"TERM=xterm-256color", "HOME="+t.TempDir())

	s := p.waitFor("the live feed's calls", func(s string) bool {
		return strings.Contains(s, "live") && len(callRow.FindAllString(s, -1)) >= 4
	})
	if !strings.Contains(s, "127.0.0.1") {
		t.Errorf("the header does not name the feed:\n%s", s)
	}
	stopHub()
	p.waitFor("the feed reconnecting", func(s string) bool { return strings.Contains(s, "reconnecting") })
	p.keys("!")
	p.waitFor("the feed-down alert in the alert pane", func(s string) bool {
		return strings.Contains(s, "feed is down")
	})
	p.keys("q")
	s = p.waitFor("calltop to exit", func(s string) bool { return strings.Contains(s, "CALLTOP-EXITED") })
	if !strings.Contains(s, "CALLTOP-EXITED 0") || strings.Contains(s, "reconnecting") {
		t.Errorf("calltop did not exit cleanly:\n%s", s)
	}
	if _, err := os.Stat(filepath.Join(state, "calltop.log")); err != nil {
		t.Errorf("no log file in the state directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(state, "alerts.json")); err != nil {
		t.Errorf("the feed-down alert was not saved in the state directory: %v", err)
	}
}
