package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/gorilla/websocket"
	"github.com/spf13/cobra"
)

// rtcstatsFixtures are real rtcstats dumps recorded in Jitsi Meet calls.
const rtcstatsFixtures = "../../feed/dump/testdata/rtcstats"

// TestIngestReplaysDumpsLikeReport sends each fixture dump's lines over
// /rtcstats as the Jitsi rtcstats client would (identity and stats-entry
// messages with sequence numbers, then close code 3001), reads the hub's
// feed with `calltop report --feed`, and checks the report equals
// `calltop report` on the file.
func TestIngestReplaysDumpsLikeReport(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(rtcstatsFixtures, "*.rtcstats"))
	if len(files) < 4 {
		t.Fatalf("want the 4 rtcstats fixtures in %s, found %d", rtcstatsFixtures, len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			want := reportJSON(t, file)

			logs, addr, _ := startHubCLI(t, "--ingest", "rtcstats")
			// The live report reads until the call's end reaches it (its
			// --duration only bounds a failure).
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o := &reportOptions{applied: func(m *feed.Message) {
				if m.Type == feed.TypeCallEnd {
					cancel()
				}
			}}
			got := make(chan []byte, 1)
			go func() {
				got <- runReportJSON(t, ctx, reportCommand(testEnv(nil), o), "--feed", "ws://"+addr+"/feed", "--duration", "60s")
			}()
			waitSubscribers(t, addr, 1)

			meeting := strings.TrimSuffix(filepath.Base(file), ".rtcstats")
			sendDump(t, addr, meeting, file)
			live := <-got
			if ctx.Err() == nil {
				t.Errorf("the live report ended before the call did:\n%s", logs)
			}
			if strings.Contains(logs.String(), "bad frame") {
				t.Errorf("the hub found bad frames in a real dump:\n%s", logs)
			}
			compareReports(t, want, live)
		})
	}
}

// reportJSON runs `calltop report ARGS --json` and returns its output.
func reportJSON(t *testing.T, args ...string) []byte {
	return runReportJSON(t, context.Background(), newRootCmd(testEnv(nil)), append([]string{"report"}, args...)...)
}

// runReportJSON runs cmd with ARGS --json until it ends or ctx does and
// returns its output.
func runReportJSON(t *testing.T, ctx context.Context, cmd *cobra.Command, args ...string) []byte {
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append(args, "--json"))
	if err := cmd.ExecuteContext(ctx); err != nil {
		t.Errorf("report %v: %v\n%s", args, err, errOut.String())
	}
	return out.Bytes()
}

// waitSubscribers waits until the hub at addr has n feed subscribers.
func waitSubscribers(t *testing.T, addr string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			continue
		}
		var h struct {
			Subscribers int `json:"subscribers"`
		}
		json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if h.Subscribers >= n {
			return
		}
	}
	t.Fatalf("hub on %s never had %d subscribers", addr, n)
}

// sendDump plays a dump's lines into /rtcstats/<meeting> as the Jitsi
// client sends them, then leaves the conference (close code 3001).
func sendDump(t *testing.T, addr, meeting, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	session := meeting + "-session"
	url := fmt.Sprintf("ws://%s/rtcstats/%s?statsSessionId=%s&isReconnect=false", addr, meeting, session)
	protocol := "3.1_STANDARD"
	if bytes.Contains(data, []byte(`"googCandidatePair"`)) {
		protocol = "3.1_LEGACY" // what the client offers with Chrome's legacy stats
	}
	d := websocket.Dialer{Subprotocols: []string{protocol}}
	// The browser's user agent is in the dump's connectionInfo line when
	// it has one; Go's own would be a fact the dump does not hold.
	conn, resp, err := d.Dial(url, http.Header{"User-Agent": {""}})
	if err != nil {
		t.Fatalf("dial %s: %v (%v)", url, err, resp)
	}
	defer conn.Close()
	if got := conn.Subprotocol(); got != protocol {
		t.Errorf("subprotocol %q, want %s", got, protocol)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, first, err := conn.ReadMessage()
	if err != nil || !bytes.Contains(first, []byte(`"state":"initial"`)) {
		t.Fatalf("want the sequence number message first, got %s, %v", first, err)
	}
	seq := 0
	for _, line := range bytes.Split(data, []byte{'\n'}) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		seq++
		// The client appends its sequence number to each line.
		withSeq := fmt.Appendf(bytes.Clone(line[:len(line)-1]), ",%d]", seq)
		env := map[string]any{"statsSessionId": session, "type": "stats-entry", "data": string(withSeq)}
		if bytes.HasPrefix(line, []byte(`["identity"`)) {
			env["type"], env["data"] = "identity", json.RawMessage(withSeq) // identity data is not stringified
		}
		if err := conn.WriteJSON(env); err != nil {
			t.Fatalf("line %d: %v", seq, err)
		}
	}
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(3001, "conference left"), time.Now().Add(time.Second))
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			break // the hub's close frame, or the connection gone
		}
	}
}

// compareReports checks two report JSONs are equal but for the source,
// and for the times, which the live one has on the hub's clock: the dump
// was recorded years ago, so the ingest shifts each session's times by
// a constant.
func compareReports(t *testing.T, want, got []byte) {
	t.Helper()
	var w, g map[string]any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("file report: %v\n%s", err, want)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("live report: %v\n%s", err, got)
	}
	delete(w, "source")
	delete(g, "source")
	// The fleet breakdown groups by call tags, and the live session has one
	// the file lacks (clientProtocol, below): the calls are what must agree
	// (the breakdown has its own tests in diagnose/fleet and report).
	delete(w, "fleet")
	delete(g, "fleet")
	wc, _ := w["calls"].([]any)
	gc, _ := g["calls"].([]any)
	if len(wc) != 1 || len(gc) != 1 {
		t.Fatalf("file report has %d calls, live %d; want 1 each\nlive: %s", len(wc), len(gc), got)
	}
	ws, _ := wc[0].(map[string]any)["start"].(string)
	gs, _ := gc[0].(map[string]any)["start"].(string)
	wt, err1 := time.Parse(time.RFC3339Nano, ws)
	gt, err2 := time.Parse(time.RFC3339Nano, gs)
	if err1 != nil || err2 != nil {
		t.Fatalf("call starts %q, %q", ws, gs)
	}
	unshift(g, gt.Sub(wt))
	// A dump without rtcstats-server's connectionInfo line lost the
	// subprotocol the client connected with; the live session has it.
	wtags, _ := wc[0].(map[string]any)["tags"].(map[string]any)
	gtags, _ := gc[0].(map[string]any)["tags"].(map[string]any)
	if _, ok := wtags["clientProtocol"]; !ok && gtags != nil {
		delete(gtags, "clientProtocol")
	}
	wj, _ := json.MarshalIndent(w, "", " ")
	gj, _ := json.MarshalIndent(g, "", " ")
	if !reflect.DeepEqual(w, g) {
		t.Errorf("live report differs from the file's (times shifted back by %v)\n%s", gt.Sub(wt), lineDiff(string(wj), string(gj)))
	}
}

// unshift moves every time string in v back by d.
func unshift(v any, d time.Duration) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok {
				if tm, err := time.Parse(time.RFC3339Nano, s); err == nil && strings.HasSuffix(s, "Z") {
					x[k] = tm.Add(-d).UTC().Format("2006-01-02T15:04:05.000Z")
					continue
				}
			}
			unshift(e, d)
		}
	case []any:
		for _, e := range x {
			unshift(e, d)
		}
	}
}

// lineDiff shows the lines of b that differ from a's, with their
// neighbours' context kept short.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	shown := 0
	for i := 0; i < max(len(al), len(bl)) && shown < 40; i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&out, "line %d:\n  file: %s\n  live: %s\n", i+1, x, y)
			shown++
		}
	}
	return out.String()
}
