package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/recording"
)

// lockedBuffer is a bytes.Buffer safe for the hub's logging goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startCLI runs calltop with args until the test ends (or stop is called).
func startCLI(t *testing.T, args ...string) (logs *lockedBuffer, stop func() error) {
	t.Helper()
	logs = &lockedBuffer{}
	cmd := newRootCmd(testEnv(nil))
	cmd.SetOut(logs)
	cmd.SetErr(logs)
	cmd.SetArgs(args)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { stop() })
	return logs, stop
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitHealthy waits for the hub at addr to answer /healthz.
func waitHealthy(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
	}
	t.Fatalf("hub on %s never became healthy", addr)
}

func readRecords(t *testing.T, path string) []recording.Record {
	t.Helper()
	rc, err := recording.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	recs, bad, err := recording.ReadRecording(rc, path)
	if err != nil || len(bad) > 0 {
		t.Fatalf("%s: %v %v", path, err, bad)
	}
	return recs
}

func types(recs []recording.Record) []string {
	var out []string
	for _, r := range recs {
		var m struct{ Type string }
		json.Unmarshal(r.Msg, &m)
		out = append(out, m.Type)
	}
	return out
}

func TestHubRefusesOpenAddressWithoutToken(t *testing.T) {
	out, err := runCLI(t, "hub", "--listen", "0.0.0.0:0", "--simulate", "1")
	if err == nil || !strings.Contains(err.Error(), "CALLTOP_TOKEN") {
		t.Fatalf("hub on 0.0.0.0 without a token: err %v, output %s", err, out)
	}
	if _, err := runCLI(t, "hub", "--listen", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "--simulate") {
		t.Fatalf("hub with no source: %v", err)
	}
}

func TestHubSimulateThenRecordThenReplay(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	hubLogs, stopHub := startCLI(t, "hub", "--listen", addr, "--simulate", "3", "--speed", "10", "--seed", "3")
	waitHealthy(t, addr)
	time.Sleep(300 * time.Millisecond) // a few steps, so calls are going

	first := filepath.Join(dir, "x.jsonl.gz")
	out, err := runCLI(t, "record", "--feed", "ws://"+addr+"/feed", "-o", first, "--duration", "1s")
	if err != nil {
		t.Fatalf("record: %v\n%s", err, out)
	}
	if !strings.Contains(out, "frames in") {
		t.Fatalf("record printed no summary: %s", out)
	}
	if err := stopHub(); err != nil {
		t.Fatalf("hub stopped with %v\n%s", err, hubLogs)
	}
	if !strings.Contains(hubLogs.String(), "subscriber 1") {
		t.Fatalf("hub logged no subscriber:\n%s", hubLogs)
	}
	recs := readRecords(t, first)
	kinds := types(recs)
	if len(kinds) < 3 || kinds[0] != feed.TypeHello || kinds[1] != feed.TypeSnapshot || !strings.Contains(strings.Join(kinds, " "), "stats") {
		t.Fatalf("recording holds %v: want hello, snapshot, then stats", kinds)
	}

	// Serve the recording again and record it: every replayed frame is
	// one of the recorded ones, byte for byte.
	addr2 := freeAddr(t)
	startCLI(t, "hub", "--listen", addr2, "--replay", first, "--speed", "4")
	waitHealthy(t, addr2)
	second := filepath.Join(dir, "y.jsonl")
	if out, err := runCLI(t, "record", "--feed", "ws://"+addr2+"/feed", "-o", second, "--duration", "600ms"); err != nil {
		t.Fatalf("record of the replay: %v\n%s", err, out)
	}
	recorded := map[string]bool{}
	for _, r := range recs {
		recorded[string(r.Msg)] = true
	}
	again := readRecords(t, second)
	if len(again) < 3 {
		t.Fatalf("the replay gave only %d frames", len(again))
	}
	for i, r := range again[2:] { // after the replay hub's own hello and snapshot
		if !recorded[string(r.Msg)] {
			t.Fatalf("replayed frame %d was never recorded: %.200s", i+2, r.Msg)
		}
	}
}
