package sim

import (
	"slices"
	"strings"
)

// fleetScenario impairs one group of participants across every call
// (whatever each call's own scenario), so the fleet view and its alert
// have something to find: the group's people raise rule, the rest do not.
type fleetScenario struct {
	name, rule, group string
	in                func(p *participant) bool
	apply             func(s *Sim, p *participant, c *conditions)
}

// fleetDelay is how long after joining a participant of the impaired
// group starts to suffer (ms).
const fleetDelay = 3000

// fleetScenarios in the order FleetScenarioNames lists them.
var fleetScenarios = []fleetScenario{
	{name: "fleet-chrome142", rule: "loss-inbound", group: "Chrome 142 (not Edge)",
		in: func(p *participant) bool {
			return strings.Contains(p.ua, "Chrome/142.") && !strings.Contains(p.ua, "Edg/")
		},
		apply: func(s *Sim, p *participant, c *conditions) { scenarios[wifiLoss].apply(s, p, c) }},
	{name: "fleet-eu-west", rule: "rtt-high", group: "region eu-west",
		in:    func(p *participant) bool { return p.region == "eu-west" },
		apply: func(s *Sim, p *participant, c *conditions) { scenarios[highRTT].apply(s, p, c) }},
}

// Indexes of the call scenarios the fleet scenarios borrow from.
const (
	wifiLoss = 1
	highRTT  = 3
)

// FleetScenarioNames returns the names of the fleet scenarios: each
// impairs one group of participants in every call, on top of the calls'
// own scenarios (docs/simulator.md).
func FleetScenarioNames() []string {
	names := make([]string, len(fleetScenarios))
	for i, f := range fleetScenarios {
		names[i] = f.name
	}
	return names
}

// fleetScenario returns the fleet scenario named name, or nil.
func fleetScenarioNamed(name string) *fleetScenario {
	i := slices.IndexFunc(fleetScenarios, func(f fleetScenario) bool { return f.name == name })
	if i < 0 {
		return nil
	}
	return &fleetScenarios[i]
}

// fleetMask returns the bits of s's fleet scenarios whose group p is in.
func (s *Sim) fleetMask(p *participant) uint8 {
	var m uint8
	for i, f := range s.fleet {
		if f.in(p) {
			m |= 1 << i
		}
	}
	return m
}

// applyFleet bends p's conditions by the fleet scenarios whose group p is
// in, once p has been in the call fleetDelay.
func (s *Sim) applyFleet(p *participant, c *conditions) {
	if p.fleet == 0 || s.nowMS < p.joinMS+fleetDelay {
		return
	}
	for i, f := range s.fleet {
		if p.fleet&(1<<i) != 0 {
			f.apply(s, p, c)
		}
	}
}
