package team

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/sim"
)

// teamHub is a team hub on loopback serving simulated calls.
type teamHub struct {
	url   string
	srv   *Server
	users *Users
	dir   string
}

// startTeamHub serves scenario's calls at 5x from a team hub keeping its
// state in dir.
func startTeamHub(t *testing.T, dir, scenario string, tweak ...func(*Config)) *teamHub {
	t.Helper()
	return startTeamHubOn(t, hub.Config{}, dir, scenario, tweak...)
}

// startTeamHubOn is startTeamHub with the hub's configuration hc.
func startTeamHubOn(t *testing.T, hc hub.Config, dir, scenario string, tweak ...func(*Config)) *teamHub {
	t.Helper()
	users, err := OpenUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	audit, err := OpenAudit(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	store, err := statefile.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Name: "test-hub", Users: users, Audit: audit, Store: store,
		NewBook:    func() *alert.Book { return alert.NewBook(alert.Options{User: "hub-os-user"}) },
		NewMonitor: func() engine.Monitor { return diagnose.NewMonitor(diagnose.Options{}) },
		Logf:       t.Logf}
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	th := feedtest.StartHub(t, "127.0.0.1:0", srv.HubConfig(hc))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	s, err := sim.New(sim.Config{Calls: 3, Scenarios: []string{scenario}, Seed: 3, Start: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	go func() { srv.Run(ctx, th.Hub); done <- struct{}{} }()
	go func() { hub.StepSource(s.StepEach, time.Second, 5)(ctx, th.Hub); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); th.Stop(); <-done; <-done })
	return &teamHub{url: th.URL(), srv: srv, users: users, dir: dir}
}

// addUser adds a user and returns its token.
func (h *teamHub) addUser(t *testing.T, name, role string) string {
	t.Helper()
	tok, err := h.users.Add(name, role, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// dial opens a session with token, failing the test on error.
func dial(t *testing.T, url, token string) *Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Dial(ctx, feedtestClient(url, token))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// waitFiring polls the hub's book (new sessions) until an alert fires.
func waitFiring(t *testing.T, url, token string) feed.TeamAlert {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		s := dial(t, url, token)
		if s.Alerts != nil {
			for _, a := range s.Alerts.Active {
				if a.State == string(alert.Firing) {
					return a
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("no alert fired on the team hub within 30 s")
	return feed.TeamAlert{}
}

func do(t *testing.T, s *Session, c feed.TeamCommand) (feed.TeamResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Do(ctx, c)
}

func TestResponderAckIsSeenAttributedAndViewerIsRefused(t *testing.T) {
	h := startTeamHub(t, t.TempDir(), "ice-failed")
	dana := h.addUser(t, "dana", feed.RoleResponder)
	vic := h.addUser(t, "vic", feed.RoleViewer)
	a := waitFiring(t, h.url, vic)

	if w, ok := Probe(t.Context(), feedtestClient(h.url, vic)); !ok || w.User != "vic" {
		t.Fatalf("Probe of the team hub: %+v, %v", w, ok)
	}
	viewer := dial(t, h.url, vic)
	if viewer.Welcome.User != "vic" || viewer.Welcome.Role != feed.RoleViewer {
		t.Fatalf("welcome %+v, want vic the viewer", viewer.Welcome)
	}
	res, err := do(t, viewer, feed.TeamCommand{Op: feed.OpAck, Key: a.Key})
	if err == nil || res.Code != feed.CodeForbidden || !strings.Contains(err.Error(), "viewer") {
		t.Fatalf("viewer's ack: %+v, %v; want forbidden naming the viewer role", res, err)
	}

	responder := dial(t, h.url, dana)
	if _, err := do(t, responder, feed.TeamCommand{Op: feed.OpAck, Key: a.Key, Note: "on it"}); err != nil {
		t.Fatalf("responder's ack: %v", err)
	}
	if _, err := do(t, responder, feed.TeamCommand{Op: feed.OpAck, Key: "no-such@alert"}); err == nil || !strings.Contains(err.Error(), "unknown key") {
		t.Fatalf("ack of an unknown key: %v, want unknown key", err)
	}
	got := dial(t, h.url, vic).Alerts
	i := slices.IndexFunc(got.Active, func(x feed.TeamAlert) bool { return x.Key == a.Key })
	if i < 0 || got.Active[i].AckedBy != "dana" || got.Active[i].AckNote != "on it" || got.Active[i].State != "acknowledged" {
		t.Fatalf("after dana's ack a new viewer sees %+v", got.Active)
	}
	log, err := os.ReadFile(filepath.Join(h.dir, AuditFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"user":"vic"`, `"result":"forbidden"`, `"user":"dana"`, `"op":"ack"`, `"result":"ok"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("audit log lacks %s:\n%s", want, log)
		}
	}
	if strings.Contains(string(log), dana) || strings.Contains(string(log), vic) {
		t.Error("a token is in the audit log")
	}
}

func TestPlainHubAnswersNotTeam(t *testing.T) {
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Dial(ctx, feedtest.FastClient(th.URL()))
	if !errors.Is(err, ErrNotTeam) {
		t.Fatalf("Dial of a plain hub: %v, want ErrNotTeam", err)
	}
	if w, ok := Probe(ctx, feedtest.FastClient(th.URL())); ok {
		t.Fatalf("Probe took a plain hub for a team hub: %+v", w)
	}
}

// feedtestClient is a fast client configuration for url with token.
func feedtestClient(url, token string) client.Config {
	cfg := feedtest.FastClient(url)
	cfg.Token = token
	return cfg
}
