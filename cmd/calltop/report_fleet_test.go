package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestReportFleetSection: report on a recording of a fleet whose Chrome
// 142 users lose packets names that group first, in text and in JSON; a
// healthy fleet's report says nothing stands out.
func TestReportFleetSection(t *testing.T) {
	t.Parallel()
	path := writeSimRecordingOf(t, 40, []string{"good", "fleet-chrome142"}, 45)
	out, err := runCLI(t, "report", path)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	i := strings.Index(out, "\nFleet: ")
	if i < 0 {
		t.Fatalf("no fleet section in the text report:\n%s", out)
	}
	fleetText := out[i:]
	first := strings.Index(fleetText, "Stands out: ")
	if first < 0 || !strings.HasPrefix(fleetText[first+len("Stands out: "):], "loss-inbound: ") ||
		!strings.Contains(fleetText[first:first+120], "of Chrome 142 participants vs") {
		t.Errorf("the first thing standing out is not Chrome 142's loss:\n%s", fleetText)
	}
	for _, want := range []string{"By browser version:", "By ice path:", "By tag app:", "Chrome 142"} {
		if !strings.Contains(fleetText, want) {
			t.Errorf("fleet section lacks %q:\n%s", want, fleetText)
		}
	}

	out, err = runCLI(t, "report", path, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep jsReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Fleet == nil || len(rep.Fleet.StandOut) == 0 {
		t.Fatalf("JSON report has no fleet claims: %+v", rep.Fleet)
	}
	if c := rep.Fleet.StandOut[0]; c.Dimension != "version" || c.Value != "Chrome 142" || c.Share <= 3*c.RestShare {
		t.Errorf("first claim %+v, want Chrome 142 far above the rest", c)
	}
	people := 0
	for _, c := range rep.Calls {
		people += len(c.Participants)
	}
	if rep.Fleet.People != people {
		t.Errorf("fleet counts %d people, the calls hold %d", rep.Fleet.People, people)
	}

	healthy := writeSimRecordingOf(t, 40, []string{"good"}, 30)
	if out, err = runCLI(t, "report", healthy); err != nil || !strings.Contains(out, "Nothing stands out") {
		t.Errorf("healthy fleet report (err %v) does not say nothing stands out:\n%s", err, out)
	}
}
