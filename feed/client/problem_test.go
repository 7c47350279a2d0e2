package client_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/feedtest"
	"github.com/calltop/calltop/feed/hub"
)

// firstProblem runs a client on url and returns the first state that
// says why it could not connect.
func firstProblem(t *testing.T, url, token string) feed.Status {
	t.Helper()
	cfg := feedtest.FastClient(url)
	cfg.Token = token
	c, _ := feedtest.RunClient(t, cfg)
	ev := feedtest.WaitEvent(t, c, 5*time.Second, "a failure", func(ev feed.Event) bool {
		return ev.Kind == feed.EventState && (ev.Status.State == feed.StateReconnecting || ev.Status.State == feed.StateFailed)
	})
	return ev.Status
}

func TestFailuresAreClassified(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "ws://" + ln.Addr().String() + "/feed"
	ln.Close()
	guarded := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{Token: "right"})
	tlsServer := httptest.NewTLSServer(http.NotFoundHandler()) // a certificate no one trusts
	defer tlsServer.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	for _, c := range []struct {
		name, url, token string
		problem          feed.Problem
		state            feed.ConnState
		says             []string
	}{
		{"refused", down, "", feed.ProblemRefused, feed.StateReconnecting, []string{"connection refused", ln.Addr().String()}},
		{"wrong token", guarded.URL(), "wrong", feed.ProblemUnauthorized, feed.StateFailed, []string{"401", "token"}},
		{"untrusted certificate", "wss" + strings.TrimPrefix(tlsServer.URL, "https") + "/feed", "", feed.ProblemTLS, feed.StateReconnecting, []string{"TLS", "--ca"}},
		{"not a hub", "ws" + strings.TrimPrefix(plain.URL, "http") + "/feed", "", feed.ProblemHTTP, feed.StateReconnecting, []string{"404"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := firstProblem(t, c.url, c.token)
			if st.Problem != c.problem || st.State != c.state {
				t.Fatalf("%s: state %v problem %q (%s), want %v %q", c.name, st.State, st.Problem, st.Reason, c.state, c.problem)
			}
			for _, w := range c.says {
				if !strings.Contains(st.Reason, w) {
					t.Fatalf("%s: reason %q does not say %q", c.name, st.Reason, w)
				}
			}
		})
	}
}
