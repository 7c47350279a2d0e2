package team

import (
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/calltop/calltop/feed"
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
	f.Add("hub-b", []byte(`{"hub":"hub-b","active":[{"key":"k","state":"firing","severity":"critical"}],"counts":{"active":0,"critical":5}}`))
	f.Fuzz(func(t *testing.T, from string, data []byte) {
		fl := NewFleet(nil, "hub-a", nil)
		fl.take(&nats.Msg{Subject: fleetAlertsPrefix + from, Data: data})
		for id := range fl.others {
			if id != from || id == "hub-a" {
				t.Fatalf("took alerts for %q from subject of %q", id, from)
			}
		}
		seen := map[string]bool{}
		all, counts := fl.union(nil, feed.TeamAlertCounts{})
		for _, a := range all {
			if seen[a.Key] {
				t.Fatalf("key %q twice in the union", a.Key)
			}
			seen[a.Key] = true
		}
		if counts.Active < len(all) || counts.Critical+counts.Warning+counts.Info > counts.Active {
			t.Fatalf("counts %+v of a union of %d alerts", counts, len(all))
		}
	})
}
