package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyFixture copies a real dump into dir.
func copyFixture(t *testing.T, src, dir string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// reportLines runs report --json and decodes its JSON lines.
func reportLines(t *testing.T, args ...string) ([]jsReport, string, error) {
	t.Helper()
	cmd := newRootCmd(testEnv(nil))
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"report", "--json"}, args...))
	err := cmd.Execute()
	var reps []jsReport
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r jsReport
		if jerr := json.Unmarshal(sc.Bytes(), &r); jerr != nil {
			t.Fatalf("line %d is not one JSON document: %v\n%.200s", len(reps)+1, jerr, sc.Text())
		}
		reps = append(reps, r)
	}
	return reps, errOut.String(), err
}

func TestReportSeveralFilesDirsAndGlobs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	const fx = "../../feed/dump/testdata"
	ff := copyFixture(t, fx+"/rtcstats/firefox-standard-stats-sfu.rtcstats", dir)
	gz := copyFixture(t, fx+"/chromium/pc-close.json.gz", sub)
	rec := writeSimRecording(t, []string{"wifi-loss"}, 20)
	if err := os.WriteFile(filepath.Join(sub, ".hidden"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}

	reps, stderr, err := reportLines(t, dir, rec)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, stderr)
	}
	want := []struct{ path, format string }{{ff, "rtcstats"}, {gz, "webrtc-internals"}, {rec, "calltop-recording"}}
	if len(reps) != len(want) {
		t.Fatalf("%d JSON lines, want one per file (%d)", len(reps), len(want))
	}
	for i, w := range want {
		if reps[i].Source.Path != w.path || reps[i].Source.Format != w.format || len(reps[i].Calls) == 0 {
			t.Errorf("line %d: %+v with %d calls, want %s (%s)", i+1, reps[i].Source, len(reps[i].Calls), w.path, w.format)
		}
	}

	// A glob; a file that is no dump is named and the others still come.
	bad := filepath.Join(dir, "notes.rtcstats")
	if err := os.WriteFile(bad, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reps, stderr, err = reportLines(t, filepath.Join(dir, "*.rtcstats"))
	if err == nil || !strings.Contains(stderr, "notes.rtcstats") || len(reps) != 1 || reps[0].Source.Path != ff {
		t.Errorf("glob with a bad file: err %v, %d reports, stderr:\n%s", err, len(reps), stderr)
	}
}

func TestReportOneFileKeepsOneDocument(t *testing.T) {
	t.Parallel()
	rec := writeSimRecording(t, []string{"good"}, 5)
	out, err := runCLI(t, "report", "--json", rec)
	if err != nil {
		t.Fatal(err)
	}
	var r jsReport
	if err := json.Unmarshal([]byte(out), &r); err != nil || !strings.HasPrefix(out, "{\n  ") {
		t.Errorf("one file: not one indented document (%v):\n%.200s", err, out)
	}
}

// TestReportFleetSummaryWorstFirst: a recording of several calls opens
// with one line a call, worst first, and the totals; a dump of one call
// has no summary.
func TestReportFleetSummaryWorstFirst(t *testing.T) {
	t.Parallel()
	rec := writeSimRecording(t, []string{"good", "wifi-loss", "good"}, 40)
	out, err := runCLI(t, "report", rec)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 4 || lines[2] != "Summary, worst first:" || !strings.Contains(lines[3], "WORST FINDING") {
		t.Fatalf("no summary at the top:\n%s", out)
	}
	var rows []string
	for _, l := range lines[4:] {
		if strings.HasPrefix(l, "  total: ") {
			if !strings.Contains(l, "6 calls") || !strings.Contains(l, "critical") {
				t.Errorf("totals line %q", l)
			}
			break
		}
		rows = append(rows, l)
	}
	if len(rows) != 6 {
		t.Fatalf("%d summary rows, want one per call (6):\n%s", len(rows), strings.Join(rows, "\n"))
	}
	if !strings.Contains(rows[0], "loss-inbound") || strings.HasSuffix(rows[0], " none") {
		t.Errorf("the first row is not the lossy call:\n%s", strings.Join(rows, "\n"))
	}
	if !strings.HasSuffix(rows[5], " none") {
		t.Errorf("the last row is not a call without findings:\n%s", strings.Join(rows, "\n"))
	}
	if strings.Index(out, "Summary") > strings.Index(out, "\nCall ") {
		t.Error("the details come before the summary")
	}

	one, err := runCLI(t, "report", "../../feed/dump/testdata/rtcstats/firefox-standard-stats-sfu.rtcstats")
	if err != nil || strings.Contains(one, "Summary") {
		t.Errorf("a one-call dump got a summary (%v)", err)
	}
}
