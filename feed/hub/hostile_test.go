package hub_test

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// forged is what a hostile peer puts in anything the hub logs: a colour
// escape, a line break followed by a forged log line, a bidi override.
const forged = "\x1b[31mred\r\nhub: subscriber 1 (127.0.0.1:1) joined; forged\u202e"

// requireSafeLog fails when a log line carries a control character or a
// line break, which only a peer's bytes could have put there.
func requireSafeLog(t *testing.T, logs string) {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		if i := strings.IndexFunc(line, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }); i >= 0 {
			t.Fatalf("log line carries %q raw: %q", line[i:i+1], line)
		}
		if strings.Contains(line, "forged") && !strings.Contains(line, `\x1b[31m`) {
			t.Fatalf("the forged text reached the log as a line of its own: %q", line)
		}
	}
}

func TestSubscriberCloseReasonIsEscapedInTheLog(t *testing.T) {
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	conn, _, err := websocket.DefaultDialer.Dial(th.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4000, forged), time.Now().Add(time.Second))
	conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !th.Logs.Contains("disconnected") {
		if time.Now().After(deadline) {
			t.Fatalf("no disconnect logged:\n%s", th.Logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	requireSafeLog(t, th.Logs.String())
	if !th.Logs.Contains(`\x1b[31mred\r\nhub: subscriber 1`) {
		t.Fatalf("the close reason is not logged escaped:\n%s", th.Logs)
	}
}

func TestLogSafe(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, ünïcode": "plain text, ünïcode",
		"a\nb":                `a\nb`,
		"\x1b[2J":             `\x1b[2J`,
		"bidi\u202eevil":      `bidi\u202eevil`,
		"bad\xffutf8":         `bad\xffutf8`,
		"c1\u009bx":           `c1\u009bx`,
	} {
		if got := hub.LogSafe(in); got != want {
			t.Errorf("LogSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
