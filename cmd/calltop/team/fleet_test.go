package team

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/bus/bustest"
)

// alertsOf dials the hub and returns its team.alerts picture's active
// alerts (a new session each time: the picture a TUI joining gets).
func alertsOf(t *testing.T, url, token string) []feed.TeamAlert {
	t.Helper()
	s := dial(t, url, token)
	defer s.Close()
	if s.Alerts == nil {
		return nil
	}
	return s.Alerts.Active
}

// waitAlert polls the hub's picture until ok holds for one alert (30 s).
func waitAlert(t *testing.T, url, token, what string, ok func(feed.TeamAlert) bool) feed.TeamAlert {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, a := range alertsOf(t, url, token) {
			if ok(a) {
				return a
			}
		}
		time.Sleep(100 * time.Millisecond) // polling the hub's picture, with a deadline
	}
	t.Fatalf("%s: not within 30 s", what)
	return feed.TeamAlert{}
}

// Two team hubs that diagnose different calls (here: not joined on the
// bus, as with a partitioned diagnosis) show each other's alerts, and an
// ack made through one hub of an alert only the other holds is run there,
// as the user, and shows on both.
func TestTeamHubsShowEachOthersAlertsAndAckThem(t *testing.T) {
	url := bustest.StartServer(t, nil).ClientURL()
	fleet := func(id string) func(*Config) {
		nc, err := nats.Connect(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		return func(c *Config) { c.Fleet = NewFleet(nc, id, t.Logf) }
	}
	a := startTeamHub(t, t.TempDir(), "ice-failed", fleet("hub-a"))
	b := startTeamHub(t, t.TempDir(), "high-rtt", fleet("hub-b"))
	dana := a.addUser(t, "dana", feed.RoleResponder)
	danaB := b.addUser(t, "dana", feed.RoleResponder)

	theirs := waitAlert(t, a.url, dana, "hub-b's rtt-high alert on hub-a", func(x feed.TeamAlert) bool {
		return x.Rule == "rtt-high" && x.State == "firing"
	})
	waitAlert(t, b.url, danaB, "hub-a's ice-failed alert on hub-b", func(x feed.TeamAlert) bool { return x.Rule == "ice-failed" })

	res, err := do(t, dial(t, a.url, dana), feed.TeamCommand{Op: feed.OpAck, Key: theirs.Key, Note: "on it"})
	if err != nil || !res.OK {
		t.Fatalf("ack through hub-a of hub-b's alert: %+v %v", res, err)
	}
	for _, h := range []struct{ url, token, name string }{{b.url, danaB, "hub-b (which holds it)"}, {a.url, dana, "hub-a"}} {
		waitAlert(t, h.url, h.token, "dana's ack on "+h.name, func(x feed.TeamAlert) bool {
			return x.Key == theirs.Key && x.State == "acknowledged" && x.AckedBy == "dana" && x.AckNote == "on it"
		})
	}
}
