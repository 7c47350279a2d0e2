package partition

import (
	"strings"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
)

// OwnCalls wraps mk so that the Monitors it makes apply only the messages
// of hubID's own calls (ids "<hubID>/..."): the other hubs' calls are
// diagnosed by their owners. Messages of no call pass. A Monitor that is
// not a *diagnose.Monitor is returned as it is (no such Monitor exists
// today; the wrapper keeps the concrete type's other methods, which the
// engine looks for: ended calls, the fleet view, the epoch).
func OwnCalls(hubID string, mk func() engine.Monitor) func() engine.Monitor {
	prefix := hubID + "/"
	return func() engine.Monitor {
		m := mk()
		dm, ok := m.(*diagnose.Monitor)
		if !ok {
			return m
		}
		return &ownMonitor{Monitor: dm, prefix: prefix}
	}
}

// ownMonitor is a Monitor of one hub's own calls.
type ownMonitor struct {
	*diagnose.Monitor
	prefix string
}

// Apply applies msg if it is of one of the hub's calls; a snapshot is
// applied with only the hub's calls in it (a new slice: the Monitor may
// keep a split snapshot's parts until the last arrives).
func (m *ownMonitor) Apply(msg *feed.Message) {
	switch {
	case msg.Type == feed.TypeSnapshot:
		own := make([]feed.Call, 0, len(msg.Calls))
		for _, c := range msg.Calls {
			if strings.HasPrefix(c.ID, m.prefix) {
				own = append(own, c)
			}
		}
		cp := *msg
		cp.Calls = own
		msg = &cp
	case msg.Call != nil:
		if !strings.HasPrefix(msg.Call.ID, m.prefix) {
			return
		}
	case msg.CallID != "":
		if !strings.HasPrefix(msg.CallID, m.prefix) {
			return
		}
	}
	m.Monitor.Apply(msg)
}
