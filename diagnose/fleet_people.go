package diagnose

import (
	"math"
	"strings"

	"github.com/calltop/calltop/diagnose/fleet"
)

// The fleet view (diagnose/fleet) groups the participants of every live
// call. Each time the views rebuild a call's summary, its people's groups
// go into the summary (CallSummary.FleetGroups, shared while unchanged, for
// filtering calls by a group) and the call joins a queue; each snapshot
// moves at most fleetPerFrame queued calls' people into the fleet table
// (Table.Set), oldest first, so the table follows the calls that changed
// at a bounded cost a frame. A call leaving the live set leaves the table
// at once.

// fleetPerFrame bounds the calls a snapshot moves into the fleet table:
// each costs 1-4 µs, so a frame spends at most about 1 ms on it. With
// 10,000 calls all changing every second and 20 frames a second (5,000
// a second moved), every call's figures are at most about 2 s old.
const fleetPerFrame = 250

// fleetState is the fleet table, the queue of calls whose summary changed
// since they were last counted, and a cache of parsed user agents (a
// fleet has few distinct ones). The views and the call model share it.
type fleetState struct {
	table *fleet.Table
	ua    map[string]uaFacts
	queue []*call // calls to count again (call.fleetQueued), oldest first
	head  int     // queue[:head] are done
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
// last time when nothing counted changed), after moving up to
// fleetPerFrame changed calls into it.
func (m *Monitor) Fleet() *fleet.View {
	m.views.refreshLive()
	return m.views.fleet.view(fleetPerFrame)
}

// set records c's people's groups in its new summary s (the old slice
// when they are the same) and queues c to be counted again.
func (f *fleetState) set(c *call, old, s *CallSummary) {
	if f == nil {
		return
	}
	s.FleetGroups = f.groupsOf(c, old)
	if !c.fleetQueued {
		c.fleetQueued = true
		f.queue = append(f.queue, c)
	}
}

// groupsOf returns the groups of c's participants still in it: old's
// slice when they are the same ones.
func (f *fleetState) groupsOf(c *call, old *CallSummary) []*fleet.Groups {
	var prev []*fleet.Groups
	if old != nil {
		prev = old.FleetGroups
	}
	n, same := 0, true
	for _, p := range c.parts {
		if p.left {
			continue
		}
		g := f.groups(p)
		same = same && n < len(prev) && prev[n] == g
		n++
	}
	if same && n == len(prev) {
		return prev
	}
	out := make([]*fleet.Groups, 0, n)
	for _, p := range c.parts {
		if !p.left {
			out = append(out, p.groups)
		}
	}
	return out
}

// view counts up to max queued calls again, oldest first, and returns the
// table's view.
func (f *fleetState) view(max int) *fleet.View {
	for ; max > 0 && f.head < len(f.queue); max-- {
		c := f.queue[f.head]
		f.queue[f.head] = nil
		f.head++
		c.fleetQueued = false
		switch {
		case c.live == nil: // retired: drop took it out
		case c.end != 0:
			f.table.Set(&c.fleet, nil, nil)
		default:
			f.table.Set(&c.fleet, f.people(c, false), c.tags)
		}
	}
	if f.head == len(f.queue) || f.head > 4096 && f.head > len(f.queue)/2 {
		n := copy(f.queue, f.queue[f.head:])
		clear(f.queue[n:])
		f.queue, f.head = f.queue[:n], 0
	}
	return f.table.View()
}

// drop takes a call leaving the live set out of the fleet table (a queued
// one is skipped when its turn comes).
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

// groups returns p's fleet groups: the ones made last time until what
// they are made of changes (the call model then sets p.groups to nil),
// else new ones (summaries handed out keep the old).
func (f *fleetState) groups(p *participant) *fleet.Groups {
	if p.groups != nil {
		return p.groups
	}
	ua, path := f.userAgent(p.userAgent), p.path()
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
