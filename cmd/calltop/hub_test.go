package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
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

// servingOn finds the address in the hub's "serving ... on ws://ADDR/feed"
// log line.
var servingOn = regexp.MustCompile(`on wss?://(\S+)/feed`)

// startHubCLI runs `calltop hub ARGS` on a free loopback port until the test
// ends (or stop is called) and returns its logs and its address, once it
// listens.
func startHubCLI(t *testing.T, args ...string) (logs *lockedBuffer, addr string, stop func() error) {
	t.Helper()
	logs, stop = startCLI(t, append(append([]string{"hub"}, args...), "--listen", "127.0.0.1:0")...)
	waitUntil(t, 10*time.Second, "the hub to listen", func() bool {
		m := servingOn.FindStringSubmatch(logs.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	})
	return logs, addr, stop
}

// waitUntil polls cond until it holds, failing the test with what after
// within.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", within, what)
		}
	}
}

// countLines counts the complete lines in the file at path (0 when it
// cannot be read).
func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte{'\n'})
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
	t.Parallel()
	out, err := runCLI(t, "hub", "--listen", "0.0.0.0:0", "--simulate", "1")
	if err == nil || !strings.Contains(err.Error(), "CALLTOP_TOKEN") {
		t.Fatalf("hub on 0.0.0.0 without a token: err %v, output %s", err, out)
	}
	if _, err := runCLI(t, "hub", "--listen", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "--simulate") {
		t.Fatalf("hub with no source: %v", err)
	}
}

func TestHubSimulateThenRecordThenReplay(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hubLogs, addr, stopHub := startHubCLI(t, "--simulate", "3", "--speed", "10", "--seed", "3")

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
	recs := feedtest.ReadRecording(t, first)
	kinds := types(recs)
	if len(kinds) < 3 || kinds[0] != feed.TypeHello || kinds[1] != feed.TypeSnapshot || !strings.Contains(strings.Join(kinds, " "), "stats") {
		t.Fatalf("recording holds %v: want hello, snapshot, then stats", kinds)
	}

	// Serve the recording again and record it: every replayed frame is
	// one of the recorded ones, byte for byte.
	// At a quarter speed the second recorded second takes four to replay:
	// the recorder, stopped as soon as a replayed frame is on disk, is in
	// time for it on a busy machine too.
	_, addr2, _ := startHubCLI(t, "--replay", first, "--speed", "0.25")
	second := filepath.Join(dir, "y.jsonl")
	recLogs, stopRec := startCLI(t, "record", "--feed", "ws://"+addr2+"/feed", "-o", second)
	waitUntil(t, 20*time.Second, "a replayed frame in the second recording", func() bool { return countLines(second) >= 3 })
	if err := stopRec(); err != nil {
		t.Fatalf("record of the replay: %v\n%s", err, recLogs)
	}
	recorded := map[string]bool{}
	for _, r := range recs {
		recorded[string(r.Msg)] = true
	}
	again := feedtest.ReadRecording(t, second)
	if len(again) < 3 {
		t.Fatalf("the replay gave only %d frames", len(again))
	}
	for i, r := range again[2:] { // after the replay hub's own hello and snapshot
		if !recorded[string(r.Msg)] {
			t.Fatalf("replayed frame %d was never recorded: %.200s", i+2, r.Msg)
		}
	}
}
