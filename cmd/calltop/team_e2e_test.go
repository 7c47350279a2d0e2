package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
)

// The team tests run the real binary as the hub (so kill -9 is real), the
// CLI as users would type it, and TUIs in tmux.

// teamProc is a `calltop hub --team` process.
type teamProc struct {
	cmd  *exec.Cmd
	logs *lockedBuffer
	addr string
	done chan struct{}
}

// startTeamProc runs `calltop hub --team --state-dir dir` on a free port
// with rtt-high calls at 2x, plus extra flags, until the test ends.
func startTeamProc(t *testing.T, dir string, extra ...string) *teamProc {
	t.Helper()
	args := append([]string{"hub", "--team", "--state-dir", dir, "--listen", "127.0.0.1:0", "--simulate", "3",
		"--scenario", "high-rtt", "--seed", "11", "--speed", "2"}, extra...)
	p := &teamProc{cmd: exec.Command(calltopBinary(t), args...), logs: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	waitUntil(t, 20*time.Second, "the team hub to listen", func() bool {
		if m := servingOn.FindStringSubmatch(p.logs.String()); m != nil {
			p.addr = m[1]
		}
		return p.addr != ""
	})
	return p
}

// kill stops the hub with SIGKILL (kill -9) and waits for it.
func (p *teamProc) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

func (p *teamProc) url() string { return "ws://" + p.addr + "/feed" }

// calltop runs the binary with args and returns stdout, stderr and the
// error.
func calltop(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(calltopBinary(t), args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// addUser runs `calltop hub user add` and returns the token it printed.
func addUser(t *testing.T, dir, name, role string) string {
	t.Helper()
	out, errOut, err := calltop(t, "hub", "user", "add", name, "--role", role, "--state-dir", dir)
	if err != nil {
		t.Fatalf("hub user add %s: %v\n%s", name, err, errOut)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}\n$`).MatchString(out) {
		t.Fatalf("hub user add printed %q, want the token alone on a line", out)
	}
	return strings.TrimSpace(out)
}

// listAlerts runs `calltop alerts list --json` with token.
func listAlerts(t *testing.T, url, token string) []feed.TeamAlert {
	t.Helper()
	out, errOut, err := calltop(t, "alerts", "list", "--json", "--feed", url, "--token", token)
	if err != nil {
		t.Fatalf("alerts list: %v\n%s", err, errOut)
	}
	var got []feed.TeamAlert
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("alerts list --json: %v\n%s", err, out)
	}
	return got
}

// firingAlert waits for a firing alert on the hub and returns it.
func firingAlert(t *testing.T, url, token string) feed.TeamAlert {
	t.Helper()
	var a feed.TeamAlert
	waitUntil(t, 60*time.Second, "a firing alert on the team hub", func() bool {
		for _, x := range listAlerts(t, url, token) {
			if x.State == "firing" && x.Rule == "rtt-high" {
				a = x
				return true
			}
		}
		time.Sleep(200 * time.Millisecond)
		return false
	})
	return a
}

// alertPaneKey presses k in the alert pane until the screen shows what
// it should: Tab moves the keyboard between the screen and the pane, and
// which of them has it is not always plain from the hint bar.
func alertPaneKey(p *pane, k, what string, ok func(string) bool) {
	p.t.Helper()
	for range 4 {
		p.keys("Tab", k)
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
			if ok(p.screen()) {
				return
			}
		}
	}
	p.t.Fatalf("pressing %s in the alert pane never showed %s:\n%s", k, what, p.screen())
}

// alertByKey finds key among alerts.
func alertByKey(alerts []feed.TeamAlert, key string) (feed.TeamAlert, bool) {
	for _, a := range alerts {
		if a.Key == key {
			return a, true
		}
	}
	return feed.TeamAlert{}, false
}

func TestTeamHubResponderAndViewerSurviveKill9(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dana := addUser(t, dir, "dana", "responder")
	vic := addUser(t, dir, "vic", "viewer")
	hub := startTeamProc(t, dir)
	a := firingAlert(t, hub.url(), vic)
	for _, field := range []string{a.Key, a.Rule, a.Severity, a.State, a.Call, a.Room, a.Participant, a.Name} {
		if field == "" {
			t.Fatalf("alerts list --json item lacks a contract field: %+v", a)
		}
	}

	// The viewer's TUI shows the hub's book.
	p := startPane(t, calltopBinary(t)+" --feed "+hub.url()+" --token "+vic+" --state-dir "+t.TempDir(), "TERM=xterm-256color")
	p.waitFor("the calls screen", func(s string) bool { return len(callRow.FindAllString(s, -1)) >= 1 })
	p.keys("!")
	p.waitFor("the firing alert in the viewer's pane", func(s string) bool { return strings.Contains(s, "FIRING") })
	alertPaneKey(p, "a", "the viewer's ack key saying why it is refused", func(s string) bool {
		return strings.Contains(s, "read-only: vic is a viewer")
	})
	_, errOut, err := calltop(t, "alerts", "ack", a.Key, "--feed", hub.url(), "--token", vic)
	if err == nil || !strings.Contains(errOut, "forbidden") || !strings.Contains(errOut, "viewer") {
		t.Fatalf("the viewer's alerts ack: err %v, stderr %q; want forbidden for a viewer", err, errOut)
	}

	// The responder acks with a note and silences a rule.
	if _, errOut, err := calltop(t, "alerts", "ack", a.Key, "--note", "on it", "--feed", hub.url(), "--token", dana); err != nil {
		t.Fatalf("dana's ack: %v\n%s", err, errOut)
	}
	acked := time.Now()
	p.waitFor("dana's ack in the viewer's pane, with who, when and why", func(s string) bool {
		return regexp.MustCompile(`ACKED .*acked by dana \d\d:\d\d: on`).MatchString(s) // cut at 80 columns
	})
	t.Logf("the viewer's TUI showed the ack %v after the command returned", time.Since(acked).Round(time.Millisecond))
	out, _, err := calltop(t, "alerts", "silence", "--rule", "rtt-high", "--for", "1h", "--comment", "maintenance",
		"--feed", hub.url(), "--token", dana)
	if err != nil || !strings.Contains(out, "by dana") {
		t.Fatalf("dana's silence: %v, %q", err, out)
	}
	p.waitFor("the silence in the viewer's pane", func(s string) bool {
		return strings.Contains(s, "muted") || strings.Contains(s, "MUTED")
	})
	listed, _, _ := calltop(t, "alerts", "list", "--feed", hub.url(), "--token", vic)
	if !regexp.MustCompile(`acked by dana \d\d:\d\d: on it`).MatchString(listed) {
		t.Errorf("alerts list does not say who acked, when and why:\n%s", listed)
	}
	checkTeamState(t, hub.url(), vic, a.Key)

	// kill -9 and start again on the same state directory.
	hub.kill()
	hub = startTeamProc(t, dir)
	waitUntil(t, 60*time.Second, "the ack back after kill -9", func() bool {
		got, ok := alertByKey(listAlerts(t, hub.url(), vic), a.Key)
		return ok && got.AckedBy == "dana"
	})
	checkTeamState(t, hub.url(), vic, a.Key)
}

// checkTeamState checks the hub's book has dana's ack of key and her
// silence.
func checkTeamState(t *testing.T, url, token, key string) {
	t.Helper()
	got, ok := alertByKey(listAlerts(t, url, token), key)
	if !ok || got.State != "acknowledged" || got.AckedBy != "dana" || got.AckNote != "on it" || got.AckedAt.IsZero() {
		t.Errorf("alert %s on the hub: %+v; want acknowledged by dana, on it", key, got)
	}
	out, errOut, err := calltop(t, "alerts", "silences", "--json", "--feed", url, "--token", token)
	if err != nil {
		t.Fatalf("alerts silences: %v\n%s", err, errOut)
	}
	var sils []feed.TeamSilence
	json.Unmarshal([]byte(out), &sils)
	if len(sils) != 1 || sils[0].CreatedBy != "dana" || sils[0].Comment != "maintenance" || sils[0].Matcher.Rule != "rtt-high" {
		t.Errorf("silences on the hub: %s; want dana's rtt-high silence", out)
	}
}

// posts counts webhook posts by alert key and kind: a watch with its own
// book would post the same keys as the hub.
type posts struct {
	mu   sync.Mutex
	seen map[string]int
}

func (p *posts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var batch struct {
		Notifications []struct {
			Kind  string `json:"kind"`
			Alert *struct {
				Key string `json:"key"`
			} `json:"alert"`
		} `json:"notifications"`
	}
	if json.Unmarshal(body, &batch) == nil {
		p.mu.Lock()
		for _, n := range batch.Notifications {
			if n.Alert != nil {
				p.seen[n.Alert.Key+" "+n.Kind]++
			}
		}
		p.mu.Unlock()
	}
	w.WriteHeader(http.StatusOK)
}

func (p *posts) snapshot() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.seen {
		out[k] = v
	}
	return out
}

func TestWatchOnTeamHubPostsNothingTwice(t *testing.T) {
	t.Parallel()
	rec := &posts{seen: map[string]int{}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := t.TempDir()
	hub := startTeamProc(t, dir, "--webhook", srv.URL, "--webhook-format", "json")
	logs, stop := startCLI(t, "watch", "--feed", hub.url(), "--webhook", srv.URL, "--webhook-format", "json",
		"--state-dir", t.TempDir())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("watch:\n%s\nposts: %v\nhub:\n%s", logs, rec.snapshot(), hub.logs)
		}
	})
	waitUntil(t, 60*time.Second, "the hub to post a firing alert and the watch to log it", func() bool {
		firing := false
		for k := range rec.snapshot() {
			firing = firing || strings.HasSuffix(k, " firing")
		}
		return firing && strings.Contains(logs.String(), "event=firing")
	})
	stop()
	if !strings.Contains(logs.String(), "the hub keeps the book") {
		t.Errorf("watch did not say it follows the team hub:\n%s", logs)
	}
	for k, n := range rec.snapshot() {
		if n > 1 {
			t.Errorf("%s posted %d times", k, n)
		}
	}
}
