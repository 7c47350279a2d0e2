package hub_test

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// forged is what a hostile peer puts in anything the hub logs: a colour
// escape, a line break followed by a forged log line, a bidi override.
const forged = "\x1b[31mred\r\nhub: subscriber 1 (127.0.0.1:1) joined; forged\u202e"

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
	feedtest.RequireSafeLog(t, th.Logs.String(), "hub: subscriber 1 (127.0.0.1:1) joined; forged")
	if !th.Logs.Contains(`\x1b[31mred\r\nhub: subscriber 1`) {
		t.Fatalf("the close reason is not logged escaped:\n%s", th.Logs)
	}
}

// TestDNSRebindingIsRefused: a page on http://evil.example:P whose name
// was rebound to 127.0.0.1 sends its own name as Host and as Origin; a hub
// without a token answers only loopback names and --allow-host's.
func TestDNSRebindingIsRefused(t *testing.T) {
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{AllowHosts: []string{"calltop.lan"}})
	_, port, _ := net.SplitHostPort(th.Addr)
	dial := func(host string) int {
		hdr := http.Header{"Host": {host}, "Origin": {"http://" + host}}
		conn, resp, err := websocket.DefaultDialer.Dial(th.URL(), hdr)
		if err == nil {
			conn.Close()
			return http.StatusSwitchingProtocols
		}
		if resp == nil {
			t.Fatalf("host %s: %v", host, err)
		}
		return resp.StatusCode
	}
	for host, want := range map[string]int{
		"evil.example:" + port:     http.StatusForbidden,
		"evil.example":             http.StatusForbidden,
		"127.0.0.1.nip.io:" + port: http.StatusForbidden,
		"localhost:" + port:        http.StatusSwitchingProtocols,
		"127.0.0.1:" + port:        http.StatusSwitchingProtocols,
		"[::1]:" + port:            http.StatusSwitchingProtocols,
		"calltop.lan:" + port:      http.StatusSwitchingProtocols,
	} {
		if got := dial(host); got != want {
			t.Errorf("Host %s: status %d, want %d", host, got, want)
		}
	}
	if got := healthz(t, th.Addr, "evil.example:"+port, ""); !strings.HasPrefix(got, "403") {
		t.Errorf("healthz for a rebound name: %s, want 403", got)
	}
	if st := th.Stats(); st.Refused != 4 {
		t.Errorf("refused %d, want 4 (three dials, one healthz)", st.Refused)
	}
	if !th.Logs.Contains(`host "evil.example:` + port + `" is not allowed`) {
		t.Errorf("the refusal is not logged by name:\n%s", th.Logs)
	}

	// With a token, the token authenticates whatever the Host.
	tok := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{Token: "s3cret"})
	conn, _, err := websocket.DefaultDialer.Dial(tok.URL()+"?token=s3cret", http.Header{"Host": {"calltop.example.com"}})
	if err != nil {
		t.Fatalf("a token hub refused another Host: %v", err)
	}
	conn.Close()
}

// TestHealthzCountsNeedTheToken: without the token /healthz says only ok.
func TestHealthzCountsNeedTheToken(t *testing.T) {
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{Token: "s3cret"})
	feedtest.PublishAll(t, th, feedtest.CallStart("a", 1, "p"))
	if got := healthz(t, th.Addr, "", ""); got != `200 {"status":"ok"}` {
		t.Errorf("healthz without the token: %s, want only ok", got)
	}
	th.HealthOf("ingest", func() any { return map[string]int{"overBudget": 2} })
	got := healthz(t, th.Addr, "", "s3cret")
	if !strings.Contains(got, `"calls":1`) || !strings.HasSuffix(got, `,"ingest":{"overBudget":2}}`) {
		t.Errorf("healthz with the token: %s, want the counts and the ingest's", got)
	}
	if got := healthz(t, th.Addr, "", ""); got != `200 {"status":"ok"}` {
		t.Errorf("healthz without the token, an ingest added: %s, want only ok", got)
	}
}

// healthz GETs /healthz with a Host (when set) and a token (when set) and
// returns "status body".
func healthz(t *testing.T, addr, host, token string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+"/healthz", nil)
	if host != "" {
		req.Host = host
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return strconv.Itoa(resp.StatusCode) + " " + strings.TrimSpace(string(body))
}
