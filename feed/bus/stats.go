package bus

import (
	"fmt"
	"strings"
	"sync"

	"github.com/nats-io/nats.go"
)

// pendingMsgs is how many bus messages may wait for the receiving
// goroutine; past it NATS drops them and reports a slow consumer.
const pendingMsgs = 1 << 19

// statsSubject is where a hub publishes the stats frames of one of its
// calls; every other frame of the call goes on callsSubject.
func statsSubject(hubID, callID string) string {
	return Prefix + "stats." + hubID + "." + CallToken(callID)
}

// statsSubs are the subscriptions to the other hubs' stats of a node with
// Config.StatsWanted: one to every hub's (all), or one per call wanted.
type statsSubs struct {
	mu    sync.Mutex
	all   *nats.Subscription
	calls map[string]*nats.Subscription // by call id
}

// subscribe subscribes to what the node takes from the bus, every
// subscription into n.msgs: without Config.StatsWanted everything under
// Prefix, with it everything but the stats, and the stats wanted now.
func (n *Node) subscribe() error {
	if n.cfg.StatsWanted == nil {
		_, err := n.nc.ChanSubscribe(Prefix+">", n.msgs)
		return err
	}
	for _, s := range []string{"calls.>", "hb.*", "bye.*", "sync.*", "state." + n.cfg.HubID + ".*", "rows.*", "view.*"} {
		if _, err := n.nc.ChanSubscribe(Prefix+s, n.msgs); err != nil {
			return err
		}
	}
	return n.wantStats(n.cfg.StatsWanted())
}

// receiveLoop handles the bus's messages one at a time until Close.
func (n *Node) receiveLoop() {
	for {
		select {
		case m := <-n.msgs:
			n.receive(m)
		case <-n.quit:
			return
		}
	}
}

// followStats changes the stats subscriptions as Config.StatsChanged
// signals, until Close.
func (n *Node) followStats() {
	for {
		select {
		case <-n.cfg.StatsChanged:
			if err := n.wantStats(n.cfg.StatsWanted()); err != nil {
				n.cfg.Logf("bus: subscribing to the stats wanted: %v", err)
			}
		case <-n.quit:
			return
		}
	}
}

// wantStats subscribes to every hub's stats (all) or to those of the
// other hubs' calls named, unsubscribing from the rest. A subscription is
// dropped before its replacement is made, so no frame comes twice; one
// sent in between is missed (the bus delivers at most once anyway).
func (n *Node) wantStats(all bool, calls []string) error {
	st := &n.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	if all {
		if st.all != nil {
			return nil
		}
		for id, sub := range st.calls {
			sub.Unsubscribe()
			delete(st.calls, id)
		}
		sub, err := n.nc.ChanSubscribe(Prefix+"stats.>", n.msgs)
		if err != nil {
			return err
		}
		st.all = sub
		n.cfg.Logf("bus: taking every hub's stats (a subscriber wants every call)")
		return nil
	}
	if st.all != nil {
		st.all.Unsubscribe()
		st.all = nil
		n.cfg.Logf("bus: taking the other hubs' stats only for the calls view clients have open")
	}
	want := make(map[string]bool, len(calls))
	for _, id := range calls {
		hubID, _, ok := strings.Cut(id, "/")
		if !ok || hubID == n.cfg.HubID || CheckHubID(hubID) != nil {
			continue // this hub's own, or no hub's
		}
		want[id] = true
		if st.calls[id] != nil {
			continue
		}
		sub, err := n.nc.ChanSubscribe(statsSubject(hubID, id), n.msgs)
		if err != nil {
			return fmt.Errorf("stats of %s: %w", id, err)
		}
		st.calls[id] = sub
	}
	for id, sub := range st.calls {
		if !want[id] {
			sub.Unsubscribe()
			delete(st.calls, id)
		}
	}
	return nil
}

// statsFor says whose stats the node takes, for Stats.
func (n *Node) statsFor() string {
	if n.cfg.StatsWanted == nil {
		return "every call"
	}
	st := &n.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.all != nil {
		return "every call"
	}
	return fmt.Sprintf("%d open calls", len(st.calls))
}
