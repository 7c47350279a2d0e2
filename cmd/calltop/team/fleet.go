package team

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/hub"
)

// Subjects of the team hubs on one NATS bus (besides feed/bus's).
const (
	fleetAlertsPrefix = "calltop.v1.team.alerts." // + hub id: that hub's open alerts
	fleetCmdPrefix    = "calltop.v1.team.cmd."    // + hub id: a command on that hub's alert
	// fleetRepeat is how often a hub publishes its alerts unchanged (for a
	// hub that joins); fleetStale forgets a hub not heard for that long.
	fleetRepeat = 2 * time.Second
	fleetStale  = 3 * fleetRepeat
	// maxPeerAlerts bounds the count a hub may claim (sums stay sane).
	maxPeerAlerts = 1 << 30
)

// Fleet joins a team hub to the others on one NATS bus for their alerts:
// each hub publishes the open alerts its own book holds, and every hub's
// team.alerts shows the union (its own first, then the others' whose key
// it does not hold). A command on an alert only another hub holds is
// forwarded to that hub, which runs it as the user and answers. Today
// every team hub on the bus diagnoses every call, so the union adds what
// one hub has not fired yet; with a partitioned diagnosis it is what
// makes every hub show every alert.
type Fleet struct {
	nc    *nats.Conn
	hubID string
	logf  func(format string, args ...any)

	mu      sync.Mutex
	own     map[string]bool // keys of this hub's open alerts, as last published
	ownMsg  []byte
	others  map[string]fleetPeer
	changed chan struct{}
	cut     bool // publish said it cut the list
}

// fleetPeer is another hub's last word.
type fleetPeer struct {
	alerts []feed.TeamAlert
	counts feed.TeamAlertCounts // of all its open alerts, those cut from alerts included
	at     time.Time
}

// fleetAlerts is what a hub publishes on fleetAlertsPrefix.
type fleetAlerts struct {
	Hub    string           `json:"hub"`
	Active []feed.TeamAlert `json:"active"`
	// Counts counts all the hub's open alerts (Active may be cut); a hub
	// of an earlier version leaves it out.
	Counts *feed.TeamAlertCounts `json:"counts,omitempty"`
}

// fleetCmd is a forwarded command.
type fleetCmd struct {
	User string           `json:"user"`
	Role string           `json:"role"`
	From string           `json:"from"`
	Cmd  feed.TeamCommand `json:"cmd"`
}

// NewFleet returns the Fleet of hub hubID on nc; the Server starts it.
func NewFleet(nc *nats.Conn, hubID string, logf func(format string, args ...any)) *Fleet {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &Fleet{nc: nc, hubID: hubID, logf: logf, own: map[string]bool{}, others: map[string]fleetPeer{},
		changed: make(chan struct{}, 1)}
}

// run takes the others' alerts and serves forwarded commands (run runs
// them on this hub and answers) until ctx ends; it republishes this hub's
// alerts every fleetRepeat and forgets hubs gone quiet.
func (f *Fleet) run(ctx context.Context, runCmd func(p hub.Peer, c feed.TeamCommand, answer func(feed.TeamResult))) error {
	alerts, err := f.nc.Subscribe(fleetAlertsPrefix+"*", f.take)
	if err != nil {
		return fmt.Errorf("team alerts on NATS: %w", err)
	}
	defer alerts.Unsubscribe()
	cmds, err := f.nc.Subscribe(fleetCmdPrefix+f.hubID, func(m *nats.Msg) {
		var fc fleetCmd
		if err := json.Unmarshal(m.Data, &fc); err != nil || fc.User == "" {
			f.respond(m, failed("", refuse(feed.CodeBadCommand, "forwarded command: %v", err)))
			return
		}
		p := hub.Peer{User: fc.User, Role: fc.Role, Remote: "via hub " + fc.From}
		runCmd(p, fc.Cmd, func(r feed.TeamResult) { f.respond(m, r) })
	})
	if err != nil {
		return fmt.Errorf("team commands on NATS: %w", err)
	}
	defer cmds.Unsubscribe()
	t := time.NewTicker(fleetRepeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			f.mu.Lock()
			msg := f.ownMsg
			expired := false
			for id, p := range f.others {
				if time.Since(p.at) > fleetStale {
					delete(f.others, id)
					expired = true
				}
			}
			f.mu.Unlock()
			if msg != nil {
				f.nc.Publish(fleetAlertsPrefix+f.hubID, msg)
			}
			if expired {
				f.signal()
			}
		}
	}
}

// respond answers a forwarded command.
func (f *Fleet) respond(m *nats.Msg, r feed.TeamResult) {
	if b, err := json.Marshal(r); err == nil {
		m.Respond(b)
	}
}

// take records another hub's alerts.
func (f *Fleet) take(m *nats.Msg) {
	var fa fleetAlerts
	if json.Unmarshal(m.Data, &fa) != nil || fa.Hub == "" || fa.Hub == f.hubID || m.Subject != fleetAlertsPrefix+fa.Hub {
		return
	}
	f.mu.Lock()
	prev, had := f.others[fa.Hub]
	counts := countsOf(fa.Active)
	if c := fa.Counts; c != nil && c.Active >= len(fa.Active) && c.Critical >= counts.Critical && c.Warning >= counts.Warning &&
		c.Info >= counts.Info && c.Critical+c.Warning+c.Info <= c.Active && c.Active <= maxPeerAlerts {
		counts = *c // not less than its own list says, nor more firing than open
	}
	f.others[fa.Hub] = fleetPeer{alerts: fa.Active, counts: counts, at: time.Now()}
	f.mu.Unlock()
	if !had || !sameAlerts(prev.alerts, fa.Active) {
		f.signal()
	}
}

// sameAlerts compares two alert lists by their JSON.
func sameAlerts(a, b []feed.TeamAlert) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// signal says the others' alerts changed.
func (f *Fleet) signal() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// publish sends this hub's open alerts when they changed. A list larger
// than the server's max payload is cut to its worst alerts (they come
// first), said once.
func (f *Fleet) publish(own []feed.TeamAlert, counts feed.TeamAlertCounts) {
	msg, err := json.Marshal(fleetAlerts{Hub: f.hubID, Active: own, Counts: &counts})
	for err == nil && int64(len(msg)) > f.nc.MaxPayload() && len(own) > 0 {
		if !f.cut {
			f.cut = true
			f.logf("team: %d open alerts are more than one NATS message holds; the other hubs see the worst first", len(own))
		}
		own = own[:len(own)/2]
		msg, err = json.Marshal(fleetAlerts{Hub: f.hubID, Active: own, Counts: &counts})
	}
	if err != nil {
		return
	}
	keys := make(map[string]bool, len(own))
	for _, a := range own {
		keys[a.Key] = true
	}
	f.mu.Lock()
	same := string(msg) == string(f.ownMsg)
	f.own, f.ownMsg = keys, msg
	f.mu.Unlock()
	if !same {
		f.nc.Publish(fleetAlertsPrefix+f.hubID, msg)
	}
}

// union is own with the others' alerts whose key own lacks (each key
// once, the hub first in id order winning), in the book's order, and the
// counts of all (own's and each other hub's summed: team hubs on a bus
// each diagnose their own calls, so their alerts do not overlap).
func (f *Fleet) union(own []feed.TeamAlert, counts feed.TeamAlertCounts) ([]feed.TeamAlert, feed.TeamAlertCounts) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.others {
		counts.Add(p.counts)
	}
	seen := make(map[string]bool, len(own))
	for _, a := range own {
		seen[a.Key] = true
	}
	out := own
	ids := make([]string, 0, len(f.others))
	for id := range f.others {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for _, a := range f.others[id].alerts {
			if !seen[a.Key] {
				seen[a.Key] = true
				out = append(out, a)
			}
		}
	}
	if len(out) > len(own) {
		slices.SortStableFunc(out, wireOrder)
	}
	return out, counts
}

// wireOrder is the book's order of active alerts (alert.Snapshot's):
// unacknowledged firing first, then acknowledged, then pending; worst
// severity first; then oldest.
func wireOrder(a, b feed.TeamAlert) int {
	rank := func(x feed.TeamAlert) int {
		switch x.State {
		case "firing":
			return 0
		case "acknowledged":
			return 1
		}
		return 2
	}
	sev := map[string]int{"critical": 0, "warning": 1, "info": 2}
	if r := rank(a) - rank(b); r != 0 {
		return r
	}
	if s := sev[a.Severity] - sev[b.Severity]; s != 0 {
		return s
	}
	return a.Since.Compare(b.Since)
}

// owner returns the hub that holds key when this hub does not.
func (f *Fleet) owner(key string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.own[key] {
		return "", false
	}
	ids := make([]string, 0, len(f.others))
	for id := range f.others {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if slices.ContainsFunc(f.others[id].alerts, func(a feed.TeamAlert) bool { return a.Key == key }) {
			return id, true
		}
	}
	return "", false
}

// forward runs c on hub id as p and returns its answer.
func (f *Fleet) forward(ctx context.Context, id string, p hub.Peer, c feed.TeamCommand) feed.TeamResult {
	body, err := json.Marshal(fleetCmd{User: p.User, Role: p.Role, From: f.hubID, Cmd: c})
	if err != nil {
		return failed(c.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m, err := f.nc.RequestWithContext(ctx, fleetCmdPrefix+id, body)
	if err != nil {
		if errors.Is(err, nats.ErrNoResponders) {
			err = fmt.Errorf("hub %s, which holds this alert, is not on the bus now", id)
		}
		return failed(c.ID, fmt.Errorf("forward %s to hub %s: %w", c.Op, id, err))
	}
	var r feed.TeamResult
	if err := json.Unmarshal(m.Data, &r); err != nil {
		return failed(c.ID, fmt.Errorf("hub %s's answer: %w", id, err))
	}
	r.ID = c.ID
	return r
}
