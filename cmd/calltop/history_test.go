package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/history"
)

// A team hub keeps the calls that end: `calltop history NAME` finds a
// person's ended call, `calltop report --call` prints it, and the history
// is still there after the hub restarts on the same state directory.
func TestTeamHubKeepsEndedCallsForHistory(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: runs a team hub at 16x until calls end (about 6 s)")
	}
	dir := t.TempDir()
	_, addr, stop := startHubCLI(t, "--team", "--state-dir", dir, "--simulate", "40", "--speed", "16", "--seed", "3")
	url := "ws://" + addr + "/feed"

	var calls []history.Summary
	waitUntil(t, 60*time.Second, "ended calls in the hub's history", func() bool {
		out, err := runCLI(t, "history", "--feed", url, "--json")
		if err != nil {
			return false
		}
		calls = nil
		return json.Unmarshal([]byte(out), &calls) == nil && len(calls) > 0
	})
	first := calls[0]
	if first.End.IsZero() || len(first.People) == 0 || first.Room == "" {
		t.Fatalf("a stored call without its end, people or room: %+v", first)
	}
	name := first.People[0]
	out, err := runCLI(t, "history", name, "--feed", url)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, first.ID) || !strings.Contains(out, "ENDED") {
		t.Fatalf("calltop history %q does not list %s:\n%s", name, first.ID, out)
	}

	out, err = runCLI(t, "report", "--call", first.ID, "--feed", url, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep diagnose.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report --call --json: %v\n%s", err, out)
	}
	if len(rep.Calls) != 1 || rep.Calls[0].ID != first.ID || rep.Calls[0].End == nil || len(rep.Calls[0].Participants) == 0 {
		t.Fatalf("the stored call's report: %+v", rep)
	}
	if _, err := runCLI(t, "report", "--call", "no-such-call", "--feed", url); err == nil || !strings.Contains(err.Error(), "no call") {
		t.Fatalf("report --call of an unknown id: %v", err)
	}

	if err := stop(); err != nil {
		t.Fatal(err)
	}
	_, addr, _ = startHubCLI(t, "--team", "--state-dir", dir, "--simulate", "1", "--seed", "4")
	out, err = runCLI(t, "history", "call:"+first.ID, "--feed", "ws://"+addr+"/feed")
	if err != nil || !strings.Contains(out, first.ID) {
		t.Fatalf("after a restart, history lost %s: %v\n%s", first.ID, err, out)
	}
}

// history names what is wrong: no hub, a hub not in team mode.
func TestHistoryNamesWhatIsWrong(t *testing.T) {
	t.Parallel()
	if _, err := runCLI(t, "history", "dana"); err == nil || !strings.Contains(err.Error(), "--feed") {
		t.Fatalf("no feed: %v", err)
	}
	_, addr, _ := startHubCLI(t, "--simulate", "1")
	_, err := runCLI(t, "history", "dana", "--feed", "ws://"+addr+"/feed")
	if err == nil || !strings.Contains(err.Error(), "--team") {
		t.Fatalf("a plain hub: %v, want it to say the hub is not in team mode", err)
	}
}

// Every ended call the hub's history listed before a kill -9 of the hub is
// there after it restarts on the same state directory, and a viewer may
// search it.
func TestTeamHistorySurvivesKill9(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: runs the calltop binary as a team hub until calls end (about 10 s)")
	}
	dir := t.TempDir()
	vic := addUser(t, dir, "vic", "viewer")
	hub := startTeamProc(t, dir, "--simulate", "40", "--speed", "16", "--scenario", "good")
	var before []history.Summary
	waitUntil(t, 60*time.Second, "ended calls in the hub's history", func() bool {
		out, _, err := calltop(t, "history", "--json", "--limit", "1000", "--feed", hub.url(), "--token", vic)
		before = nil
		return err == nil && json.Unmarshal([]byte(out), &before) == nil && len(before) >= 3
	})
	hub.kill()
	hub = startTeamProc(t, dir, "--simulate", "1")
	out, errOut, err := calltop(t, "history", "--json", "--limit", "1000", "--feed", hub.url(), "--token", vic)
	var after []history.Summary
	if err != nil || json.Unmarshal([]byte(out), &after) != nil {
		t.Fatalf("history after kill -9: %v\n%s%s", err, out, errOut)
	}
	kept := map[string]bool{}
	for _, s := range after {
		kept[s.ID] = true
	}
	for _, s := range before {
		if !kept[s.ID] {
			t.Errorf("call %s was in history before kill -9 and is gone after", s.ID)
		}
	}
	t.Logf("%d ended calls before kill -9, all %d there after (%d in all)", len(before), len(before), len(after))
}
