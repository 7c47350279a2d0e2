package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The end-to-end tests run the real calltop binary in a detached tmux pane
// at 80x24 and read the screen as a user would. tmux is required (.ci/run
// installs it); without it they fail rather than skip.

// e2eWait bounds every wait for the screen.
const e2eWait = 60 * time.Second

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// calltopBinary builds cmd/calltop once per test run.
func calltopBinary(t *testing.T) string {
	t.Helper()
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
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// pane is one tmux session on its own tmux server (socket), so the test
// never touches the user's sessions.
type pane struct {
	t      *testing.T
	socket string
}

var paneSeq sync.Mutex
var paneN int

// startPane runs shell command cmd in a new 80x24 pane with env set.
func startPane(t *testing.T, cmd string, env ...string) *pane {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is not installed: the end-to-end test needs it (.ci/run installs it; apt-get install tmux)")
	}
	paneSeq.Lock()
	paneN++
	p := &pane{t: t, socket: fmt.Sprintf("calltop-e2e-%d-%d", os.Getpid(), paneN)}
	paneSeq.Unlock()
	args := []string{"-L", p.socket, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", "-s", "e2e"}
	for _, kv := range env {
		args = append(args, "-e", kv)
	}
	args = append(args, cmd)
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
	lossWords = regexp.MustCompile(`(?i)\bloss\b|losing|missing [0-9.]+ ?% of packets`)
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
func runDemoInTmux(t *testing.T, extraArgs string, env ...string) {
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
	runDemoInTmux(t, "", "TERM=xterm-256color")
}

func TestDemoInTmuxNoColor(t *testing.T) {
	runDemoInTmux(t, " --speed 2", "TERM=xterm-256color", "NO_COLOR=1")
}
