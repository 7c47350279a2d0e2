package team

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/tui"
)

// HostKeyFileName is the SSH host key's name inside the state directory.
const HostKeyFileName = "ssh_host_ed25519_key"

// Defaults for SSHConfig.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxSessions = 16
)

// SSHConfig configures the SSH server that serves the TUI.
type SSHConfig struct {
	// Addr is where to listen (host:port).
	Addr string
	// AuthorizedKeys is an authorized_keys file: a key's user is its
	// name= option, else its comment; that user's role comes from the
	// users file. It is read again at every login.
	AuthorizedKeys string
	// StateDir holds the host key (created once, mode 0600).
	StateDir string
	// IdleTimeout ends a session with no keystroke for this long
	// (default 30 min); MaxSessions caps sessions at once (default 16).
	IdleTimeout time.Duration
	MaxSessions int
	// NewMonitor makes each session's diagnosis of the calls.
	NewMonitor func() engine.Monitor
	// Logf receives one line per login, refusal and session end.
	Logf func(format string, args ...any)
}

// sshCtxKey keys the user and role in an SSH connection's context.
type sshCtxKey struct{}

// sshUser is who a key logged in as.
type sshUser struct{ name, role string }

// SSH serves the TUI over SSH: each session its own TUI on the team book.
type SSH struct {
	cfg      SSHConfig
	team     *Server
	srv      *ssh.Server
	sessions atomic.Int32
	wg       sync.WaitGroup
}

// NewSSH checks cfg, creates the host key if there is none, and returns
// the server (not yet listening).
func NewSSH(cfg SSHConfig, team *Server) (*SSH, error) {
	if _, err := os.Stat(cfg.AuthorizedKeys); err != nil {
		return nil, fmt.Errorf("--authorized-keys: %w", err)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	keyPEM, err := hostKey(filepath.Join(cfg.StateDir, HostKeyFileName))
	if err != nil {
		return nil, err
	}
	s := &SSH{cfg: cfg, team: team}
	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Addr),
		wish.WithVersion("calltop"),
		wish.WithHostKeyPEM(keyPEM),
		wish.WithPublicKeyAuth(s.authorize),
		// A dead connection goes after twice the idle time; the idle
		// timeout proper counts keystrokes (session).
		wish.WithIdleTimeout(2*cfg.IdleTimeout),
		wish.WithMiddleware(func(ssh.Handler) ssh.Handler { return s.session }),
	)
	if err != nil {
		return nil, fmt.Errorf("SSH server: %w", err)
	}
	// Sessions only: no forwarding (nil callbacks deny), no global
	// requests, no subsystems.
	srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": ssh.DefaultSessionHandler}
	srv.RequestHandlers = map[string]ssh.RequestHandler{}
	srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
	s.srv = srv
	return s, nil
}

// hostKey reads the host key at path, creating it (ed25519, 0600) once.
func hostKey(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		if fi, serr := os.Stat(path); serr == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("SSH host key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
		}
		return data, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("SSH host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "calltop hub host key")
	if err != nil {
		return nil, err
	}
	data = pem.EncodeToMemory(block)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path, data); err != nil {
		return nil, fmt.Errorf("SSH host key: %w", err)
	}
	return data, nil
}

// Serve accepts SSH connections on ln until ctx ends.
func (s *SSH) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	s.srv.Shutdown(sctx)
	s.srv.Close()
	s.wg.Wait()
	return nil
}

// authorize lets in a key listed in the authorized keys file whose user
// is on the team; everything else is refused (and logged).
func (s *SSH) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	name, err := keyUser(s.cfg.AuthorizedKeys, key)
	if err != nil {
		s.cfg.Logf("ssh: %s (%s): refused: %v", ctx.RemoteAddr(), clean(ctx.User()), err)
		return false
	}
	u, ok := s.team.user(name)
	if !ok {
		s.cfg.Logf("ssh: %s: refused: key of %q, who is not a user of this hub (calltop hub user add)", ctx.RemoteAddr(), clean(name))
		return false
	}
	ctx.SetValue(sshCtxKey{}, sshUser{name: u.Name, role: u.Role})
	return true
}

// keyUser finds key in an authorized_keys file and returns its user.
func keyUser(path string, key ssh.PublicKey) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	for rest := data; len(rest) > 0; {
		k, comment, opts, next, err := gossh.ParseAuthorizedKey(rest)
		if err != nil {
			break // no more keys
		}
		rest = next
		if !ssh.KeysEqual(k, key) {
			continue
		}
		name := strings.TrimSpace(comment)
		for _, o := range opts {
			if v, ok := strings.CutPrefix(o, "name="); ok {
				name = strings.Trim(v, `"`)
			}
		}
		if name == "" {
			return "", errors.New("the key is listed without a name= option or a comment")
		}
		return name, nil
	}
	return "", errors.New("unknown key")
}

// session runs one SSH session's TUI.
func (s *SSH) session(sess ssh.Session) {
	u, _ := sess.Context().Value(sshCtxKey{}).(sshUser)
	from := sess.RemoteAddr().String()
	if len(sess.Command()) > 0 || sess.Subsystem() != "" {
		fmt.Fprint(sess.Stderr(), "calltop serves only its TUI here: no commands, no shell\r\n")
		sess.Exit(1)
		return
	}
	pty, winch, ok := sess.Pty()
	if !ok {
		fmt.Fprint(sess.Stderr(), "calltop needs a terminal: ssh -t\r\n")
		sess.Exit(1)
		return
	}
	if n := s.sessions.Add(1); int(n) > s.cfg.MaxSessions {
		s.sessions.Add(-1)
		s.cfg.Logf("ssh: %s (%s): refused: %d sessions already", from, u.name, s.cfg.MaxSessions)
		fmt.Fprintf(sess.Stderr(), "calltop: too many sessions (%d); try again later\r\n", s.cfg.MaxSessions)
		sess.Exit(1)
		return
	}
	s.wg.Add(1)
	defer func() { s.sessions.Add(-1); s.wg.Done() }()
	s.cfg.Logf("ssh: %s logged in as %s (%s) from %s, %dx%d %s", clean(sess.User()), u.name, u.role, from,
		pty.Window.Width, pty.Window.Height, clean(pty.Term))
	err := s.runTUI(sess, u, winch)
	s.cfg.Logf("ssh: session of %s from %s ended: %v", u.name, from, orWord(errString(err), "quit"))
	sess.Exit(0)
}

// runTUI runs the TUI for one session until the user quits, the session
// ends or no key comes for the idle timeout.
func (s *SSH) runTUI(sess ssh.Session, u sshUser, winch <-chan ssh.Window) error {
	token, forget := s.team.Internal(u.name, u.role, "ssh "+sess.RemoteAddr().String())
	defer forget()
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	t, err := NewTUI(client.Config{URLs: []string{s.team.FeedURL()}, Token: token}, feed.TeamWelcome{User: u.name, Role: u.role},
		orWord(s.team.cfg.Name, "team hub")+" as "+u.name, s.cfg.NewMonitor, tui.Options{})
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { t.Run(ctx) })
	in := &idleReader{r: sess}
	in.touch()
	// wish's options for the session's terminal (output, TERM, colours,
	// size), then its input through the keystroke clock.
	opts := append(bubbletea.MakeOptions(sess), tea.WithInput(in), tea.WithContext(ctx), tea.WithFPS(30))
	prog := tea.NewProgram(t.Model, opts...)
	wg.Go(func() { s.watch(ctx, prog, in, winch) })
	_, err = prog.Run()
	prog.Kill()
	if in.idle.Load() {
		return fmt.Errorf("idle for %s", s.cfg.IdleTimeout)
	}
	if errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// watch passes window changes to the program and quits it when the
// session has been idle too long or ends.
func (s *SSH) watch(ctx context.Context, prog *tea.Program, in *idleReader, winch <-chan ssh.Window) {
	tick := time.NewTicker(min(s.cfg.IdleTimeout/4, time.Minute))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			prog.Quit()
			return
		case w, ok := <-winch:
			if !ok {
				winch = nil
				continue
			}
			prog.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
		case <-tick.C:
			if time.Since(in.last()) >= s.cfg.IdleTimeout {
				in.idle.Store(true)
				prog.Quit()
				return
			}
		}
	}
}

// idleReader is a session's input that remembers when a key last came.
type idleReader struct {
	r    io.Reader
	at   atomic.Int64
	idle atomic.Bool
}

func (i *idleReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	if n > 0 {
		i.touch()
	}
	return n, err
}

func (i *idleReader) touch()          { i.at.Store(time.Now().UnixNano()) }
func (i *idleReader) last() time.Time { return time.Unix(0, i.at.Load()) }

// errString is err's text, or "" for nil.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
