package ingest

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/hub"
)

// FuzzHandle feeds arbitrary messages to a session: nothing panics, and
// whatever reaches the hub is a valid calltop.v1 message of the session's
// call.
func FuzzHandle(f *testing.F) {
	ts := 1.7e12
	for _, seed := range []string{
		`{"statsSessionId":"s","type":"identity","data":["identity",null,{"displayName":"A","confName":"r"},1700000000000,1]}`,
		`{"statsSessionId":"s","type":"stats-entry","data":"[\"getstats\",\"PC_0\",` + strings.ReplaceAll(getstats(ts, 3), `"`, `\"`) + `,1700000000000,2]"}`,
		`{"statsSessionId":"s","type":"stats-entry","data":"[\"oniceconnectionstatechange\",\"PC_0\",\"failed\",1700000000000,3]"}`,
		`{"statsSessionId":"s","type":"keepalive"}`,
		`{"statsSessionId":"s","type":"close"}`,
		fmt.Sprintf(`["getstats","PC_1",%s,%.0f]`, getstats(ts, 9), ts),
		`["create",null,{"userAgentData":{"brands":[{"brand":"Chromium","version":"156"}]}},1700000000000]`,
		`{"type":"stats-entry","data":"[\"getstats\",\"PC_0\",{\"a\":{\"type\":\"inbound-rtp\",\"ssrc\":1e400}},1,1]"}`,
		`[`, `{}`, `null`, `{"type":"stats-entry","data":12}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		feedHub := hub.New(hub.Config{Logf: func(string, ...any) {}})
		rec := &recorder{next: feedHub}
		s := New(rec, Config{Logf: func(string, ...any) {}})
		ss, err := s.attach("s", "room", httptest.NewRequest("GET", "/rtcstats/room", nil), true)
		if err != nil {
			t.Fatal(err)
		}
		s.handle(ss, nil, data)
		s.handle(ss, nil, data) // again: the same line twice must be safe too
		for _, m := range rec.msgs {
			b, err := feed.AppendMessage(nil, &m)
			if err != nil {
				t.Fatalf("published an unencodable %s: %v", m.Type, err)
			}
			var back feed.Message
			if err := feed.Decode(b, &back); err != nil {
				t.Fatalf("published %s that does not decode: %v\n%s", m.Type, err, b)
			}
			if m.Type != feed.TypeCallStart && m.CallID == "" {
				t.Fatalf("%s without a call id", m.Type)
			}
		}
	})
}

// recorder keeps what is published and passes it on.
type recorder struct {
	next hub.Publisher
	msgs []feed.Message
}

func (r *recorder) Publish(m *feed.Message) error {
	r.msgs = append(r.msgs, *m)
	return r.next.Publish(m)
}
func (r *recorder) PublishFrame(b []byte) error { return r.next.PublishFrame(b) }
func (r *recorder) EndAll(reason string) error  { return r.next.EndAll(reason) }

// FuzzSessionState drives sessions of one client with arbitrary lines,
// leaves and reconnects (one record a line: the first byte picks the
// session and the operation) under small budgets, and checks the
// accounting after every step: no session holds more than SessionBytes,
// the client no more than ClientBytes, and the client's total is the sum
// of its sessions'.
func FuzzSessionState(f *testing.F) {
	ts := 1.7e12
	big := strings.ReplaceAll(hostileLine("x", 30, 60, ts, 1), "\n", "")
	for _, seed := range []string{
		"\x00" + fmt.Sprintf(`["getstats","PC_0",%s,%.0f,1]`, getstats(ts, 3), ts),
		"\x01" + big + "\n\x05" + big + "\n\x09" + big + "\n\x0d" + big,
		"\x00" + big + "\n\x10\n\x20\n\x00" + big,
		"\x02[\"identity\",null,{\"displayName\":\"A\",\"confName\":\"r\"},1700000000000,1]\n\x12\n\x22",
		"\x03[\"unknownMethod1\",null,1,1700000000000]\n\x03[\"unknownMethod2\",null,1,1700000000000]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		feedHub := hub.New(hub.Config{Logf: func(string, ...any) {}})
		s := New(feedHub, Config{Logf: func(string, ...any) {}, SessionBytes: 200 << 10, ClientBytes: 400 << 10, MaxSessions: 3})
		req := httptest.NewRequest("GET", "/rtcstats/room", nil)
		sessions := map[int]*session{}
		for _, rec := range bytes.Split(data, []byte{'\n'}) {
			if len(rec) == 0 {
				continue
			}
			k, op := int(rec[0]%4), rec[0]/4%4
			ss := sessions[k]
			if ss == nil || ss.gone || op == 3 {
				s.mu.Lock()
				s.leaveLocked(nilSafe(ss), "replaced")
				s.mu.Unlock()
				got, err := s.attach(fmt.Sprintf("s%d", k), "room", req, true)
				if err != nil {
					continue // refused: a cap
				}
				sessions[k], ss = got, got
			}
			switch op {
			case 0, 3:
				s.line(ss, rec[1:], 0)
			case 1:
				s.handle(ss, nil, []byte(`{"type":"close"}`))
			case 2:
				s.detach(ss, nil, "")
			}
			checkAccounts(t, s)
		}
	})
}

// nilSafe returns ss, or a session that never joined (leaving it is a
// no-op) for nil.
func nilSafe(ss *session) *session {
	if ss == nil {
		return &session{}
	}
	return ss
}

// checkAccounts checks a Server's memory accounting against its budgets.
func checkAccounts(t *testing.T, s *Server) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	sums := map[string]int{}
	for id, ss := range s.sessions {
		if ss.gone {
			t.Fatalf("session %s forgotten but still kept", id)
		}
		if ss.kept > s.cfg.SessionBytes {
			t.Fatalf("session %s holds %d bytes, over its %d budget", id, ss.kept, s.cfg.SessionBytes)
		}
		sums[ss.client] += ss.kept
	}
	for client, n := range s.clients {
		if n != sums[client] {
			t.Fatalf("client %s counted %d bytes, its sessions hold %d", client, n, sums[client])
		}
		if n > s.cfg.ClientBytes {
			t.Fatalf("client %s holds %d bytes, over its %d budget", client, n, s.cfg.ClientBytes)
		}
	}
	if len(sums) != len(s.clients) {
		t.Fatalf("clients %v, sessions' clients %v", s.clients, sums)
	}
}
