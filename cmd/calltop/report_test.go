package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/recording"
	"github.com/calltop/calltop/feed/sim"
)

// writeSimRecording writes a recording of seconds of simulated feed.
func writeSimRecording(t *testing.T, scenarios []string, seconds int, extra ...string) string {
	t.Helper()
	return writeSimRecordingOf(t, 6, scenarios, seconds, extra...)
}

// writeSimRecordingOf writes a recording of seconds of a simulated feed
// of calls calls.
func writeSimRecordingOf(t *testing.T, calls int, scenarios []string, seconds int, extra ...string) string {
	t.Helper()
	s, err := sim.New(sim.Config{Calls: calls, Scenarios: scenarios, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.jsonl")
	var buf bytes.Buffer
	for i := 0; i < seconds; i++ {
		for _, m := range s.Step() {
			frame, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			line, _ := json.Marshal(recording.Record{Recv: time.UnixMilli(int64(m.TS)), Msg: frame})
			buf.Write(append(line, '\n'))
		}
	}
	for _, e := range extra {
		buf.WriteString(e + "\n")
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Strict mirror of docs/report-json.md: decoding with DisallowUnknownFields
// fails on any field the doc does not list.
type (
	jsReport struct {
		Source struct{ Path, Format string } `json:"source"`
		Calls  []jsCall                      `json:"calls"`
		Fleet  *jsFleet                      `json:"fleet"`
	}
	jsFleet struct {
		People   int `json:"people"`
		Calls    int `json:"calls"`
		StandOut []struct {
			Rule, Dimension, Value, Text string
			Affected, People             int
			Share, RestShare, Z          float64
		} `json:"standOut"`
		Dimensions []struct {
			Key, Title string
			Groups     []struct {
				Value                                         string
				People, Calls                                 int
				ProblemShare                                  float64
				Small                                         bool
				Rules                                         map[string]int
				MOSMedian, MOSP10, LossMedianPct, RTTMedianMs *float64
			}
		} `json:"dimensions"`
	}
	jsCall struct {
		ID           string            `json:"id"`
		Room         string            `json:"room"`
		Tags         map[string]string `json:"tags"`
		Start        string            `json:"start"`
		End          *string           `json:"end"`
		DurationSec  float64           `json:"durationSec"`
		Participants []jsParticipant   `json:"participants"`
		Findings     []jsFinding       `json:"findings"`
	}
	jsParticipant struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		UserAgent   string `json:"userAgent"`
		MOS         *struct{ Mean, Min float64 }
		Connections []jsConnection `json:"connections"`
		UserID      string         `json:"userId"`
	}
	jsConnection struct {
		ID                  string     `json:"id"`
		Failed              bool       `json:"failed"`
		Relay               *bool      `json:"relay"`
		RelayProtocol       string     `json:"relayProtocol"`
		LocalCandidateType  string     `json:"localCandidateType"`
		MeanRTTMs           *float64   `json:"meanRttMs"`
		SelectedPairRTTMs   *float64   `json:"selectedPairRttMs"`
		RemoteInboundRTTMs  *float64   `json:"remoteInboundRttMs"`
		PacketsSent         int64      `json:"packetsSent"`
		PacketsSentLost     int64      `json:"packetsSentLost"`
		PacketsReceived     int64      `json:"packetsReceived"`
		PacketsReceivedLost int64      `json:"packetsReceivedLost"`
		Streams             []jsStream `json:"streams"`
		SetupMs             *float64   `json:"setupMs"`
		ICEGatheringMs      *float64   `json:"iceGatheringMs"`
		Reconnects          int        `json:"reconnects"`
		ICERestarts         int        `json:"iceRestarts"`
		DTLSFailed          bool       `json:"dtlsFailed"`
		NegotiationFailures int        `json:"negotiationFailures"`
		NegotiationErrors   []struct {
			At        string `json:"at"`
			Operation string `json:"operation"`
			Error     string `json:"error"`
		} `json:"negotiationErrors"`
	}
	jsStream struct {
		SSRC            int64    `json:"ssrc"`
		Kind            string   `json:"kind"`
		Direction       string   `json:"direction"`
		Packets         int64    `json:"packets"`
		PacketsLost     int64    `json:"packetsLost"`
		MeanBitrateKbps float64  `json:"meanBitrateKbps"`
		LossPct         *float64 `json:"lossPct"`
		ConcealmentPct  *float64 `json:"concealmentPct"`
		MinResolution   string   `json:"minResolution"`
		MaxResolution   string   `json:"maxResolution"`
	}
	jsFinding struct {
		Rule        string  `json:"rule"`
		Severity    string  `json:"severity"`
		Participant string  `json:"participant"`
		Connection  string  `json:"connection"`
		Start       string  `json:"start"`
		End         *string `json:"end"`
		Message     string  `json:"message"`
		Advice      string  `json:"advice"`
		Evidence    []struct {
			Metric    string  `json:"metric"`
			Value     float64 `json:"value"`
			Threshold float64 `json:"threshold"`
			Unit      string  `json:"unit"`
		} `json:"evidence"`
	}
)

// documentedFields reads the field tables of docs/report-json.md: section
// name -> field names.
func documentedFields(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "report-json.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	section := ""
	row := regexp.MustCompile("^\\| `([a-zA-Z][a-zA-Z0-9]*)` \\|")
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## Top level"):
			section = "report"
		case strings.HasPrefix(line, "### "):
			section = strings.TrimPrefix(line, "### ")
		case strings.HasPrefix(line, "## "):
			section = ""
		}
		if m := row.FindStringSubmatch(line); m != nil && section != "" {
			out[section] = append(out[section], m[1])
		}
	}
	return out
}

// checkKeys asserts obj has exactly the documented fields of section, and
// recurses into the nested objects.
func checkKeys(t *testing.T, doc map[string][]string, section string, obj map[string]any, seen map[string]bool) {
	t.Helper()
	want := doc[section]
	if len(want) == 0 {
		t.Fatalf("docs/report-json.md has no table for %q", section)
	}
	seen[section] = true
	for _, k := range want {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s: documented field %q missing from the output", section, k)
		}
	}
	if len(obj) != len(want) {
		t.Errorf("%s: output has fields %v, the doc lists %v", section, keys(obj), want)
	}
	children := map[string]string{"source": "source", "calls": "call", "participants": "participant",
		"connections": "connection", "streams": "stream", "findings": "finding", "evidence": "evidence",
		"fleet": "fleet", "standOut": "claim", "dimensions": "dimension", "groups": "group"}
	for k, v := range obj {
		child, ok := children[k]
		if !ok {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			checkKeys(t, doc, child, x, seen)
		case []any:
			for _, e := range x {
				checkKeys(t, doc, child, e.(map[string]any), seen)
			}
		}
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestReportJSONMatchesDoc(t *testing.T) {
	t.Parallel()
	path := writeSimRecording(t, []string{"wifi-loss", "turn-tcp", "ice-disconnect"}, 40)
	out, err := runCLI(t, "report", path, "--json")
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	var strict jsReport
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&strict); err != nil {
		t.Fatalf("output does not decode into the documented shape: %v", err)
	}
	var generic map[string]any
	if err := json.Unmarshal([]byte(out), &generic); err != nil {
		t.Fatal(err)
	}
	doc := documentedFields(t)
	seen := map[string]bool{}
	checkKeys(t, doc, "report", generic, seen)
	for _, s := range []string{"source", "call", "participant", "connection", "stream", "finding", "evidence"} {
		if !seen[s] {
			t.Errorf("the output had no %s object, so its fields were not checked", s)
		}
	}
	timeRE := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	scenarioRule := map[string]string{"wifi-loss": "loss-inbound", "turn-tcp": "relay-tcp", "ice-disconnect": "ice-disconnected"}
	checked := 0
	for _, c := range strict.Calls {
		rules := map[string]bool{}
		for _, ts := range []string{c.Start} {
			if !timeRE.MatchString(ts) {
				t.Errorf("time %q is not RFC 3339 UTC with milliseconds", ts)
			}
		}
		for _, f := range c.Findings {
			rules[f.Rule] = true
			if !timeRE.MatchString(f.Start) || (f.End != nil && !timeRE.MatchString(*f.End)) {
				t.Errorf("finding times %q %v not in the documented format", f.Start, f.End)
			}
		}
		for _, p := range c.Participants {
			for _, cn := range p.Connections {
				var sent, recv int64
				for _, s := range cn.Streams {
					if s.Direction == "outbound" {
						sent += s.Packets
					} else {
						recv += s.Packets
					}
				}
				if sent != cn.PacketsSent || recv != cn.PacketsReceived {
					t.Errorf("connection totals %d/%d are not the sums of its streams %d/%d", cn.PacketsSent, cn.PacketsReceived, sent, recv)
				}
			}
		}
		if want := scenarioRule[c.Tags["scenario"]]; want != "" {
			checked++
			if !rules[want] {
				t.Errorf("call %s (scenario %s) has no %s finding (got %v)", c.ID, c.Tags["scenario"], want, rules)
			}
		}
	}
	if checked == 0 {
		t.Errorf("no call carried a scenario tag to check")
	}
	if strict.Source.Path != path || strict.Source.Format != "calltop-recording" {
		t.Errorf("source %+v", strict.Source)
	}
}

func TestReportTextAndBadLines(t *testing.T) {
	t.Parallel()
	path := writeSimRecording(t, []string{"wifi-loss"}, 30,
		`{"recv":"2026-01-01T00:00:31Z","msg":{"type":"stats","callId":"x"}}`,
		`not json at all`)
	out, err := runCLI(t, "report", path)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	for _, want := range []string{"calltop report: " + path, "loss-inbound", "is missing", "Advice:",
		"frame ", "stats message without", "x.jsonl:", "could not be used"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestReportNeedsInput(t *testing.T) {
	t.Parallel()
	if _, err := runCLI(t, "report"); err == nil || !strings.Contains(err.Error(), "FILE") {
		t.Errorf("report without input: %v", err)
	}
	if _, err := runCLI(t, "report", "--feed", "ws://127.0.0.1:1/feed"); err == nil || !strings.Contains(err.Error(), "--duration") {
		t.Errorf("--feed without --duration: %v", err)
	}
	if _, err := runCLI(t, "report", filepath.Join(t.TempDir(), "missing.jsonl")); err == nil {
		t.Errorf("missing file: no error")
	}
}

func TestReportFromLiveFeed(t *testing.T) {
	t.Parallel()
	s, err := sim.New(sim.Config{Calls: 4, Scenarios: []string{"turn-tcp"}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	feedHub := hub.New(hub.Config{Logf: func(string, ...any) {}})
	ctx, cancel := context.WithCancel(context.Background())
	served, stepped := make(chan struct{}), make(chan struct{})
	go func() { defer close(served); _ = feedHub.Serve(ctx, ln) }()
	go func() { defer close(stepped); _ = hub.StepSource(s.StepEach, time.Second, 40)(ctx, feedHub) }()
	defer func() { cancel(); <-served; <-stepped }()

	cmd := newRootCmd(testEnv(nil))
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	url := "ws://" + ln.Addr().String() + "/feed"
	cmd.SetArgs([]string{"report", "--feed", url, "--duration", "1s", "--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("report --feed: %v (%s)", err, errOut.String())
	}
	var rep jsReport
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("output: %v", err)
	}
	if rep.Source.Path != url || rep.Source.Format != "calltop-feed" || len(rep.Calls) < 4 {
		t.Fatalf("source %+v, %d calls; want the feed URL, calltop-feed and the 4 simulated calls", rep.Source, len(rep.Calls))
	}
	relayed := 0
	for _, c := range rep.Calls {
		for _, f := range c.Findings {
			if f.Rule == "relay-tcp" {
				relayed++
			}
		}
	}
	if relayed == 0 {
		t.Errorf("40 s of turn-tcp feed (1 s at 40x) gave no relay-tcp finding")
	}
}
