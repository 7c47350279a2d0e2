package ingest

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/calltop/calltop/feed/feedtest"
	"github.com/gorilla/websocket"
)

// forged is what a hostile client puts in a path or a session id: a colour
// escape, a line break and a forged log line, a bidi override.
const forged = "\x1b[31mred\r\ningest: session x joined call y as forged\u202e"

// TestRefusedPathAndSessionIDAreEscapedInTheLog: a refused connection's
// path (logged before the token is checked) and a session id cannot put
// escapes or forged lines in the hub's log.
func TestRefusedPathAndSessionIDAreEscapedInTheLog(t *testing.T) {
	h := newHarness(t, Config{Token: "s3cret"})
	path := url.PathEscape(forged) + "?statsSessionId=" + url.QueryEscape(forged)
	_, resp, err := h.dial(path)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %v %v, want 401", err, resp)
	}
	_, resp, err = websocket.DefaultDialer.Dial("ws://"+h.addr+"/rtcstats/room?token=s3cret", http.Header{"Origin": {"https://x" + url.PathEscape(forged)}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("other origin: %v %v, want 403", err, resp)
	}
	j := h.connectJitsi(path+"&token=s3cret", url.QueryEscape(forged), false)
	ts := nowMs()
	j.entry("getstats", "PC_0", getstats(ts, 1), ts)
	h.next("participant.join")
	j.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"`+strings.ReplaceAll(forged, "\x1b", `\u001b`)+`"}`))
	for h.ing.Stats().BadFrames == 0 {
		h.next("stats") // wait on the feed, not the clock
		j.entry("getstats", "PC_0", getstats(ts, 2), ts)
	}
	logs := h.logs.String()
	feedtest.RequireSafeLog(t, logs, "ingest: session x joined")
	if !strings.Contains(logs, `refused /rtcstats/\x1b[31mred\r\ningest: session x joined`) {
		t.Fatalf("the refused path is not logged escaped:\n%s", logs)
	}
}

// TestDNSRebindingIsRefused: without an ingest token, a page whose name was
// rebound to the hub's address (Host and Origin both evil.example) cannot
// write stats; loopback names and --allow-host's can.
func TestDNSRebindingIsRefused(t *testing.T) {
	h := newHarness(t, Config{AllowHosts: []string{"calltop.lan"}})
	_, port, _ := net.SplitHostPort(h.addr)
	for host, want := range map[string]int{
		"evil.example:" + port: http.StatusForbidden,
		"localhost:" + port:    http.StatusSwitchingProtocols,
		"calltop.lan:" + port:  http.StatusSwitchingProtocols,
	} {
		hdr := http.Header{"Host": {host}, "Origin": {"http://" + host}}
		conn, resp, err := websocket.DefaultDialer.Dial("ws://"+h.addr+"/rtcstats/room?statsSessionId=s-"+host, hdr)
		got := http.StatusSwitchingProtocols
		if err != nil {
			if resp == nil {
				t.Fatalf("host %s: %v", host, err)
			}
			got = resp.StatusCode
		} else {
			conn.Close()
		}
		if got != want {
			t.Errorf("Host %s: status %d, want %d", host, got, want)
		}
	}
	if st := h.ing.Stats(); st.Refused != 1 {
		t.Errorf("refused %d, want 1", st.Refused)
	}
}
