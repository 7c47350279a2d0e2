package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/statefile"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/sim"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// simHub serves `hub --simulate calls --scenario scenario` on loopback,
// feed time running speed times faster than the wall clock.
func simHub(t *testing.T, ctx context.Context, calls int, scenario string, speed float64) string {
	t.Helper()
	s, err := sim.New(sim.Config{Calls: calls, Scenarios: []string{scenario}, Seed: 7,
		Start: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	feedHub := hub.New(hub.Config{Logf: func(string, ...any) {}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); feedHub.Serve(ctx, ln) }()
	go func() { defer wg.Done(); hub.StepSource(s.StepEach, time.Second, speed)(ctx, feedHub) }()
	t.Cleanup(wg.Wait)
	return "ws://" + ln.Addr().String() + "/feed"
}

// runWatchUntil runs watch until its output satisfies done (or 20 s pass),
// then stops it as SIGTERM would and returns the output.
func runWatchUntil(t *testing.T, w watchFlags, done func(out string) bool) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	errc := make(chan error, 1)
	go func() { errc <- runWatch(ctx, w, &out, io.Discard) }()
	deadline := time.Now().Add(20 * time.Second)
	for !done(out.String()) {
		if time.Now().After(deadline) {
			cancel()
			<-errc
			t.Fatalf("watch output never got there:\n%s", out.String())
		}
		select {
		case err := <-errc:
			t.Fatalf("watch ended early: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("watch returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not stop within 10 s of SIGTERM")
	}
	return out.String()
}

// webhookRecorder serves webhook posts on loopback until the test ends and
// returns their bodies, one line each, and the server's URL.
func webhookRecorder(t *testing.T) (*syncBuffer, string) {
	posts := new(syncBuffer)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		posts.Write(append(b, '\n'))
	}))
	t.Cleanup(hook.Close)
	return posts, hook.URL
}

func defaultWatchFlags(url, dir string) watchFlags {
	return watchFlags{feeds: []string{url}, stateDir: dir, format: "slack", minSeverity: "warning", renotify: 30 * time.Minute}
}

func TestWatchPrintsFiringAlertsForWifiLoss(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := simHub(t, ctx, 6, "wifi-loss", 60)
	posts, hookURL := webhookRecorder(t)
	dir := t.TempDir()
	w := defaultWatchFlags(url, dir)
	w.webhooks = []string{hookURL + "/services/T/B/X"}
	out := runWatchUntil(t, w, func(out string) bool {
		return strings.Contains(out, "event=firing") && strings.Contains(out, "rule=loss-inbound") &&
			strings.Contains(out, "event=notified")
	})
	t.Logf("watch output:\n%s", out)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "time=") || !strings.Contains(line, " level=") {
			t.Fatalf("not a logfmt line: %q", line)
		}
	}
	if !strings.Contains(out, `msg="feed live" event=feed`) {
		t.Fatalf("no feed-live line:\n%s", out)
	}
	// The first post (single, or a batch: one post a second per webhook)
	// names alerts the log shows firing.
	first := strings.SplitN(posts.String(), "\n", 2)[0]
	keys := regexp.MustCompile("alert `([^`]+)`").FindAllStringSubmatch(first, -1)
	if !strings.Contains(first, "FIRING") || len(keys) == 0 {
		t.Fatalf("first Slack post is not about firing alerts:\n%s", first)
	}
	for _, k := range keys {
		if !strings.Contains(out, "event=firing alert="+k[1]+" ") {
			t.Fatalf("Slack post names %q, not firing in the log", k[1])
		}
	}
	// The alerts are in the state file, 0600, for the next start.
	st, _ := statefile.OpenStore(dir)
	p, notice, err := st.Load(time.Now())
	if err != nil || notice != "" || len(p.Active) == 0 {
		t.Fatalf("state after watch: %d active, %q, %v", len(p.Active), notice, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, statefile.StateFileName)); fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v", fi.Mode())
	}
}

func TestWatchJSONLines(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := defaultWatchFlags(simHub(t, ctx, 5, "ice-failed", 20), t.TempDir())
	w.json = true
	out := runWatchUntil(t, w, func(out string) bool { return strings.Contains(out, `"event":"firing"`) })
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var l alert.LogLine
		if err := json.Unmarshal([]byte(line), &l); err != nil || l.Time == "" || l.Level == "" {
			t.Fatalf("not a JSON log line: %q (%v)", line, err)
		}
	}
}

func TestWatchRefusesBadFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"watch"}, "needs a feed"},
		{[]string{"watch", "--feed", "ws://127.0.0.1:1/feed", "--min-severity", "info"}, "--min-severity"},
		{[]string{"watch", "--feed", "ws://127.0.0.1:1/feed", "--webhook", "ftp://x", "--state-dir", t.TempDir()}, "webhook"},
		{[]string{"watch", "--feed", "ws://127.0.0.1:1/feed", "--webhook", "http://127.0.0.1:1/", "--webhook-format", "xml", "--state-dir", t.TempDir()}, "format"},
	} {
		_, err := runCLI(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one about %q", tc.args, err, tc.want)
		}
	}
}

func TestWatchHonoursSilencesFromTheStateFile(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := simHub(t, ctx, 5, "ice-failed", 20)
	posts, hookURL := webhookRecorder(t)
	// A silence set earlier (in the TUI, say) over everything, for a day.
	dir := t.TempDir()
	st, _ := statefile.OpenStore(dir)
	now := time.Now()
	b := alert.NewBook(alert.Options{User: "alice"})
	if _, err := b.MuteFor(alert.Matcher{All: true}, 24*time.Hour, "", "maintenance", now); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(b.Persist()); err != nil {
		t.Fatal(err)
	}
	w := defaultWatchFlags(url, dir)
	w.webhooks = []string{hookURL}
	out := runWatchUntil(t, w, func(out string) bool { return strings.Count(out, "event=firing") >= 3 })
	if !strings.Contains(out, "1 silence") {
		t.Fatalf("the silence was not restored:\n%s", out)
	}
	// runWatchUntil returned after watch stopped, and watch stops its
	// notifier only once every queued post went out: none may have.
	if posts.String() != "" {
		t.Fatalf("muted alerts were posted:\n%s", posts.String())
	}
}
