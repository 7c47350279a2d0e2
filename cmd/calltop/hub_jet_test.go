package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/calltop/calltop/diagnose/alert/natsstate"
	"github.com/calltop/calltop/diagnose/history"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/bus/bustest"
)

// Two `calltop hub --team --nats` processes on a 3-node JetStream cluster
// share one team: a user added once works on both, an ack made through
// one and a silence made through the other show on both, each hub's
// history holds the other's ended calls, and neither a kill -9 of a hub
// nor the restart of a NATS node loses any of it.
func TestTeamHubsOnJetStreamShareOneBook(t *testing.T) {
	calltopBinary(t) // built once; skips in -short
	cl := bustest.StartJetCluster(t, 3)
	urls := cl.URLs()
	out, errOut, err := calltop(t, "hub", "user", "add", "dana", "--role", "responder", "--nats", urls)
	if err != nil || !regexp.MustCompile(`^[0-9a-f]{64}\n$`).MatchString(out) {
		t.Fatalf("hub user add --nats: %v %q\n%s", err, out, errOut)
	}
	dana := strings.TrimSpace(out)
	if out, errOut, err := calltop(t, "hub", "user", "list", "--nats", urls); err != nil || !regexp.MustCompile(`(?m)^dana +responder +added `).MatchString(out) {
		t.Fatalf("hub user list --nats: %v %q\n%s", err, out, errOut)
	}
	dirA := t.TempDir()
	// 20 calls each, some ending within a minute or two (for history).
	// The alert acked is of a hub-b call: hub-a's end when it dies.
	a := startJetHub(t, dirA, urls, "hub-a")
	b := startJetHub(t, t.TempDir(), urls, "hub-b")
	t.Cleanup(func() {
		if t.Failed() {
			dumpActions(t, urls)
			t.Logf("hub-a:\n%s\nhub-b:\n%s", a.logs, b.logs)
		}
	})

	alert := firingAlertOf(t, a.url(), dana, "hub-b/") // dana's token works on hub-a
	if _, errOut, err := calltop(t, "alerts", "ack", alert.Key, "--note", "on it", "--feed", a.url(), "--token", dana); err != nil {
		t.Fatalf("ack through hub-a: %v\n%s", err, errOut)
	}
	if out, errOut, err := calltop(t, "alerts", "silence", "--rule", "rtt-high", "--for", "1h", "--comment", "maintenance",
		"--feed", b.url(), "--token", dana); err != nil { // and on hub-b
		t.Fatalf("silence through hub-b: %v %s\n%s", err, out, errOut)
	}
	for _, h := range []*teamProc{a, b} {
		waitTeamState(t, h.url(), dana, alert.Key, 15*time.Second)
	}

	// Each hub's history has the other's ended calls (through CALLTOP_ENDED).
	for _, h := range []*teamProc{a, b} {
		waitUntil(t, 180*time.Second, "ended calls of both hubs in the history of "+h.addr, func() bool {
			return historyHas(t, h.url(), dana, "hub-a/") && historyHas(t, h.url(), dana, "hub-b/")
		})
	}

	// hub-a dies (kill -9) and a NATS node restarts: hub-b keeps it all.
	a.kill()
	cl.Restart(0)
	if _, going := alertByKey(listAlerts(t, b.url(), dana), alert.Key); !going {
		// Its call ended meanwhile (simulated calls last 1 to 10 minutes
		// at 2x): the silence still has to be everywhere.
		t.Logf("%s resolved before hub-a died: checking the silence only", alert.Key)
		checkSilence(t, b.url(), dana)
	} else {
		waitTeamState(t, b.url(), dana, alert.Key, 15*time.Second)
	}
	// hub-a comes back on its state directory: the book is the team's (its
	// Monitor needs a while to see the high RTT again).
	a2 := startJetHub(t, dirA, urls, "hub-a")
	if _, going := alertByKey(listAlerts(t, b.url(), dana), alert.Key); !going {
		checkSilence(t, a2.url(), dana)
	} else {
		waitTeamState(t, a2.url(), dana, alert.Key, 60*time.Second)
	}
	if !historyHas(t, a2.url(), dana, "hub-b/") {
		t.Error("hub-a's history lost hub-b's calls across its restart")
	}
	if h := healthOf(t, a2.addr); !strings.Contains(h, `"teamJetStream":{`) || !strings.Contains(h, `"connected":true`) {
		t.Errorf("/healthz of hub-a: %s", h)
	}
}

// startJetHub runs `calltop hub --team --nats urls --hub-id id` with 20
// high-RTT calls at 2x (startTeamProc's), allowing a busy machine 60 s to
// create the buckets and listen, and showing its log when it does not.
func startJetHub(t *testing.T, dir, urls, id string) *teamProc {
	t.Helper()
	args := []string{"hub", "--team", "--state-dir", dir, "--listen", "127.0.0.1:0", "--simulate", "20",
		"--scenario", "high-rtt", "--seed", "11", "--speed", "2", "--nats", urls, "--hub-id", id}
	p := &teamProc{cmd: exec.Command(calltopBinary(t), args...), logs: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	for deadline := time.Now().Add(60 * time.Second); p.addr == ""; time.Sleep(20 * time.Millisecond) {
		if m := servingOn.FindStringSubmatch(p.logs.String()); m != nil {
			p.addr = m[1]
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited before listening:\n%s", id, p.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening within 60 s:\n%s", id, p.logs)
		}
	}
	return p
}

// firingAlertOf waits for a firing rtt-high alert of a call whose id
// starts with prefix.
func firingAlertOf(t *testing.T, url, token, prefix string) feed.TeamAlert {
	t.Helper()
	var a feed.TeamAlert
	waitUntil(t, 60*time.Second, "a firing alert of a "+prefix+" call", func() bool {
		for _, x := range listAlerts(t, url, token) {
			if x.State == "firing" && x.Rule == "rtt-high" && strings.HasPrefix(x.Call, prefix) {
				a = x
				return true
			}
		}
		time.Sleep(200 * time.Millisecond)
		return false
	})
	return a
}

// waitTeamState waits until the hub at url shows dana's ack of key and
// her silence (checkTeamState).
func waitTeamState(t *testing.T, url, token, key string, within time.Duration) {
	t.Helper()
	defer func() {
		if t.Failed() {
			got, _ := alertByKey(listAlerts(t, url, token), key)
			t.Logf("alert %s at %s: %+v", key, url, got)
		}
	}()
	waitUntil(t, within, "dana's ack and silence at "+url, func() bool {
		got, ok := alertByKey(listAlerts(t, url, token), key)
		if !ok || got.State != "acknowledged" || got.AckedBy != "dana" || !hasSilences(t, url, token) {
			time.Sleep(200 * time.Millisecond)
			return false
		}
		return true
	})
	checkTeamState(t, url, token, key)
}

// hasSilences reports whether the hub at url lists a silence.
func hasSilences(t *testing.T, url, token string) bool {
	out, _, err := calltop(t, "alerts", "silences", "--json", "--feed", url, "--token", token)
	var sils []feed.TeamSilence
	return err == nil && json.Unmarshal([]byte(out), &sils) == nil && len(sils) > 0
}

// checkSilence waits (60 s) until the hub at url lists a silence and
// checks it is dana's.
func checkSilence(t *testing.T, url, token string) {
	t.Helper()
	waitUntil(t, 60*time.Second, "a silence at "+url, func() bool { return hasSilences(t, url, token) })
	out, errOut, err := calltop(t, "alerts", "silences", "--json", "--feed", url, "--token", token)
	if err != nil {
		t.Fatalf("alerts silences: %v\n%s", err, errOut)
	}
	var sils []feed.TeamSilence
	json.Unmarshal([]byte(out), &sils)
	if len(sils) != 1 || sils[0].CreatedBy != "dana" || sils[0].Comment != "maintenance" {
		t.Errorf("silences at %s: %s; want dana's", url, out)
	}
}

// historyHas reports whether the hub's history lists a call whose id
// starts with prefix.
func historyHas(t *testing.T, url, token, prefix string) bool {
	t.Helper()
	out, _, err := calltop(t, "history", "--feed", url, "--token", token, "--json", "--limit", "200")
	var calls []history.Summary
	if err != nil || json.Unmarshal([]byte(out), &calls) != nil {
		return false
	}
	for _, c := range calls {
		if strings.HasPrefix(c.ID, prefix) {
			return true
		}
	}
	time.Sleep(200 * time.Millisecond)
	return false
}

// dumpActions logs the team bucket's acks and silences (a failing
// test's evidence).
func dumpActions(t *testing.T, urls string) {
	nc, err := nats.Connect(urls)
	if err != nil {
		t.Log(err)
		return
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	st, err := natsstate.Open(context.Background(), natsstate.Config{JS: js, HubID: "debug"})
	if err != nil {
		t.Log(err)
		return
	}
	p, n, err := st.Load(time.Now())
	t.Logf("bucket: acks %+v silences %d notice %q err %v saved %v", p.Acks, len(p.Silences), n, err, p.Saved)
}

// The JetStream flags need --team and --nats, and a team hub on NATS on
// port 0 needs a hub id to name its book; each is refused with the
// reason before anything connects. A bus that cannot be reached stops
// the hub at start, saying so.
func TestHubJetFlagsAreRefusedWhereTheyCannotWork(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"hub", "--simulate", "1", "--js-replicas", "3", "--listen", "127.0.0.1:0"}, "need --team and --nats"},
		{[]string{"hub", "--team", "--simulate", "1", "--ended-max-age", "1h", "--listen", "127.0.0.1:0"}, "need --team and --nats"},
		{[]string{"hub", "--team", "--simulate", "1", "--nats", "nats://127.0.0.1:1", "--js-replicas", "9", "--listen", "127.0.0.1:0"}, "--js-replicas 9"},
		{[]string{"hub", "--team", "--simulate", "1", "--nats", "nats://127.0.0.1:1", "--listen", "127.0.0.1:0"}, "needs --hub-id"},
		{[]string{"hub", "user", "add", "dana", "--role", "viewer", "--nats-creds", "x.creds"}, "--nats-creds needs --nats"},
		{[]string{"hub", "--team", "--simulate", "1", "--nats", "nats://127.0.0.1:1", "--hub-id", "east", "--listen", "127.0.0.1:0"}, "--nats: nats: no servers available"},
	} {
		out, err := runCLIEnv(t, map[string]string{"XDG_STATE_HOME": t.TempDir()}, append(c.args, "--state-dir", t.TempDir())...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q\n%s", c.args, err, c.want, out)
		}
	}
}

// A team hub started with its NATS cluster (no JetStream meta leader yet:
// API requests go unanswered) waits for JetStream instead of exiting;
// an error that is not "no answer" is returned at once.
func TestTeamHubWaitsForAStartingJetStream(t *testing.T) {
	var logs strings.Builder
	logger := log.New(&logs, "", 0)
	tries := 0
	err := jetReady(logger, func(ctx context.Context) error {
		if tries++; tries < 3 {
			return fmt.Errorf("JetStream bucket CALLTOP_TEAM: %w", context.DeadlineExceeded)
		}
		return nil
	})
	if err != nil || tries != 3 || !strings.Contains(logs.String(), "JetStream does not answer yet") {
		t.Fatalf("err %v after %d tries; log %q", err, tries, logs.String())
	}
	tries = 0
	refused := errors.New("insufficient resources")
	if err := jetReady(logger, func(context.Context) error { tries++; return refused }); !errors.Is(err, refused) || tries != 1 {
		t.Fatalf("a refusal: err %v after %d tries, want it at once", err, tries)
	}
}
