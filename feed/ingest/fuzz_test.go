package ingest

import (
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
