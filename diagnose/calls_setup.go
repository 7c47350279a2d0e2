package diagnose

import "time"

// SetupState is how far a call's setup has got, for the fleet-level
// setup-failure alert.
type SetupState uint8

// Setup states of a call.
const (
	// SetupPending: no connection has connected, failed or been slow yet
	// (or the call has no connection state at all).
	SetupPending SetupState = iota
	// SetupConnected: a connection of the call has connected.
	SetupConnected
	// SetupFailed: before any connection connected, one failed (ICE or
	// peer connection "failed"), one has been setting up longer than the
	// slow-setup rule allows (5 s), or the call ended.
	SetupFailed
)

// CallSetup is one live call's identity and setup state.
type CallSetup struct {
	CallID string
	Start  time.Time // when the call started (data time)
	State  SetupState
}

// callSetups builds Monitor.AppendCallSetups.
func (v views) callSetups(dst []CallSetup) []CallSetup {
	for _, c := range v.calls.byID {
		dst = append(dst, CallSetup{CallID: c.id, Start: msTime(c.start), State: c.setupState()})
	}
	return dst
}

// setupState decides c's setup: connected wins when any connection has
// connected; otherwise a failed or slow connection, or the call ending
// while a connection was still setting up, is a failure.
func (c *call) setupState() SetupState {
	tried, failed := false, false
	slow := ruleIndex[RuleSlowSetup]
	for _, p := range c.parts {
		for _, cn := range p.conns {
			if cn.everConnected {
				return SetupConnected
			}
			if cn.ice != "" || cn.state != "" {
				tried = true
			}
			if cn.failed || (slow < len(cn.rules) && cn.rules[slow].open != nil) {
				failed = true
			}
		}
	}
	if failed || (tried && c.end != 0) {
		return SetupFailed
	}
	return SetupPending
}
