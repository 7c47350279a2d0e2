package team

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

// logLines collects log lines for a test, safe for concurrent use.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestSSHSessionEndsWhenIdle(t *testing.T) {
	dir := t.TempDir()
	h := startTeamHub(t, dir, "high-rtt")
	h.addUser(t, "dana", feed.RoleResponder)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, _ := gossh.NewPublicKey(pub)
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, append([]byte(`name="dana" `), gossh.MarshalAuthorizedKey(sshPub)...), 0o600)
	logs := &logLines{}
	srv, err := NewSSH(SSHConfig{AuthorizedKeys: keys, StateDir: dir, IdleTimeout: time.Second, MaxSessions: 1,
		NewMonitor: func() engine.Monitor { return diagnose.NewMonitor(diagnose.Options{}) }, Logf: logs.Logf}, h.srv)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })

	signer, _ := gossh.NewSignerFromKey(priv)
	conn, err := gossh.Dial("tcp", ln.Addr().String(), &gossh.ClientConfig{User: "dana",
		Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	out, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() { io.Copy(io.Discard, out); sess.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		t.Fatalf("the session did not end after a second without a keystroke; log:\n%s", logs)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), "ended: idle for 1s"); {
		if time.Now().After(deadline) {
			t.Fatalf("the hub did not log the idle end:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
