package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/diagnose/alert/webhook"
)

// fleetFlags are the fleet-level alert flags shared by the TUI, demo and
// watch. Every fleet alert is off unless asked for.
type fleetFlags struct {
	noNewCalls  time.Duration
	setupPct    float64
	setupWindow int
	groups      bool
}

// register adds the fleet-level alert flags to cmd.
func (ff *fleetFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.DurationVar(&ff.noNewCalls, "alert-no-new-calls", 0, "alert when no call has started for this long, in feed time (0: off)")
	f.Float64Var(&ff.setupPct, "alert-setup-failures", 0, "alert when more than this percentage of recent calls failed to set up (0: off)")
	f.IntVar(&ff.setupWindow, "alert-setup-window", 0, "how many recent calls --alert-setup-failures counts (default 20)")
	f.BoolVar(&ff.groups, "alert-fleet-groups", false, "alert when a group of participants (browser version, region, ICE path, call tag, ...) stands out for a finding (docs/fleet.md)")
}

// options checks the flags and turns them into the book's fleet options.
func (ff fleetFlags) options() (alert.FleetOptions, error) {
	switch {
	case ff.noNewCalls < 0:
		return alert.FleetOptions{}, fmt.Errorf("--alert-no-new-calls %v: must not be negative (0 turns it off)", ff.noNewCalls)
	case ff.setupPct < 0 || ff.setupPct >= 100 || ff.setupPct != ff.setupPct:
		return alert.FleetOptions{}, fmt.Errorf("--alert-setup-failures %v: want a percentage from 0 (off) to below 100", ff.setupPct)
	case ff.setupWindow < 0:
		return alert.FleetOptions{}, fmt.Errorf("--alert-setup-window %d: must not be negative", ff.setupWindow)
	case ff.setupWindow > 0 && ff.setupPct == 0:
		return alert.FleetOptions{}, errors.New("--alert-setup-window needs --alert-setup-failures PCT")
	}
	return alert.FleetOptions{NoNewCallsFor: ff.noNewCalls, SetupFailurePct: ff.setupPct, SetupWindow: ff.setupWindow,
		Groups: ff.groups}, nil
}

// newFleetBook returns a maker of alert books that notify through n (if
// any), raise the fleet-level alerts fleet turns on, and act as user
// ("": $USER).
func newFleetBook(n *webhook.Notifier, fleet alert.FleetOptions, user string) func() *alert.Book {
	return func() *alert.Book {
		o := alert.Options{Fleet: fleet, User: user}
		if n != nil {
			o.Sender = n
		}
		return alert.NewBook(o)
	}
}
