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
