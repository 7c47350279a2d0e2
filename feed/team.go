package feed

import (
	"encoding/json"
	"fmt"
	"time"
)

// Team mode message types (docs/feed-protocol.md, "Team mode"). A team hub
// sends welcome, alerts, findings and result frames on /feed beside the
// call stream; a subscriber sends command frames back on the same
// WebSocket. They are not part of Message: Pipeline treats them as unknown
// types, and DecodeTeam reads them.
const (
	TypeTeamWelcome  = "team.welcome"
	TypeTeamAlerts   = "team.alerts"
	TypeTeamFindings = "team.findings"
	TypeTeamCommand  = "team.command"
	TypeTeamResult   = "team.result"
)

// Roles of a team hub's users, least first.
const (
	RoleViewer    = "viewer"
	RoleResponder = "responder"
	RoleAdmin     = "admin"
)

// Team command operations (TeamCommand.Op).
const (
	OpAck     = "ack"
	OpUnack   = "unack"
	OpSilence = "silence"
	OpExpire  = "expire"
)

// Result codes of a refused command (TeamResult.Code).
const (
	CodeUnknownKey  = "unknown-key"
	CodeForbidden   = "forbidden"
	CodeNotTeam     = "not-team"
	CodeRateLimited = "rate-limited"
	CodeBadCommand  = "bad-command"
)

// TeamWelcome tells a subscriber of a team hub who it is there. It comes
// right after hello, before the snapshot.
type TeamWelcome struct {
	Type string `json:"type"`
	User string `json:"user"`
	Role string `json:"role"`
	Hub  string `json:"hub,omitempty"`
}

// TeamAlert is one alert of the hub's book, as `calltop alerts list
// --json` prints it (the contract in DESIGN.md).
type TeamAlert struct {
	Key         string    `json:"key"`
	ID          string    `json:"id"`
	Rule        string    `json:"rule"`
	Severity    string    `json:"severity"`
	State       string    `json:"state"`
	Call        string    `json:"call"`
	Room        string    `json:"room"`
	Participant string    `json:"participant"`
	Name        string    `json:"name"`
	Since       time.Time `json:"since"`
	FiredAt     time.Time `json:"firedAt,omitzero"`
	End         time.Time `json:"end,omitzero"`
	Message     string    `json:"message"`
	Advice      string    `json:"advice,omitempty"`
	Also        []string  `json:"also,omitempty"`
	Flaps       int       `json:"flaps,omitempty"`
	AckedBy     string    `json:"ackedBy,omitempty"`
	AckedAt     time.Time `json:"ackedAt,omitzero"`
	AckNote     string    `json:"ackNote,omitempty"`
	SilencedBy  []string  `json:"silencedBy,omitempty"`
	InhibitedBy string    `json:"inhibitedBy,omitempty"`
	Note        string    `json:"note,omitempty"`
}

// TeamMatcher selects alerts for a silence; set fields must all match, and
// All alone matches everything.
type TeamMatcher struct {
	All         bool   `json:"all,omitempty"`
	Key         string `json:"key,omitempty"`
	Call        string `json:"call,omitempty"`
	Participant string `json:"participant,omitempty"`
	Person      string `json:"person,omitempty"`
	Rule        string `json:"rule,omitempty"`
}

// TeamSilence is one silence in force on the hub.
type TeamSilence struct {
	ID            string      `json:"id"`
	Matcher       TeamMatcher `json:"matcher"`
	Scope         string      `json:"scope"`
	CreatedBy     string      `json:"createdBy"`
	CreatedAt     time.Time   `json:"createdAt"`
	Comment       string      `json:"comment,omitempty"`
	EndsAt        time.Time   `json:"endsAt,omitzero"`
	UntilResolved bool        `json:"untilResolved,omitempty"`
	Muting        int         `json:"muting"`
}

// TeamEvent is one line of the hub book's event log.
type TeamEvent struct {
	Seq  uint64    `json:"seq"`
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	Key  string    `json:"key,omitempty"`
	Rule string    `json:"rule,omitempty"`
	Call string    `json:"call,omitempty"`
	Name string    `json:"name,omitempty"`
	Who  string    `json:"who,omitempty"`
	Text string    `json:"text"`
}

// TeamAlerts is the picture of the hub's book, sent on join and
// whenever it changes (at most a few times a second): active alerts,
// recent history (newest first), silences and recent events. Active may
// be cut to its first alerts in the book's order (the worst): Counts
// then says how many there are in all.
type TeamAlerts struct {
	Type     string           `json:"type"`
	Seq      uint64           `json:"seq"`
	Now      time.Time        `json:"now"`
	FeedDown bool             `json:"feedDown,omitempty"`
	Counts   *TeamAlertCounts `json:"counts,omitempty"`
	Active   []TeamAlert      `json:"active"`
	History  []TeamAlert      `json:"history"`
	Silences []TeamSilence    `json:"silences"`
	Events   []TeamEvent      `json:"events"`
}

// TeamAlertCounts counts every open alert of a book (of the fleet, on
// team hubs sharing a bus), those a cut Active list leaves out included.
// A frame without it (from an older hub) has every alert in Active.
type TeamAlertCounts struct {
	// Active is how many open alerts there are in all.
	Active int `json:"active"`
	// Critical, Warning and Info count the firing alerts that are neither
	// muted nor inhibited, by severity: the header's "alerts 2 crit".
	Critical int `json:"critical"`
	Warning  int `json:"warning"`
	Info     int `json:"info"`
}

// Add adds o's counts to c.
func (c *TeamAlertCounts) Add(o TeamAlertCounts) {
	c.Active += o.Active
	c.Critical += o.Critical
	c.Warning += o.Warning
	c.Info += o.Info
}

// TeamFinding is one open finding of the hub's diagnosis.
type TeamFinding struct {
	Rule        string    `json:"rule"`
	Severity    string    `json:"severity"`
	Call        string    `json:"call"`
	Participant string    `json:"participant,omitempty"`
	Name        string    `json:"name,omitempty"`
	Since       time.Time `json:"since"`
	Message     string    `json:"message"`
}

// TeamFindings lists the hub's open findings, sent when the set changes.
type TeamFindings struct {
	Type     string        `json:"type"`
	Findings []TeamFinding `json:"findings"`
}

// TeamCommand is an action a subscriber asks of a team hub's book; the hub
// answers with a TeamResult carrying the same ID.
type TeamCommand struct {
	Type string `json:"type"`
	// ID is the sender's own id for the command, echoed in the result.
	ID string `json:"id"`
	// Op is ack, unack, silence or expire.
	Op string `json:"op"`
	// Key names the alert (ack, unack).
	Key string `json:"key,omitempty"`
	// Note goes with an ack, Comment with a silence.
	Note    string `json:"note,omitempty"`
	Comment string `json:"comment,omitempty"`
	// Matcher, ForSec or UntilResolved describe a silence.
	Matcher       TeamMatcher `json:"matcher,omitzero"`
	ForSec        float64     `json:"forSec,omitempty"`
	UntilResolved bool        `json:"untilResolved,omitempty"`
	// Silence is the silence id to expire.
	Silence string `json:"silence,omitempty"`
}

// TeamResult answers one TeamCommand: OK, or Code and Error say why not.
type TeamResult struct {
	Type    string       `json:"type"`
	ID      string       `json:"id"`
	OK      bool         `json:"ok"`
	Code    string       `json:"code,omitempty"`
	Error   string       `json:"error,omitempty"`
	Silence *TeamSilence `json:"silence,omitempty"`
}

// TeamType returns a team frame's type ("" when frame is not one).
func TeamType(frame []byte) string {
	var head struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(frame, &head) != nil {
		return ""
	}
	switch head.Type {
	case TypeTeamWelcome, TypeTeamAlerts, TypeTeamFindings, TypeTeamCommand, TypeTeamResult:
		return head.Type
	}
	return ""
}

// DecodeTeam parses a team frame into v (a pointer to the Team type its
// "type" names), checking the type matches.
func DecodeTeam(frame []byte, want string, v any) error {
	if got := TeamType(frame); got != want {
		return &DecodeError{Reason: fmt.Sprintf("want a %s frame, got type %q", want, got)}
	}
	if err := json.Unmarshal(frame, v); err != nil {
		return &DecodeError{Reason: fmt.Sprintf("%s frame: %v", want, err)}
	}
	return nil
}

// EncodeTeam returns the frame for one team message v, setting nothing:
// v's Type must already be set.
func EncodeTeam(v any) ([]byte, error) { return json.Marshal(v) }

// NotTeamResult is a plain hub's answer to a command: it keeps no book.
func NotTeamResult(id string) TeamResult {
	return TeamResult{Type: TypeTeamResult, ID: id, Code: CodeNotTeam,
		Error: "hub not in team mode (start it with calltop hub --team)"}
}
