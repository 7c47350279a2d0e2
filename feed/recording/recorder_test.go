package recording_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/recording"

	"github.com/calltop/calltop/feed/feedtest"
)

// record reads c until it has seen stop, writing every delivered frame.
func record(t *testing.T, c *client.Client, rec *recording.Recorder, stop func(*feed.Message) bool) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-c.Events():
			if ev.Kind != feed.EventMessage && ev.Kind != feed.EventUnknown {
				continue
			}
			for _, f := range ev.Frames {
				if err := rec.Write(ev.Recv, f); err != nil {
					t.Fatal(err)
				}
			}
			if stop(ev.Msg) {
				return
			}
		case <-timeout:
			t.Fatalf("recording did not finish; status %+v", c.Status())
		}
	}
}

func isEndOf(id string) func(*feed.Message) bool {
	return func(m *feed.Message) bool { return m.Type == feed.TypeCallEnd && m.CallID == id }
}

func TestRecordThenReplayGivesTheSameFrames(t *testing.T) {
	dir := t.TempDir()
	// A live hub with a call going on before the recorder joins.
	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	feedtest.PublishAll(t, th, feedtest.CallStart("a", 1000, "p1", "p2"))
	cfg := feedtest.FastClient(th.URL())
	cfg.KeepUnknown = true
	c, _ := feedtest.RunClient(t, cfg)
	feedtest.WaitEvent(t, c, 3*time.Second, "live", feedtest.IsState(feed.StateLive))

	first := filepath.Join(dir, "first.jsonl.gz")
	rec, err := recording.CreateRecording(first, false)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond) // after hello and snapshot
		for i := 0; i < 20; i++ {
			th.Publish(feedtest.StatsMsg("a", "p1", 2000+float64(i)*1000, float64(i)*1000))
			time.Sleep(2 * time.Millisecond)
		}
		th.PublishFrame([]byte(`{"type":"future.thing","x":[1,2]}`))
		feedtest.PublishAll(t, th, feedtest.CallStart("b", 30000, "p3"))
		th.Publish(&feed.Message{Type: feed.TypeCallEnd, TS: 31000, CallID: "a", Reason: "hangup"})
	}()
	record(t, c, rec, isEndOf("a"))
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	recs := feedtest.ReadRecording(t, first)
	if len(recs) != 2+20+1+2+1 {
		t.Fatalf("recorded %d frames, want hello, snapshot, 20 stats, 1 unknown, 2 for call b, call.end", len(recs))
	}

	// Replay it through a second hub to a recorder that joins first.
	hub2 := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	cfg.URLs = []string{hub2.URL()}
	c2, _ := feedtest.RunClient(t, cfg)
	feedtest.WaitEvent(t, c2, 3*time.Second, "snapshot", feedtest.IsType(feed.TypeSnapshot)) // hub2's own, empty
	second := filepath.Join(dir, "second.jsonl")
	rec2, err := recording.CreateRecording(second, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	replayDone := make(chan error, 1)
	var replayTook time.Duration
	go func() {
		start := time.Now()
		err := hub.ReplaySource(recs, 20, false)(ctx, hub2)
		replayTook = time.Since(start)
		replayDone <- err
	}()
	record(t, c2, rec2, isEndOf("a"))
	rec2.Close()
	if err := <-replayDone; err != nil {
		t.Fatal(err)
	}
	again := feedtest.ReadRecording(t, second)
	// The replay leaves out the recorded hello: the hub sent its own.
	if len(again) != len(recs)-1 {
		t.Fatalf("replay delivered %d frames, want %d", len(again), len(recs)-1)
	}
	for i := range again {
		if string(again[i].Msg) != string(recs[i+1].Msg) {
			t.Fatalf("frame %d differs:\n got %s\nwant %s", i, again[i].Msg, recs[i+1].Msg)
		}
	}
	// Spacing is kept, divided by the speed (20x): the recording spans
	// at least 40 ms, so the replay takes at least 2 ms. (Measured at the
	// source: a loaded receiver reads frames in bursts, which would hide the
	// pacing.)
	span := recs[len(recs)-1].Recv.Sub(recs[1].Recv)
	if replayTook < span/20-time.Millisecond || replayTook > span/20+time.Second {
		t.Fatalf("recorded span %v replayed in %v at 20x", span, replayTook)
	}
	if hub2.Stats().Calls != 1 {
		t.Fatalf("after replay the hub tracks %d calls, want 1 (b)", hub2.Stats().Calls)
	}
}

func TestReplayLoopLeavesNoGhostCalls(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var recs []recording.Record
	add := func(ms int, frame string) {
		recs = append(recs, recording.Record{Recv: base.Add(time.Duration(ms) * time.Millisecond), Msg: []byte(frame)})
	}
	add(0, `{"type":"hello","version":1,"server":"recorded"}`)
	add(0, `{"type":"snapshot","calls":[{"id":"old","participants":[{"id":"p0"}]}]}`)
	add(10, `{"type":"call.start","call":{"id":"x"}}`)
	add(20, `{"type":"participant.join","callId":"x","participant":{"id":"p1"}}`)
	add(30, `{"type":"stats","callId":"x","participantId":"p1","connectionId":"PC_0","stats":[]}`)

	th := feedtest.StartHub(t, "127.0.0.1:0", hub.Config{})
	c, _ := feedtest.RunClient(t, feedtest.FastClient(th.URL()))
	feedtest.WaitEvent(t, c, 3*time.Second, "snapshot", feedtest.IsType(feed.TypeSnapshot))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.ReplaySource(recs, 10, true)(ctx, th) }()

	calls := feedtest.CallSet{}
	ends, starts := 0, 0
	for starts < 3 {
		ev := feedtest.WaitEvent(t, c, 3*time.Second, "replayed message", func(ev feed.Event) bool { return ev.Kind == feed.EventMessage })
		m := ev.Msg
		if m.Type == feed.TypeHello {
			t.Fatal("the recorded hello was replayed")
		}
		if m.Type == feed.TypeCallEnd {
			ends++
			if m.Reason != "replay-restart" {
				t.Fatalf("call.end reason %q", m.Reason)
			}
		}
		if m.Type == feed.TypeCallStart {
			starts++
		}
		calls.Apply(m)
		if len(calls) > 2 {
			t.Fatalf("consumer holds %v: ghost calls", calls)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ends < 4 { // old and x at each of two restarts
		t.Fatalf("%d call.end at restarts, want 4", ends)
	}
}

var ipLiteral = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b|[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{0,4}){2,7}`)

func TestRedactLeavesNoAddress(t *testing.T) {
	frame := `{"type":"stats","callId":"c","participantId":"p","connectionId":"PC_0","stats":[
	{"id":"L1","type":"local-candidate","address":"192.168.1.23","ip":"192.168.1.23","port":50000,"candidateType":"srflx","relatedAddress":"10.0.0.5","relatedPort":5000,"url":"stun:stun.example.com:19302","usernameFragment":"AbCd"},
	{"id":"R1","type":"remote-candidate","address":"2001:db8::8a2e:370:7334","candidateType":"host","url":"turns://user@turn.example.com:443?transport=tcp"},
	{"id":"T1","type":"transport","iceLocalUsernameFragment":"x","note":"candidate:1 1 udp 2122 203.0.113.9 5000 typ host ufrag AbCd generation 0"},
	{"id":"S1","type":"inbound-rtp","ssrc":1,"kind":"audio","bytesReceived":1234567,"jitter":0.012}],
	"sdp":"v=0\r\na=ice-ufrag:F7gI\r\na=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\nc=IN IP6 fe80::1%eth0\r\n",
	"participant":{"id":"p","userAgent":"Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36"}}`
	out, err := recording.Redact([]byte(frame))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if m := ipLiteral.FindString(strings.ReplaceAll(s, "120.0.0.0", "")); m != "" {
		t.Fatalf("redacted frame still holds %q:\n%s", m, s)
	}
	for _, secret := range []string{"AbCd", "F7gI", "x9cml", "stun.example.com", "turn.example.com", "user@"} {
		if strings.Contains(s, secret) {
			t.Errorf("redacted frame still holds %q", secret)
		}
	}
	for _, kept := range []string{`"bytesReceived":1234567`, `"jitter":0.012`, `"port":50000`, `"candidateType":"srflx"`,
		"Chrome/120.0.0.0", `stun:[redacted]:19302`, `turns://[redacted]:443?transport=tcp`} {
		if !strings.Contains(s, kept) {
			t.Errorf("redaction lost %s:\n%s", kept, s)
		}
	}
	var m feed.Message
	if err := feed.Decode(out, &m); err != nil || len(m.Stats) != 4 {
		t.Fatalf("redacted frame no longer decodes: %v", err)
	}
}

func TestRecorderRedactsAndKeepsOneLinePerFrame(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	rec, err := recording.CreateRecording(path, true)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := rec.Write(now, []byte("{\n \"type\": \"connection.event\",\n \"note\": \"from 10.1.2.3\"\n}")); err != nil {
		t.Fatal(err)
	}
	if err := rec.Write(now, []byte("not json")); err == nil {
		t.Fatal("recorder wrote a frame that is not JSON")
	}
	rec.Close()
	data, _ := os.ReadFile(path)
	if strings.Count(string(data), "\n") != 1 || strings.Contains(string(data), "10.1.2.3") {
		t.Fatalf("recording:\n%s", data)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("recording mode %v, want 0600 (it holds call metadata)", info.Mode().Perm())
	}
}

// TestOpenFileGzipPadding: a gzip file padded with NULs (a block copy) is
// read whole; two members are read as one stream; other bytes after the
// data are an error, as gzip says.
func TestOpenFileGzipPadding(t *testing.T) {
	member := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.Bytes()
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		data []byte
		want string
		err  bool
	}{
		{"padded", append(member("line 1\n"), make([]byte, 4096)...), "line 1\n", false},
		{"two members", append(member("a\n"), member("b\n")...), "a\nb\n", false},
		{"two members padded", append(append(member("a\n"), member("b\n")...), 0, 0, 0), "a\nb\n", false},
		{"garbage after", append(member("a\n"), 0, 'x'), "a\n", true},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".gz")
		if err := os.WriteFile(path, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		rc, err := recording.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if string(got) != tc.want || (err != nil) != tc.err {
			t.Errorf("%s: read %q, %v; want %q, error %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

// TestRedactorGivesConsistentPseudonyms: names, user ids and participant
// ids become the same pseudonym in every frame, so a shared recording
// still tells who is who; nothing of the originals is left.
func TestRedactorGivesConsistentPseudonyms(t *testing.T) {
	r := recording.NewRedactor()
	frames := []string{
		`{"type":"participant.join","callId":"c1","participant":{"id":"ana.k","name":"Ana Kowalski","userId":"u-981"}}`,
		`{"type":"participant.join","callId":"c1","participant":{"id":"bo","name":"Bo Li","userId":"u-7"}}`,
		`{"type":"stats","callId":"c1","participantId":"ana.k","connectionId":"pc-1","stats":[{"id":"RTCCodec_1","type":"codec","mimeType":"audio/opus"}]}`,
		`{"type":"snapshot","calls":[{"id":"c1","participants":[{"id":"bo","name":"Bo Li","userId":"u-7"},{"id":"ana.k","name":"Ana Kowalski","userId":"u-981"}]}]}`,
	}
	var out []string
	for _, f := range frames {
		red, err := r.Frame([]byte(f))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(red))
	}
	all := strings.Join(out, "\n")
	for _, secret := range []string{"Ana", "Kowalski", "Bo Li", "u-981", "u-7", "ana.k", `"bo"`} {
		if strings.Contains(all, secret) {
			t.Errorf("%q survived redaction:\n%s", secret, all)
		}
	}
	for _, want := range []struct {
		frame int
		s     string
	}{
		{0, `"id":"participant-1","name":"Person 1","userId":"user-1"`},
		{1, `"id":"participant-2","name":"Person 2","userId":"user-2"`},
		{2, `"participantId":"participant-1"`},
		{3, `{"id":"participant-2","name":"Person 2","userId":"user-2"},{"id":"participant-1","name":"Person 1","userId":"user-1"}`},
	} {
		if !strings.Contains(out[want.frame], want.s) {
			t.Errorf("frame %d lacks %s:\n%s", want.frame+1, want.s, out[want.frame])
		}
	}
	if !strings.Contains(out[2], `"mimeType":"audio/opus"`) || !strings.Contains(out[0], `"callId":"c1"`) {
		t.Errorf("redaction changed more than people:\n%s", all)
	}
}

// TestRedactCleansANegotiationError: a failed setRemoteDescription's
// message can quote SDP lines with addresses and ICE credentials.
func TestRedactCleansANegotiationError(t *testing.T) {
	frame := `{"type":"connection.event","ts":1,"callId":"c","participantId":"p","connectionId":"PC_0","event":{"kind":"negotiationfailure","state":"setRemoteDescription",` +
		`"error":"OperationError: Failed to parse SessionDescription. a=candidate:1 1 udp 2122260223 198.51.100.7 54400 typ host a=ice-ufrag:Zq9y a=ice-pwd:s3cr3tpwd c=IN IP6 2001:db8::1"}}`
	out, err := recording.Redact([]byte(frame))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, secret := range []string{"198.51.100.7", "Zq9y", "s3cr3tpwd", "2001:db8::1"} {
		if strings.Contains(s, secret) {
			t.Errorf("redacted failure still holds %q:\n%s", secret, s)
		}
	}
	var m feed.Message
	if err := feed.Decode(out, &m); err != nil || m.Event == nil || m.Event.State != "setRemoteDescription" || !strings.HasPrefix(m.Event.Error, "OperationError: Failed to parse SessionDescription") {
		t.Fatalf("redacted failure: %v %+v", err, m.Event)
	}
}
