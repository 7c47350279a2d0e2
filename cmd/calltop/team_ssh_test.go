package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/calltop/calltop/cmd/calltop/team"
	"github.com/calltop/calltop/feed/feedtest"
)

// sshKey writes a new ed25519 key pair for the ssh client into dir and
// returns the private key's path and the public key's authorized_keys
// form (without a newline).
func sshKey(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return path, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sp)))
}

// sshArgs is a stock OpenSSH login with key to the hub's SSH port, reading
// no configuration and trusting the host key on first use into a temporary
// known_hosts.
func sshArgs(dir, port, key, user string) []string {
	return []string{"-F", "/dev/null", "-p", port, "-i", key, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=" + filepath.Join(dir, "known_hosts"),
		"-o", "LogLevel=ERROR", user + "@127.0.0.1"}
}

var sshOn = regexp.MustCompile(`the TUI over SSH on 127\.0\.0\.1:(\d+)`)

func TestTeamTUIOverSSH(t *testing.T) {
	t.Parallel()
	sshBin := feedtest.RequireTool(t, "ssh", "apt-get install openssh-client; .ci/run installs it")
	dir, keys := t.TempDir(), t.TempDir()
	addUser(t, dir, "dana", "responder")
	addUser(t, dir, "vic", "viewer")
	danaKey, danaPub := sshKey(t, keys, "dana")
	vicKey, vicPub := sshKey(t, keys, "vic")
	strangerKey, _ := sshKey(t, keys, "stranger")
	authorized := filepath.Join(keys, "authorized_keys")
	lines := `name="dana" ` + danaPub + " dana@laptop\n" + vicPub + " vic\n"
	if err := os.WriteFile(authorized, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	hub := startTeamProc(t, dir, "--ssh", "127.0.0.1:0", "--authorized-keys", authorized, "--ssh-max-sessions", "2")
	var port string
	waitUntil(t, 20*time.Second, "the SSH server to listen", func() bool {
		if m := sshOn.FindStringSubmatch(hub.logs.String()); m != nil {
			port = m[1]
		}
		return port != ""
	})
	if fi, err := os.Stat(filepath.Join(dir, team.HostKeyFileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key in the state directory: %v, %v; want mode 0600", fi, err)
	}

	// An unknown key is refused before any session.
	out, err := exec.Command(sshBin, append(sshArgs(keys, port, strangerKey, "stranger"), "-o", "BatchMode=yes")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Fatalf("ssh with an unknown key: %v, %q; want Permission denied", err, out)
	}

	// No commands, no shell, no forwarding.
	out, err = exec.Command(sshBin, append(sshArgs(keys, port, danaKey, "dana"), "-o", "BatchMode=yes", "cat", "/etc/passwd")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no commands") || strings.Contains(string(out), "root:") {
		t.Errorf("ssh with a command: %v, %q; want it refused", err, out)
	}
	out, err = exec.Command(sshBin, append(sshArgs(keys, port, danaKey, "dana"), "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes",
		"-N", "-R", "0:127.0.0.1:9")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "forwarding failed") {
		t.Errorf("ssh -R: %v, %q; want the forwarding refused", err, out)
	}

	// dana's session: the calls screen at 80x24, then she acks an alert.
	sshCmd := func(key, user string) string {
		return "sh -c '" + sshBin + " " + strings.Join(sshArgs(keys, port, key, user), " ") + "; echo SSH-EXITED $?; exec sleep 120'"
	}
	dana := startPane(t, sshCmd(danaKey, "dana"), "TERM=xterm-256color")
	dana.waitFor("the calls screen over SSH", func(s string) bool {
		return strings.Contains(s, "live") && len(callRow.FindAllString(s, -1)) >= 1
	})
	// The header names the team hub and the user, not the hub's internal
	// loopback feed.
	if s := dana.screen(); !strings.Contains(s, "calltop | calltop-hub as dana | live") {
		t.Errorf("the SSH session's header does not name the team hub:\n%s", s)
	}
	dana.keys("!")
	dana.waitFor("a firing alert over SSH", func(s string) bool { return strings.Contains(s, "FIRING") })
	alertPaneKey(dana, "a", "dana's ack over SSH", func(s string) bool {
		return regexp.MustCompile(`ACKED .*acked by dana \d\d:\d\d`).MatchString(s)
	})

	// vic's session (the key's comment names him) sees it, and may not act.
	vic := startPane(t, sshCmd(vicKey, "whoever"), "TERM=xterm-256color")
	vic.waitFor("the calls screen in the second session", func(s string) bool {
		return len(callRow.FindAllString(s, -1)) >= 1
	})
	vic.keys("!")
	vic.waitFor("dana's ack in the second session", func(s string) bool {
		return regexp.MustCompile(`ACKED .*acked by dana \d\d:\d\d`).MatchString(s)
	})
	alertPaneKey(vic, "a", "the viewer's refusal over SSH", func(s string) bool {
		return strings.Contains(s, "read-only: vic is a viewer")
	})

	// A third session is over the cap of 2.
	out, err = exec.Command(sshBin, append(sshArgs(keys, port, danaKey, "dana"), "-tt", "-o", "BatchMode=yes")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "too many sessions") {
		t.Errorf("a third session with --ssh-max-sessions 2: %v, %q; want refused", err, out)
	}

	// A window change reaches the session's TUI.
	if out, err := exec.Command("tmux", "-L", vic.socket, "resize-window", "-t", "e2e", "-x", "120", "-y", "30").CombinedOutput(); err != nil {
		t.Fatalf("tmux resize-window: %v\n%s", err, out)
	}
	vic.waitFor("the TUI redrawn at 120 columns", func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if len([]rune(strings.TrimRight(l, " "))) > 80 {
				return true
			}
		}
		return false
	})
	vic.keys("q")
	vic.waitFor("the session to end on q", func(s string) bool { return strings.Contains(s, "SSH-EXITED 0") })
	if !strings.Contains(hub.logs.String(), "logged in as dana (responder)") {
		t.Errorf("the hub did not log dana's login:\n%s", hub.logs)
	}
}
