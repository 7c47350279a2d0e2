// Package partition splits the diagnosis among team hubs on a NATS bus
// (calltop hub --team --nats, docs/scaling.md): each hub's engine
// diagnoses only its own calls (OwnCalls), so a finding, an alert and a
// webhook post happen once for the fleet, not once per team hub; each hub
// shares its open findings with the others and serves the union to its
// subscribers (Board). The alerts' union is the team state's (JetStream).
package partition
