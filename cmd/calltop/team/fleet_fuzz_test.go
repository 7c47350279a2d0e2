package team

import (
	"testing"

	"github.com/nats-io/nats.go"
)

// FuzzFleetAlerts feeds a hub what another hub (or anyone on the NATS
// account) may publish as its alerts: the hub must not panic, must take
// only a message whose hub matches its subject, and its union must list
// each key once. Seeds in testdata/fuzz/FuzzFleetAlerts.
func FuzzFleetAlerts(f *testing.F) {
	f.Add("hub-b", []byte(`{"hub":"hub-b","active":[{"key":"rtt-high@hub-b/call-1/p4/pc-1/0","rule":"rtt-high","state":"firing","severity":"critical"}]}`))
	f.Add("hub-c", []byte(`{"hub":"hub-b","active":[]}`))
	f.Add("hub-a", []byte(`{"hub":"hub-a","active":[{"key":"k"}]}`))
	f.Add("hub-b", []byte(`{"hub":"hub-b","active":[{"key":"k"},{"key":"k"}]}`))
	f.Add("x", []byte(`not json`))
	f.Fuzz(func(t *testing.T, from string, data []byte) {
		fl := NewFleet(nil, "hub-a", nil)
		fl.take(&nats.Msg{Subject: fleetAlertsPrefix + from, Data: data})
		for id := range fl.others {
			if id != from || id == "hub-a" {
				t.Fatalf("took alerts for %q from subject of %q", id, from)
			}
		}
		seen := map[string]bool{}
		for _, a := range fl.union(nil) {
			if seen[a.Key] {
				t.Fatalf("key %q twice in the union", a.Key)
			}
			seen[a.Key] = true
		}
	})
}
