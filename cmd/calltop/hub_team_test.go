package main

import (
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/cmd/calltop/team"
	"github.com/calltop/calltop/feed/hub"
)

func TestTeamHubOffLoopbackNeedsTokensAndTLS(t *testing.T) {
	users, err := team.OpenUsers(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o := hubOptions{listen: "0.0.0.0:7070", team: hubTeamFlags{on: true}}
	if err := checkHubListen(o, users); err == nil || !strings.Contains(err.Error(), "without tokens") {
		t.Errorf("no users, no token, off loopback: %v; want refused", err)
	}
	if _, err := users.Add("dana", "responder", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := checkHubListen(o, users); err == nil || !strings.Contains(err.Error(), "without TLS") {
		t.Errorf("users but no TLS, off loopback: %v; want refused for TLS", err)
	}
	o.tlsCert, o.tlsKey = "hub.pem", "hub.key"
	if err := checkHubListen(o, users); err != nil {
		t.Errorf("users and TLS: %v", err)
	}
	o.listen, o.tlsCert = "127.0.0.1:7070", ""
	if err := checkHubListen(o, users); err != nil {
		t.Errorf("loopback: %v", err)
	}
	o.team.ssh = "127.0.0.1:2222"
	if err := checkHubListen(o, users); err == nil || !strings.Contains(err.Error(), "--authorized-keys") {
		t.Errorf("--ssh without --authorized-keys: %v", err)
	}
}

func TestTeamFlagsNeedTeam(t *testing.T) {
	_, _, err := setupTeam(hubOptions{team: hubTeamFlags{ssh: "127.0.0.1:2222"}}, hub.Config{}, nil)
	if err == nil || !strings.Contains(err.Error(), "add --team") {
		t.Errorf("--ssh without --team: %v", err)
	}
}
