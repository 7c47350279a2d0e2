package engine

import (
	"bytes"
	"log"
	"strings"
	"testing"
	"time"
)

func TestFeedChangesAreLoggedWithoutSecrets(t *testing.T) {
	var buf bytes.Buffer
	logf := log.New(&buf, "", 0).Printf
	url := "ws://user:hunter2@127.0.0.1:7071/feed?token=s3cret"
	states := []FeedStatus{
		{State: "connecting", URL: url},
		{State: "reconnecting", URL: url, Problem: "refused", Reason: "connection refused\x1b[2J", NextRetry: time.Now().Add(time.Second)},
		{State: "reconnecting", URL: url, Problem: "refused", Reason: "connection refused\x1b[2J", NextRetry: time.Now().Add(time.Second)},
		{State: "live", URL: url, Connects: 1},
		{State: "failed", URL: url, Problem: "unauthorized", Reason: "HTTP 401 Unauthorized"},
	}
	old := FeedStatus{}
	for _, st := range states {
		logFeedChange(logf, old, st)
		old = st
	}
	out := buf.String()
	for _, want := range []string{"connecting", "down (refused): connection refused", "connected (connection 1)", "failed (unauthorized): HTTP 401"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "down (refused)"); n != 1 {
		t.Errorf("an unchanged state was logged %d times", n)
	}
	for _, secret := range []string{"hunter2", "s3cret", "\x1b"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q:\n%s", secret, out)
		}
	}
}
