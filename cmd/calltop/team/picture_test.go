package team

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"

	"github.com/calltop/calltop/cmd/calltop/viewserve"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/bus/bustest"
	"github.com/calltop/calltop/feed/hub"
)

// fleetOf publishes n open alerts as team hub id would on the bus (its
// own Fleet), half of them critical, each with a message and advice as
// long as real ones.
func fleetOf(t *testing.T, url, id string, n int) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	words := strings.Repeat("packets are being lost on the way in; ", 7)
	list := make([]feed.TeamAlert, n)
	for i := range list {
		sev := "warning"
		if i%2 == 0 {
			sev = "critical"
		}
		list[i] = feed.TeamAlert{Key: fmt.Sprintf("loss-inbound@%s/call-%d/p1//0", id, i), Rule: "loss-inbound", Severity: sev,
			State: "firing", Call: fmt.Sprintf("%s/call-%d", id, i), Participant: "p1", Name: fmt.Sprintf("person %d", i),
			Since: time.Now().Add(-time.Duration(i) * time.Second), Message: words, Advice: words}
	}
	f := NewFleet(nc, id, t.Logf)
	f.publish(list, countsOf(list))
}

// readTeamAlerts reads frames from conn until a team.alerts frame comes
// (10 s), returning it and its size.
func readTeamAlerts(t *testing.T, conn *websocket.Conn, what string) (feed.TeamAlerts, int) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("%s: reading the hub's frames: %v", what, err)
		}
		if feed.TeamType(b) == feed.TypeTeamAlerts {
			var w feed.TeamAlerts
			if err := feed.DecodeTeam(b, feed.TypeTeamAlerts, &w); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return w, len(b)
		}
	}
}

// At a fleet's size the book's picture outgrew the frame a client reads
// (1 MiB): every subscriber was dropped ("message too big") each time it
// went out. Now a subscriber of the whole feed gets the worst alerts that
// fit, with the counts of all (the header's "alerts N crit"), and a view
// client a pane's worth, with the same counts.
func TestAFleetsAlertsPastAFrameReachSubscribersCutWithTheirCounts(t *testing.T) {
	url := bustest.StartServer(t, nil).ClientURL()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	index := viewserve.New(viewserve.Config{Logf: t.Logf}) // view clients are served (their windows are not read here)
	h := startTeamHubOn(t, index.HubConfig(hub.Config{}), t.TempDir(), "ice-failed",
		func(c *Config) { c.Fleet = NewFleet(nc, "hub-a", t.Logf) })
	const others = 3 * 1000
	for _, id := range []string{"hub-b", "hub-c", "hub-d"} {
		fleetOf(t, url, id, others/3)
	}

	// A subscriber of the whole feed, as the TUI without --view.
	var w feed.TeamAlerts
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := dial(t, h.url, "")
		if s.Alerts != nil && s.Alerts.Counts != nil && s.Alerts.Counts.Active >= others {
			w = *s.Alerts
			s.Close()
			break
		}
		s.Close()
		if time.Now().After(deadline) {
			t.Fatal("the hub's picture did not count the other hubs' 3,000 alerts within 30 s")
		}
		time.Sleep(100 * time.Millisecond) // polling the hub's picture, with a deadline
	}
	if len(w.Active) >= w.Counts.Active || len(w.Active) < 500 {
		t.Fatalf("the picture holds %d of %d alerts: want it cut to what fits, not to nothing", len(w.Active), w.Counts.Active)
	}
	if w.Counts.Critical < others/2 || w.Counts.Warning < others/2 {
		t.Fatalf("counts %+v: want at least the others' %d critical and %d warning firing", *w.Counts, others/2, others/2)
	}
	for i := 1; i < len(w.Active); i++ {
		if w.Active[i-1].Severity == "warning" && w.Active[i].Severity == "critical" && w.Active[i].State == w.Active[i-1].State {
			t.Fatalf("alert %d (warning) before alert %d (critical): the cut must keep the worst", i-1, i)
		}
	}

	// The same subscriber keeps getting pictures without being dropped.
	conn := dialRaw(t, h.url, false)
	if _, n := readTeamAlerts(t, conn, "a subscriber of the whole feed"); n > feed.MaxFrameBytes {
		t.Fatalf("a team.alerts frame of %d bytes: over the %d a client reads", n, feed.MaxFrameBytes)
	}

	// A view client gets a pane's worth, counted the same.
	vconn := dialRaw(t, h.url, true)
	v, n := readTeamAlerts(t, vconn, "a view client")
	if len(v.Active) != viewAlerts || v.Counts == nil || v.Counts.Active < others {
		t.Fatalf("a view client's picture: %d alerts, counts %+v; want the worst %d and the counts of all", len(v.Active), v.Counts, viewAlerts)
	}
	if n > 200<<10 {
		t.Fatalf("a view client's picture is %d bytes", n)
	}
	if v.Active[0].Key != w.Active[0].Key {
		t.Fatalf("a view client's first alert %s, a full subscriber's %s: want the same worst", v.Active[0].Key, w.Active[0].Key)
	}
}

// dialRaw connects to a hub's feed (as a view client when view).
func dialRaw(t *testing.T, url string, view bool) *websocket.Conn {
	t.Helper()
	if view {
		url += "?view=1"
	}
	d := websocket.Dialer{Subprotocols: []string{feed.Subprotocol}, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial(url, http.Header{})
	if err != nil {
		t.Fatalf("dialing %s: %v (%v)", url, err, resp)
	}
	conn.SetReadLimit(feed.MaxFrameBytes)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// encodePicture's frame is the picture as encoding/json writes it.
func TestEncodePictureIsTheFrameJSONWrites(t *testing.T) {
	w := feed.TeamAlerts{Type: feed.TypeTeamAlerts, Seq: 42, Now: time.Date(2026, 12, 5, 9, 0, 0, 123, time.UTC), FeedDown: true,
		Counts: &feed.TeamAlertCounts{Active: 1, Critical: 1}, Active: []feed.TeamAlert{{Key: "k", Severity: "critical", State: "firing"}}}
	frame, body, err := encodePicture(w)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(w)
	if string(frame) != string(want) {
		t.Fatalf("frame\n%s\nwant\n%s", frame, want)
	}
	w.Seq, w.Now = 43, w.Now.Add(time.Second)
	_, body2, _ := encodePicture(w)
	if string(body) != string(body2) {
		t.Fatalf("the body changed with Seq and Now alone:\n%s\n%s", body, body2)
	}
}
