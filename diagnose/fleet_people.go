package diagnose

import (
	"math"
	"strings"

	"github.com/calltop/calltop/diagnose/fleet"
)

// The fleet view (diagnose/fleet) groups the participants of every live
// call. Each time the views rebuild a call's summary, its people's facts
// go into the summary (CallSummary.FleetPeople, for filtering calls by a
// group) and the fleet table (Table.Set); a call leaving the live set
// leaves the table. So the table follows the calls that changed only.

// fleetState is the fleet table and a cache of parsed user agents (a
// fleet has few distinct ones). The views and the call model share it.
type fleetState struct {
	table *fleet.Table
	ua    map[string]uaFacts
}

// uaFacts is what a user agent says: "Chrome", "Chrome 142", "Windows".
type uaFacts struct{ browser, version, os string }

// ruleBit is a rule's bit in connection.openRules and fleet.Person.Rules.
func ruleBit(def *ruleDef) uint32 { return 1 << ruleIndex[def.id] }

// warningRules has the bits of the rules whose findings are warnings or
// worse (a finding's severity only ever rises from its rule's).
var warningRules = func() uint32 {
	var m uint32
	for i := range rules {
		if rules[i].severity >= Warning {
			m |= 1 << i
		}
	}
	return m
}()

// maxUACache bounds the user-agent cache; it starts over when full.
const maxUACache = 4096

// FleetOptions are the fleet table's options: the rule ids in the rule
// table's order, and relay-tcp implied by the ICE path.
func FleetOptions() fleet.Options {
	ids := make([]string, len(rules))
	for i := range rules {
		ids[i] = rules[i].id
	}
	return fleet.Options{Rules: ids, Implied: map[string]string{RuleRelayTCP: "path"}}
}

func newFleetState() *fleetState {
	return &fleetState{table: fleet.NewTable(FleetOptions()), ua: map[string]uaFacts{}}
}

// Fleet returns the fleet view of the live calls now (the same *View as
// last time when nothing counted changed).
func (m *Monitor) Fleet() *fleet.View {
	m.views.refreshLive()
	return m.views.fleet.table.View()
}

// set records c's people in its new summary s and in the fleet table
// (nobody once c ended).
func (f *fleetState) set(c *call, s *CallSummary) {
	if f == nil {
		return
	}
	s.FleetPeople = f.people(c, false)
	counted := s.FleetPeople
	if c.end != 0 {
		counted = nil
	}
	f.table.Set(&c.fleet, counted, c.tags)
}

// drop takes a call leaving the live set out of the fleet table.
func (f *fleetState) drop(c *call) {
	if f != nil {
		f.table.Set(&c.fleet, nil, nil)
	}
}

// people returns the facts of c's participants still in it: open
// findings now, or (whole) every finding over the call with mean figures.
func (f *fleetState) people(c *call, whole bool) []fleet.Person {
	out := make([]fleet.Person, 0, len(c.parts))
	for _, p := range c.parts {
		if p.left && !whole {
			continue
		}
		fp := fleet.Person{Groups: f.groups(p), MOS: p.mosLast, LossPct: math.NaN(), RTTMs: math.NaN()}
		if whole {
			fp.MOS, fp.LossPct, fp.RTTMs = p.wholeCall()
			fp.Rules, fp.Problem = p.everRules(c)
		} else {
			for _, cn := range p.conns {
				fp.LossPct = maxNaN(fp.LossPct, maxNaN(cn.lossInAvg, cn.lossOutAvg))
				fp.RTTMs = maxNaN(fp.RTTMs, cn.cur.rttMs)
				fp.Rules |= cn.openRules
			}
			fp.Problem = fp.Rules&warningRules != 0
		}
		out = append(out, fp)
	}
	return out
}

// everRules returns the rules of every finding raised on p over call c,
// and whether one was a warning or worse.
func (p *participant) everRules(c *call) (mask uint32, problem bool) {
	for _, f := range c.findings {
		if f.Subject.ParticipantID != p.id {
			continue
		}
		if i, ok := ruleIndex[f.Rule]; ok && i < 32 {
			mask |= 1 << i
		}
		problem = problem || f.Severity >= Warning
	}
	return mask, problem
}

// wholeCall returns p's mean MOS, loss (the worse direction, from the
// connections' packet totals) and mean RTT over the call; NaN when unknown.
func (p *participant) wholeCall() (mos, loss, rtt float64) {
	mos, loss, rtt = math.NaN(), math.NaN(), math.NaN()
	if p.mosN > 0 {
		mos = p.mosSum / float64(p.mosN)
	}
	for _, cn := range p.conns {
		rc := reportConnection(cn)
		if n := rc.PacketsReceived + rc.PacketsReceivedLost; n > 0 {
			loss = maxNaN(loss, 100*float64(rc.PacketsReceivedLost)/float64(n))
		}
		if rc.PacketsSent > 0 {
			loss = maxNaN(loss, 100*float64(min(rc.PacketsSentLost, rc.PacketsSent))/float64(rc.PacketsSent))
		}
		if rc.MeanRTTMs != nil {
			rtt = maxNaN(rtt, *rc.MeanRTTMs)
		}
	}
	return mos, loss, rtt
}

// path names the ICE path of p's connected connection (the last one that
// connected): "host udp", "srflx udp", "relay tcp", "relay tls"; "" when
// none connected or the candidate is unknown.
func (p *participant) path() string {
	for i := len(p.conns) - 1; i >= 0; i-- {
		cn := p.conns[i]
		if !cn.everConnected || cn.local.typ == "" {
			continue
		}
		proto := cn.local.protocol
		if cn.local.typ == relayCandidate && cn.local.relayProtocol != "" {
			proto = cn.local.relayProtocol
		}
		return pathName(cn.local.typ, proto)
	}
	return ""
}

// pathName joins a candidate type and a protocol ("relay tcp"), without
// allocating for the usual ones.
func pathName(typ, proto string) string {
	for _, p := range commonPaths {
		if p.typ == typ && p.proto == proto {
			return p.name
		}
	}
	return strings.TrimSpace(typ + " " + proto)
}

// commonPaths are the ICE paths most connections take.
var commonPaths = []struct{ typ, proto, name string }{
	{"host", "udp", "host udp"}, {"srflx", "udp", "srflx udp"}, {"relay", "udp", "relay udp"},
	{"relay", "tcp", "relay tcp"}, {"relay", "tls", "relay tls"}, {"prflx", "udp", "prflx udp"},
	{"host", "tcp", "host tcp"}, {"srflx", "tcp", "srflx tcp"}, {"prflx", "tcp", "prflx tcp"},
}

// groupsKey is what a participant's fleet groups were made from.
type groupsKey struct{ userAgent, network, region, path string }

// groups returns p's fleet groups: the ones made last time while nothing
// they hold changed (the same strings, compared without reading bytes),
// else new ones (summaries handed out keep the old).
func (f *fleetState) groups(p *participant) *fleet.Groups {
	path := p.path()
	k := &p.groupsOf
	if p.groups != nil && k.userAgent == p.userAgent && k.network == p.networkType && k.region == p.region && k.path == path {
		return p.groups
	}
	ua := f.userAgent(p.userAgent)
	*k = groupsKey{userAgent: p.userAgent, network: p.networkType, region: p.region, path: path}
	p.groups = &fleet.Groups{Browser: ua.browser, Version: ua.version, OS: ua.os, Network: p.networkType, Region: p.region, Path: path}
	return p.groups
}

// userAgent returns what ua says, parsed once per distinct ua.
func (f *fleetState) userAgent(ua string) uaFacts {
	if u, ok := f.ua[ua]; ok {
		return u
	}
	if len(f.ua) >= maxUACache {
		clear(f.ua)
	}
	u := uaFacts{version: Browser(ua), os: OS(ua)}
	u.browser, _, _ = strings.Cut(u.version, " ")
	f.ua[ua] = u
	return u
}

// OS names the operating system of a user agent: "Windows", "macOS",
// "Linux", "Android", "iOS", "ChromeOS" (or "" when unknown).
func OS(ua string) string {
	for _, o := range []struct{ token, name string }{
		{"Windows", "Windows"}, {"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iOS"}, {"iPod", "iOS"},
		{"CrOS", "ChromeOS"}, {"Macintosh", "macOS"}, {"Mac OS X", "macOS"}, {"Linux", "Linux"}, {"X11", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			return o.name
		}
	}
	return ""
}
