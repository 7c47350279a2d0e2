package ingest

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
)

// TestJitsiSessionBecomesAParticipant: identity, state changes and stats
// from a Jitsi client make a call with one participant on the feed, and
// leaving the conference (close code 3001) ends it.
func TestJitsiSessionBecomesAParticipant(t *testing.T) {
	h := newHarness(t, Config{})
	j := h.connectJitsi("conference.example.com%2Fstandup", "sess-1", false)
	if j.sn != `{"type":"sn","body":{"value":0,"state":"initial"}}` {
		t.Errorf("first message %s: want the initial sequence number 0", j.sn)
	}
	ts := nowMs()
	j.entry("identity", "", `{"displayName":"Ana","userId":"ana@example.com","confName":"standup"}`, ts)
	j.entry("create", "PC_0", `{"iceServers":[]}`, ts)
	j.entry("oniceconnectionstatechange", "PC_0", `"connected"`, ts+10)
	j.entry("getstats", "PC_0", getstats(ts+1000, 50), ts+1000)
	j.entry("getstats", "PC_0", `{"ib":{"packetsReceived":100,"bytesReceived":10000},"timestamp":`+fmt.Sprint(ts+2000)+`}`, ts+2000)

	start := h.next(feed.TypeCallStart)
	if start.Call.ID != "standup" || start.Call.Room != "standup" || start.Call.Tags["source"] != "rtcstats" || start.Call.Tags["clientProtocol"] != "3.1_STANDARD" {
		t.Errorf("call.start %+v: want call standup from the identity, tagged rtcstats and 3.1_STANDARD", start.Call)
	}
	join := h.next(feed.TypeParticipantJoin)
	if p := join.Participant; join.CallID != "standup" || p.ID != "ana@example.com" || p.Name != "Ana" {
		t.Errorf("participant.join %+v %+v: want Ana by her user id", join, p)
	}
	ev := h.next(feed.TypeConnectionEvent)
	if ev.ConnectionID != "PC_0" || ev.Event.State != "connected" || ev.ParticipantID != "ana@example.com" {
		t.Errorf("connection.event %+v", ev)
	}
	h.next(feed.TypeStats)
	second := h.next(feed.TypeStats)
	var got float64
	for _, st := range second.Stats {
		if st.Type == "inbound-rtp" {
			got = st.PacketsReceived
		}
	}
	if got != 100 || second.TS != ts+2000 {
		t.Errorf("second sample: packetsReceived %v at %v; want the delta applied (100) at the browser's time %v", got, second.TS, ts+2000)
	}

	j.closeWith(closeConferenceLeave)
	leave := h.next(feed.TypeParticipantLeave)
	if leave.ParticipantID != "ana@example.com" || leave.Reason != "left the conference" || leave.TS != ts+2000 {
		t.Errorf("participant.leave %+v: want Ana leaving at her last sample's time", leave)
	}
	if end := h.next(feed.TypeCallEnd); end.CallID != "standup" {
		t.Errorf("call.end %+v", end)
	}
}

// TestSessionsOfAMeetingShareACall: two browsers in one meeting are one
// call with two participants; it ends when the last one leaves.
func TestSessionsOfAMeetingShareACall(t *testing.T) {
	h := newHarness(t, Config{})
	ts := nowMs()
	a := h.connectJitsi("weekly", "sess-a", false)
	a.entry("identity", "", `{"displayName":"Ana"}`, ts)
	a.entry("getstats", "PC_0", getstats(ts, 10), ts)
	if c := h.next(feed.TypeCallStart); c.Call.ID != "weekly" {
		t.Fatalf("call id %q: want the meeting from the path", c.Call.ID)
	}
	h.next(feed.TypeParticipantJoin)

	b := h.connectJitsi("weekly", "sess-b", false)
	b.entry("identity", "", `{"displayName":"Ben"}`, ts)
	b.entry("getstats", "PC_0", getstats(ts, 10), ts)
	if j := h.next(feed.TypeParticipantJoin); j.CallID != "weekly" || j.Participant.Name != "Ben" {
		t.Errorf("second join %+v %+v: want Ben in the same call", j, j.Participant)
	}
	a.closeWith(websocket.CloseGoingAway)
	if l := h.next(feed.TypeParticipantLeave); l.Reason != "page closed" {
		t.Errorf("leave reason %q: want page closed", l.Reason)
	}
	h.quiet(feed.TypeCallEnd, 300*time.Millisecond)
	b.closeWith(websocket.CloseNormalClosure)
	h.next(feed.TypeParticipantLeave)
	if e := h.next(feed.TypeCallEnd); e.CallID != "weekly" || e.Reason != "everyone left" {
		t.Errorf("call.end %+v", e)
	}
}

// TestReconnectRejoinsTheSameParticipant: a connection that drops without
// a close frame keeps the participant; the client's reconnect is told the
// last sequence number, its resent lines are not used twice, and its
// delta-compressed stats go on from where they were.
func TestReconnectRejoinsTheSameParticipant(t *testing.T) {
	h := newHarness(t, Config{})
	ts := nowMs()
	j := h.connectJitsi("room", "sess-r", false)
	j.entry("identity", "", `{"displayName":"Ana"}`, ts)
	j.entry("getstats", "PC_0", getstats(ts, 10), ts)
	h.next(feed.TypeParticipantJoin)
	h.next(feed.TypeStats)
	j.conn.NetConn().Close() // the network goes away: no close frame

	j2 := h.connectJitsi("room", "sess-r", true)
	if j2.sn != `{"type":"sn","body":{"value":2,"state":"initial"}}` {
		t.Errorf("reconnect told %s; want the last sequence number used, 2", j2.sn)
	}
	j2.sendSeq("getstats", "PC_0", getstats(ts, 10), ts, 2) // resent from the client's buffer
	j2.sendSeq("getstats", "PC_0", `{"ib":{"packetsReceived":60},"timestamp":`+fmt.Sprint(ts+1000)+`}`, ts+1000, 3)
	m := h.next(feed.TypeStats)
	if m.TS != ts+1000 || m.ParticipantID != "Ana" {
		t.Errorf("after reconnect: stats at %v for %q; want only the new sample (%v) for the same participant", m.TS, m.ParticipantID, ts+1000)
	}
	for _, st := range m.Stats {
		if st.Type == "inbound-rtp" && (st.PacketsReceived != 60 || st.SSRC != 11) {
			t.Errorf("delta after reconnect: %+v; want the stream's earlier fields kept", st)
		}
	}
	select {
	case x := <-h.msgs:
		if x.Type == feed.TypeParticipantJoin || x.Type == feed.TypeParticipantLeave || x.Type == feed.TypeCallStart {
			t.Errorf("reconnect made a %s", x.Type)
		}
	case <-time.After(200 * time.Millisecond):
	}
}

// quietSession joins session id to meeting "quiet" with one getstats line,
// on a virtual-time harness whose ingest lets a session be silent 1.5 s.
func quietSession(t *testing.T, id string) (*harness, *jitsi) {
	t.Helper()
	h := newVirtualHarness(t, Config{Silence: 1500 * time.Millisecond})
	ts := nowMs()
	j := h.connectJitsi("quiet", id, false)
	j.entry("getstats", "PC_0", getstats(ts, 10), ts)
	h.next(feed.TypeParticipantJoin)
	return h, j
}

// TestSilentSessionLeaves: a session that sends nothing for Silence
// leaves, and its call ends.
func TestSilentSessionLeaves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := quietSession(t, "sess-q")
		if l := h.next(feed.TypeParticipantLeave); !strings.HasPrefix(l.Reason, "silent for 1.5s") {
			t.Errorf("leave reason %q", l.Reason)
		}
		h.next(feed.TypeCallEnd)
	})
}

// TestKeepaliveKeepsASessionIn: keepalives count as being heard.
func TestKeepaliveKeepsASessionIn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, j := quietSession(t, "sess-k")
		for range 6 {
			time.Sleep(500 * time.Millisecond)
			j.conn.WriteMessage(websocket.TextMessage, []byte(`{"statsSessionId":"sess-k","type":"keepalive"}`))
		}
		synctest.Wait() // the ingest has read every keepalive
		select {
		case m := <-h.msgs:
			if m.Type == feed.TypeParticipantLeave {
				t.Fatalf("left while sending keepalives: %+v", m)
			}
		default:
		}
		if st := h.ing.Stats(); st.Sessions != 1 {
			t.Errorf("sessions %d, want 1", st.Sessions)
		}
	})
}

// TestPlainClient: the plain rtcstats client sends bare arrays; each
// connection is a session named by the server, the meeting is the path.
func TestPlainClient(t *testing.T) {
	h := newHarness(t, Config{})
	conn, _, err := h.dial("lobby/call.html", "2.0")
	if err != nil {
		t.Fatal(err)
	}
	ts := nowMs()
	for _, line := range []string{
		fmt.Sprintf(`["create","PC_0",{},%.0f]`, ts),
		fmt.Sprintf(`["getstats","PC_0",%s,%.0f]`, getstats(ts, 5), ts),
	} {
		conn.WriteMessage(websocket.TextMessage, []byte(line))
	}
	c := h.next(feed.TypeCallStart)
	j := h.next(feed.TypeParticipantJoin)
	if c.Call.ID != "lobby/call.html" || c.Call.Room != "call.html" || !strings.HasPrefix(j.Participant.ID, "rtcstats-") {
		t.Errorf("call %+v, participant %+v: want the path as the meeting and a session id from the server", c.Call, j.Participant)
	}
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	if l := h.next(feed.TypeParticipantLeave); l.Reason != "closed the connection" {
		t.Errorf("leave %+v", l)
	}
}

// TestTokenAndOrigin: the token is required where it may come from a
// browser (query, lenient query, subprotocol), and origins are checked.
func TestTokenAndOrigin(t *testing.T) {
	h := newHarness(t, Config{Token: "s3cret", AllowOrigins: []string{"https://app.example.com"}})
	try := func(path string, header http.Header, protocols ...string) int {
		d := websocket.Dialer{Subprotocols: protocols}
		conn, resp, err := d.Dial("ws://"+h.addr+"/rtcstats/"+path, header)
		if err == nil {
			conn.Close()
			return http.StatusSwitchingProtocols
		}
		if resp == nil {
			t.Fatalf("%s: %v", path, err)
		}
		return resp.StatusCode
	}
	app := http.Header{"Origin": {"https://app.example.com"}}
	for _, c := range []struct {
		name, path string
		header     http.Header
		protocols  []string
		want       int
	}{
		{"no token", "room?statsSessionId=a", app, nil, http.StatusUnauthorized},
		{"wrong token", "room?token=nope&statsSessionId=a", app, nil, http.StatusUnauthorized},
		{"query token", "room?token=s3cret&statsSessionId=a", app, nil, http.StatusSwitchingProtocols},
		{"token in the meeting name (Jitsi client)", "room?token=s3cret?statsSessionId=b&isReconnect=false", app, nil, http.StatusSwitchingProtocols},
		{"subprotocol token", "room?statsSessionId=c", app, []string{"3.1_STANDARD", "token.s3cret"}, http.StatusSwitchingProtocols},
		{"other origin", "room?token=s3cret&statsSessionId=d", http.Header{"Origin": {"https://evil.example.net"}}, nil, http.StatusForbidden},
		{"no origin (not a browser)", "room?token=s3cret&statsSessionId=e", nil, nil, http.StatusSwitchingProtocols},
	} {
		if got := try(c.path, c.header, c.protocols...); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	if st := h.ing.Stats(); st.Refused != 3 {
		t.Errorf("refused %d, want 3", st.Refused)
	}
	if !strings.Contains(h.logs.String(), "origin https://evil.example.net is not allowed") {
		t.Errorf("the refused origin is not in the log:\n%s", h.logs)
	}
}

// TestSameOriginByDefault: without --allow-origin only the hub's own host
// may connect from a browser.
func TestSameOriginByDefault(t *testing.T) {
	h := newHarness(t, Config{})
	for origin, want := range map[string]bool{"http://" + h.addr: true, "http://localhost:9": false} {
		d := websocket.Dialer{}
		conn, _, err := d.Dial("ws://"+h.addr+"/rtcstats/x", http.Header{"Origin": {origin}})
		if (err == nil) != want {
			t.Errorf("origin %s: connected %v, want %v", origin, err == nil, want)
		}
		if conn != nil {
			conn.Close()
		}
	}
}

// TestSessionCap: beyond MaxSessions new sessions are refused with 503.
func TestSessionCap(t *testing.T) {
	h := newHarness(t, Config{MaxSessions: 2})
	ts := nowMs()
	for _, id := range []string{"s1", "s2"} {
		j := h.connectJitsi("big", id, false)
		j.entry("getstats", "PC_0", getstats(ts, 1), ts)
	}
	_, resp, err := h.dial("big?statsSessionId=s3", "3.1_STANDARD")
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("third session: %v %v; want 503", err, resp)
	}
	// A known session may always come back.
	h.connectJitsi("big", "s1", true)
}

// TestBadFramesAreCountedAndTheSessionKept: garbage and broken lines are
// counted and logged with the session id; good lines after them are used.
func TestBadFramesAreCountedAndTheSessionKept(t *testing.T) {
	h := newHarness(t, Config{})
	ts := nowMs()
	j := h.connectJitsi("room", "sess-bad", false)
	j.conn.WriteMessage(websocket.TextMessage, []byte(`hello`))
	j.conn.WriteMessage(websocket.TextMessage, []byte(`{"statsSessionId":"sess-bad","type":"stats-entry","data":"[\"getstats\",\"PC_0\",{\"x\":"}`))
	j.conn.WriteMessage(websocket.TextMessage, []byte(`{"statsSessionId":"sess-bad","type":"surprise"}`))
	j.entry("getstats", "PC_0", getstats(ts, 10), ts)
	h.next(feed.TypeStats)
	if st := h.ing.Stats(); st.BadFrames != 3 {
		t.Errorf("bad frames %d, want 3", st.BadFrames)
	}
	log := h.logs.String()
	for _, want := range []string{"session sess-bad: bad frame: not an rtcstats message", "session sess-bad: bad frame (line 1)", `unknown message type "surprise"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// TestOversizeMessageClosesTheConnectionNotTheSession: a message over the
// size limit closes the connection (1009); the session can reconnect.
func TestOversizeMessageClosesTheConnectionNotTheSession(t *testing.T) {
	h := newHarness(t, Config{MaxMessageBytes: 4096})
	ts := nowMs()
	j := h.connectJitsi("room", "sess-big", false)
	j.entry("getstats", "PC_0", getstats(ts, 10), ts)
	h.next(feed.TypeParticipantJoin)
	j.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"stats-entry","data":"`+strings.Repeat("x", 8000)+`"}`))
	j.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, _, err := j.conn.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Errorf("after an oversize message: %v; want close 1009", err)
	}
	h.quiet(feed.TypeParticipantLeave, 300*time.Millisecond)
	if st := h.ing.Stats(); st.BadFrames != 1 || st.Sessions != 1 {
		t.Errorf("stats %+v: want the message counted bad and the session kept", st)
	}
	h.connectJitsi("room", "sess-big", true)
}

// TestFastClientIsSlowedNotCut: a client over the rate limit has every
// message used, later.
func TestFastClientIsSlowedNotCut(t *testing.T) {
	h := newHarness(t, Config{Rate: 50, Burst: 10})
	ts := nowMs()
	j := h.connectJitsi("room", "sess-fast", false)
	j.entry("getstats", "PC_0", getstats(ts, 0), ts)
	for i := 1; i <= 30; i++ {
		j.entry("getstats", "PC_0", fmt.Sprintf(`{"ib":{"packetsReceived":%d},"timestamp":%.0f}`, i, ts+float64(i)*1000), ts+float64(i)*1000)
	}
	last := 0.0
	for range 31 {
		m := h.next(feed.TypeStats)
		if m.TS < last {
			t.Fatalf("stats out of order: %v after %v", m.TS, last)
		}
		last = m.TS
	}
	if last != ts+30000 {
		t.Errorf("last sample at %v, want %v", last, ts+30000)
	}
	if st := h.ing.Stats(); st.Throttled == 0 {
		t.Errorf("31 messages at once with a burst of 10: none throttled")
	}
}

// TestBrowserClockOffIsShifted: a browser whose clock is an hour ahead has
// its times moved onto the hub's clock, intervals kept.
func TestBrowserClockOffIsShifted(t *testing.T) {
	h := newHarness(t, Config{})
	ahead := nowMs() + 3600e3
	j := h.connectJitsi("room", "sess-clock", false)
	j.entry("getstats", "PC_0", getstats(ahead, 10), ahead)
	j.entry("getstats", "PC_0", `{"ib":{"packetsReceived":20,"timestamp":0},"cp":{"timestamp":0},"timestamp":`+fmt.Sprint(ahead+1000)+`}`, ahead+1000)
	a, b := h.next(feed.TypeStats), h.next(feed.TypeStats)
	if math.Abs(a.TS-nowMs()) > 10e3 || b.TS-a.TS != 1000 {
		t.Errorf("samples at %v and %v (now %v): want near the hub's clock, 1 s apart", a.TS, b.TS, nowMs())
	}
	for _, st := range b.Stats {
		if st.Timestamp != b.TS {
			t.Errorf("%s timestamp %v, message ts %v: want both shifted", st.Type, st.Timestamp, b.TS)
		}
	}
	if !strings.Contains(h.logs.String(), "browser clock is 1h0m0s ahead of the hub's") {
		t.Errorf("the shift is not logged:\n%s", h.logs)
	}
}

// TestIdentityAfterJoinUpdates: a display name that comes after the
// participant joined is published as participant.update.
func TestIdentityAfterJoinUpdates(t *testing.T) {
	h := newHarness(t, Config{})
	ts := nowMs()
	j := h.connectJitsi("room", "sess-u", false)
	j.entry("getstats", "PC_0", getstats(ts, 1), ts)
	h.next(feed.TypeParticipantJoin)
	j.entry("identity", "", `{"displayName":"Late Name"}`, ts)
	u := h.next(feed.TypeParticipantUpdate)
	if u.Participant.ID != "sess-u" || u.Participant.Name != "Late Name" {
		t.Errorf("update %+v", u.Participant)
	}
}

// TestNotAWebSocket: a plain GET says what the endpoint is.
func TestNotAWebSocket(t *testing.T) {
	h := newHarness(t, Config{})
	resp, err := http.Get("http://" + h.addr + "/rtcstats/room")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d", resp.StatusCode)
	}
}

// TestReconnectBeforeTheOldConnectionIsGone: a client that reconnects
// while its old connection still looks open replaces it; the old one's
// close does not make the participant leave.
func TestReconnectBeforeTheOldConnectionIsGone(t *testing.T) {
	h := newHarness(t, Config{})
	ts := nowMs()
	j := h.connectJitsi("room", "sess-twice", false)
	j.entry("getstats", "PC_0", getstats(ts, 10), ts)
	h.next(feed.TypeParticipantJoin)
	j2 := h.connectJitsi("room", "sess-twice", true)
	j.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, _, err := j.conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Errorf("old connection: %v; want closed by the hub", err)
	}
	j.conn.Close()
	h.quiet(feed.TypeParticipantLeave, 500*time.Millisecond)
	j2.sendSeq("getstats", "PC_0", `{"ib":{"packetsReceived":20,"timestamp":0},"timestamp":`+fmt.Sprint(ts+1000)+`}`, ts+1000, 2)
	if m := h.next(feed.TypeStats); m.TS != ts+1000 {
		t.Errorf("stats at %v after the reconnect", m.TS)
	}
	if st := h.ing.Stats(); st.Sessions != 1 || st.Connections != 1 {
		t.Errorf("stats %+v: want one session on one connection", st)
	}
}
