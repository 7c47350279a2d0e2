package team

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/hub"
)

// reply is one command's outcome on its way to the pump: the picture
// after it (nil when it changed nothing) and the answer.
type reply struct {
	peer   hub.Peer
	cmd    feed.TeamCommand
	result feed.TeamResult
	snap   *alert.Snapshot
	fwd    func(feed.TeamResult) // a command another hub forwarded: answered there
}

// refusal is a command refused with a code.
type refusal struct{ code, msg string }

func (r *refusal) Error() string { return r.msg }

// refuse returns a refusal error.
func refuse(code, format string, args ...any) error {
	return &refusal{code: code, msg: fmt.Sprintf(format, args...)}
}

// inbound takes one frame a subscriber sent: a team command is checked
// (role, rate) and queued for the engine; anything else is ignored.
func (s *Server) inbound(p hub.Peer, frame []byte) {
	if feed.TeamType(frame) != feed.TypeTeamCommand {
		return
	}
	var c feed.TeamCommand
	if err := feed.DecodeTeam(frame, feed.TypeTeamCommand, &c); err != nil {
		s.queueReply(reply{peer: p, cmd: c, result: failed(c.ID, refuse(feed.CodeBadCommand, "%v", err))})
		return
	}
	c.Note, c.Comment = clean(c.Note), clean(c.Comment)
	select {
	case <-s.ready: // the engine is up
	default:
		s.queueReply(reply{peer: p, cmd: c, result: failed(c.ID, errors.New("the hub is starting: try again in a moment"))})
		return
	}
	if err := s.permit(p, c); err != nil {
		s.queueReply(reply{peer: p, cmd: c, result: failed(c.ID, err)})
		return
	}
	if id, ok := s.ownerElsewhere(c); ok {
		go func() { // another team hub holds the alert: it acts, as p
			s.queueReply(reply{peer: p, cmd: c, result: s.cfg.Fleet.forward(context.Background(), id, p, c)})
		}()
		return
	}
	s.act(p, c, nil)
}

// ownerElsewhere names the team hub on the bus that holds the alert an
// ack or un-ack is for, when this hub does not.
func (s *Server) ownerElsewhere(c feed.TeamCommand) (string, bool) {
	if s.cfg.Fleet == nil || (c.Op != feed.OpAck && c.Op != feed.OpUnack) {
		return "", false
	}
	return s.cfg.Fleet.owner(c.Key)
}

// act runs a permitted command on the book and queues its answer: to the
// subscriber p, or through fwd to the hub that forwarded it.
func (s *Server) act(p hub.Peer, c feed.TeamCommand, fwd func(feed.TeamResult)) {
	act, err := bookAct(p.User, c)
	if err != nil {
		s.queueReply(reply{peer: p, cmd: c, result: failed(c.ID, err), fwd: fwd})
		return
	}
	var sil *feed.TeamSilence
	var snap alert.Snapshot
	queued := s.eng.Act(func(b *alert.Book, now time.Time) error {
		got, err := act(b, now)
		if got != nil {
			w := silenceToWire(alert.SilenceStatus{Silence: *got})
			sil = &w
		}
		snap = b.Snapshot()
		return err
	}, func(err error) {
		r := reply{peer: p, cmd: c, result: failed(c.ID, err), fwd: fwd}
		if err != nil {
			s.queueReply(r)
			return
		}
		r.result, r.snap = feed.TeamResult{Type: feed.TypeTeamResult, ID: c.ID, OK: true, Silence: sil}, &snap
		go func() { // answered once saved: an acknowledged ack outlives a kill -9 of the hub
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			s.eng.FlushState(ctx)
			s.queueReply(r)
		}()
	})
	if !queued {
		s.queueReply(reply{peer: p, cmd: c, result: failed(c.ID, errors.New("hub busy: command queue full; try again")), fwd: fwd})
	}
}

// forwarded runs a command another team hub forwarded (its user was
// authenticated and permitted there; hubs on one NATS account trust each
// other, as for the calls on the bus).
func (s *Server) forwarded(p hub.Peer, c feed.TeamCommand, answer func(feed.TeamResult)) {
	c.Note, c.Comment = clean(c.Note), clean(c.Comment)
	s.act(p, c, answer)
}

// permit checks the peer's role and rate.
func (s *Server) permit(p hub.Peer, c feed.TeamCommand) error {
	if p.Role != feed.RoleResponder && p.Role != feed.RoleAdmin {
		return refuse(feed.CodeForbidden, "forbidden: %s is a %s; %s needs the responder or admin role", p.User, orWord(p.Role, "viewer"), verb(c.Op))
	}
	if !s.limiter(p.User).Allow() {
		return refuse(feed.CodeRateLimited, "rate limited: %s sent more than %g commands a second; try again shortly", p.User, float64(s.cfg.Rate))
	}
	return nil
}

// bookAct turns a command into an action on the book, as user.
func bookAct(user string, c feed.TeamCommand) (func(*alert.Book, time.Time) (*alert.Silence, error), error) {
	switch c.Op {
	case feed.OpAck, feed.OpUnack:
		if c.Key == "" {
			return nil, refuse(feed.CodeBadCommand, "%s needs an alert key", c.Op)
		}
		return func(b *alert.Book, now time.Time) (*alert.Silence, error) {
			if !slices.ContainsFunc(b.Snapshot().Active, func(a alert.Alert) bool { return a.Key == c.Key }) {
				return nil, refuse(feed.CodeUnknownKey, "unknown key: no active alert %q", c.Key)
			}
			if c.Op == feed.OpUnack {
				return nil, b.Unack(c.Key, user, now)
			}
			return nil, b.Ack(c.Key, user, c.Note, now)
		}, nil
	case feed.OpSilence:
		m, err := matcherFromWire(c.Matcher)
		if err != nil {
			return nil, err
		}
		if !c.UntilResolved && c.ForSec <= 0 {
			return nil, refuse(feed.CodeBadCommand, "a silence needs a duration (--for) or --until-resolved")
		}
		return func(b *alert.Book, now time.Time) (*alert.Silence, error) {
			var sil alert.Silence
			var err error
			if c.UntilResolved {
				sil, err = b.Mute(m, time.Time{}, true, user, c.Comment, now)
			} else {
				sil, err = b.MuteFor(m, time.Duration(c.ForSec*float64(time.Second)), user, c.Comment, now)
			}
			if err != nil {
				return nil, err
			}
			return &sil, nil
		}, nil
	case feed.OpExpire:
		return func(b *alert.Book, now time.Time) (*alert.Silence, error) {
			if !slices.ContainsFunc(b.Silences(), func(x alert.Silence) bool { return x.ID == c.Silence }) {
				return nil, refuse(feed.CodeUnknownKey, "unknown silence %q (see calltop alerts silences)", c.Silence)
			}
			return nil, b.UnmuteBy(c.Silence, user, now)
		}, nil
	}
	return nil, refuse(feed.CodeBadCommand, "unknown command %q (want ack, unack, silence or expire)", c.Op)
}

// matcherFromWire checks a silence's matcher and turns it into the book's.
func matcherFromWire(w feed.TeamMatcher) (alert.Matcher, error) {
	m := bookMatcher(w)
	if m.Empty() {
		return m, refuse(feed.CodeBadCommand, "a silence needs --call, --rule, --person or --all")
	}
	if m.All && (m.Key != "" || m.CallID != "" || m.ParticipantID != "" || m.Rule != "" || m.Person != "") {
		return m, refuse(feed.CodeBadCommand, "--all silences everything; give it alone")
	}
	return m, nil
}

// failed is the answer to a command that err refused (OK when err is nil).
func failed(id string, err error) feed.TeamResult {
	r := feed.TeamResult{Type: feed.TypeTeamResult, ID: id, OK: err == nil}
	if err == nil {
		return r
	}
	r.Error, r.Code = err.Error(), feed.CodeBadCommand
	var rf *refusal
	if errors.As(err, &rf) {
		r.Code = rf.code
	}
	return r
}

// queueReply hands r to the pump; a full queue drops it with a log line
// (the sender times out and says so).
func (s *Server) queueReply(r reply) {
	select {
	case s.replies <- r:
	default:
		s.cfg.Logf("team: answer to %s's %s dropped: reply queue full", r.peer.User, r.cmd.Op)
	}
}

// answer audits a command and sends its result to the peer.
func (s *Server) answer(r reply) {
	e := Entry{At: time.Now().UTC(), User: r.peer.User, Role: r.peer.Role, From: r.peer.Remote, Op: orWord(r.cmd.Op, "?"),
		Target: target(r.cmd), Note: r.cmd.Note + r.cmd.Comment, Result: "ok"}
	if !r.result.OK {
		e.Result, e.Error = r.result.Code, r.result.Error
	}
	if err := s.cfg.Audit.Write(e); err != nil {
		s.cfg.Logf("team: %v", err)
	}
	if r.fwd != nil {
		r.fwd(r.result)
		return
	}
	if b, err := feed.EncodeTeam(r.result); err == nil {
		s.hub.SendTo(r.peer.ID, b)
	}
}

// target names what a command acts on, for the audit log.
func target(c feed.TeamCommand) string {
	switch c.Op {
	case feed.OpExpire:
		return c.Silence
	case feed.OpSilence:
		m := c.Matcher
		var parts []string
		for _, kv := range [][2]string{{"call", m.Call}, {"rule", m.Rule}, {"person", m.Person},
			{"participant", m.Participant}, {"alert", m.Key}} {
			if kv[1] != "" {
				parts = append(parts, kv[0]+"="+kv[1])
			}
		}
		if m.All {
			parts = append(parts, "everything")
		}
		if c.UntilResolved {
			return strings.Join(parts, " ") + " until resolved"
		}
		return strings.Join(parts, " ") + " for " + (time.Duration(c.ForSec * float64(time.Second))).String()
	}
	return c.Key
}

// verb says what an op does, for refusals.
func verb(op string) string {
	switch op {
	case feed.OpAck:
		return "acknowledging"
	case feed.OpUnack:
		return "withdrawing an acknowledgement"
	case feed.OpSilence:
		return "silencing"
	case feed.OpExpire:
		return "expiring a silence"
	}
	return "any command"
}

// orWord returns s, or def when s is empty.
func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
