package engine

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/sim"
)

// simMessages runs a simulator for steps and returns its messages as a
// consumer receives them (marshalled and decoded), and the calls' ids.
func simMessages(t *testing.T, cfg sim.Config, steps int) ([]*feed.Message, map[string]bool) {
	t.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []*feed.Message
	ids := map[string]bool{}
	for range steps {
		msgs := s.Step()
		for i := range msgs {
			data, err := json.Marshal(&msgs[i])
			if err != nil {
				t.Fatal(err)
			}
			var m feed.Message
			if err := feed.Decode(data, &m); err != nil {
				t.Fatal(err)
			}
			if m.Type == feed.TypeCallStart {
				ids[m.Call.ID] = true
			}
			out = append(out, &m)
		}
	}
	return out, ids
}

// TestFleetGroupAlertFiresAndResolves: with --alert-fleet-groups, a
// simulated fleet whose Chrome 142 users lose packets raises a firing
// fleet-group alert naming that group; once those calls end and a healthy
// fleet follows, it resolves. Without the flag nothing is raised.
func TestFleetGroupAlertFiresAndResolves(t *testing.T) {
	impaired, ids := simMessages(t, sim.Config{Calls: 40, Scenarios: []string{"good", "fleet-chrome142"}, Seed: 3}, 45)
	key := "fleet-group@loss-inbound/version=Chrome 142"

	off, offEvents := fleetEngine(t, alert.FleetOptions{})
	if f := feedAll(t, off, offEvents, impaired); findAlert(f, key) != nil {
		t.Fatalf("fleet-group alerts are off by default, yet %s is active", key)
	}

	e, events := fleetEngine(t, alert.FleetOptions{Groups: true})
	f := feedAll(t, e, events, impaired)
	a := findAlert(f, key)
	if a == nil || a.State != alert.Firing {
		t.Fatalf("Chrome 142 impaired for 45 s: want %s firing, got %+v (active %d)", key, a, len(f.Alerts.Active))
	}
	if !strings.Contains(a.Message, "of Chrome 142 participants vs") {
		t.Errorf("message %q", a.Message)
	}

	end := impaired[len(impaired)-1].TS
	var ends []*feed.Message
	for id := range ids {
		ends = append(ends, &feed.Message{Type: feed.TypeCallEnd, TS: end, CallID: id, Reason: "hangup"})
	}
	healthy, _ := simMessages(t, sim.Config{Calls: 40, Scenarios: []string{"good"}, Seed: 4,
		Start: time.UnixMilli(int64(end)).Add(time.Second)}, 15)
	f = feedAll(t, e, events, append(ends, healthy...))
	if a := findAlert(f, key); a != nil {
		t.Fatalf("the impaired calls ended and a healthy fleet followed, yet %s is %s", key, a.State)
	}
}
