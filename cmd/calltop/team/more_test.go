package team

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
)

func TestUsersAreStoredHashedInA0600FileAndSeenByARunningHub(t *testing.T) {
	dir := t.TempDir()
	h := startTeamHub(t, dir, "high-rtt")
	// Another process (calltop hub user add) adds a user while the hub runs.
	other, err := OpenUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	token, err := other.Add("dana", feed.RoleResponder, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, UsersFileName)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("users file: %v, %v; want mode 0600", fi, err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), token) || !strings.Contains(string(data), hashToken(token)) {
		t.Fatalf("users file holds the token itself, or not its hash:\n%s", data)
	}
	if s := dial(t, h.url, token); s.Welcome.User != "dana" || s.Welcome.Role != feed.RoleResponder {
		t.Fatalf("the hub took dana's new token for %+v", s.Welcome)
	}
	if _, err := other.Add("dana", feed.RoleViewer, time.Now()); err == nil {
		t.Error("adding dana twice: no error")
	}
	if err := other.Remove("dana"); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.users.Lookup(token); ok {
		t.Error("a removed user's token still works")
	}
	if _, err := other.Add("bad name", feed.RoleViewer, time.Now()); err == nil {
		t.Error("a user name with a space: no error")
	}
	if _, err := other.Add("eve", "root", time.Now()); err == nil || !strings.Contains(err.Error(), "viewer, responder or admin") {
		t.Errorf("role root: %v", err)
	}
}

func TestSilenceByPersonExpireAttributedAndRateLimited(t *testing.T) {
	h := startTeamHub(t, t.TempDir(), "high-rtt", func(c *Config) { c.Rate, c.Burst = 0.001, 2 })
	dana := h.addUser(t, "dana", feed.RoleResponder)
	a := waitFiring(t, h.url, dana)
	s := dial(t, h.url, dana)
	res, err := do(t, s, feed.TeamCommand{Op: feed.OpSilence, Matcher: feed.TeamMatcher{Person: a.Name}, UntilResolved: true, Comment: "her wifi"})
	if err != nil || res.Silence == nil || res.Silence.CreatedBy != "dana" || res.Silence.Matcher.Person != a.Name {
		t.Fatalf("silence of %s: %+v, %v", a.Name, res.Silence, err)
	}
	if _, err := do(t, s, feed.TeamCommand{Op: feed.OpExpire, Silence: res.Silence.ID}); err != nil {
		t.Fatalf("expire: %v", err)
	}
	_, err = do(t, s, feed.TeamCommand{Op: feed.OpExpire, Silence: res.Silence.ID})
	if err == nil || !strings.Contains(err.Error(), "rate limited") {
		t.Fatalf("a third command beyond the burst of 2: %v; want rate limited", err)
	}
	got := dial(t, h.url, dana).Alerts
	expired := false
	for _, e := range got.Events {
		expired = expired || (e.Kind == "unmuted" && e.Who == "dana")
	}
	if !expired {
		b, _ := json.Marshal(got.Events)
		t.Errorf("no unmuted event by dana in %s", b)
	}
}

func TestSharedTokenIsAnAdminAndNoTokenIsRefusedOnceUsersExist(t *testing.T) {
	h := startTeamHub(t, t.TempDir(), "high-rtt", func(c *Config) { c.SharedToken = "s3cret" })
	if s := dial(t, h.url, "s3cret"); s.Welcome.User != sharedUser || s.Welcome.Role != feed.RoleAdmin {
		t.Fatalf("shared token welcomed as %+v", s.Welcome)
	}
	cfg := feedtestClient(h.url, "wrong")
	if _, err := Dial(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "token") {
		t.Fatalf("a wrong token: %v; want refused", err)
	}
}

func TestTokenlessTeamHubAnswersOnlyLoopbackHostNames(t *testing.T) {
	h := startTeamHub(t, t.TempDir(), "high-rtt")
	if s := dial(t, h.url, ""); s.Welcome.User != anonymousUser || s.Welcome.Role != feed.RoleAdmin {
		t.Fatalf("a tokenless team hub welcomed a loopback client as %+v", s.Welcome)
	}
	hdr := http.Header{"Host": {"evil.example:7070"}}
	_, resp, err := websocket.DefaultDialer.Dial(h.url, hdr)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a rebound Host name: %v, %v; want refused", err, resp)
	}
}
