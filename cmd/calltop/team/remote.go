package team

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
)

// maxNotes bounds the local notes (refusals) a Remote keeps.
const maxNotes = 50

// Remote is a team hub's alert book as a TUI sees it: the newest
// team.alerts picture from the feed, plus notes about this user's refused
// commands. It implements engine.RemoteBook, and sends the user's acks and
// silences to the hub. Safe for concurrent use.
type Remote struct {
	send func(frame []byte) error

	mu       sync.Mutex
	welcome  feed.TeamWelcome
	wire     *feed.TeamAlerts
	snap     alert.Snapshot // wire as the TUI shows it, converted once
	received time.Time
	notes    []alert.Event
	asked    map[string]string // command id -> what it asked, until answered
	nextID   int
}

// NewRemote returns a Remote that sends commands with send (a feed
// client's Send).
func NewRemote(send func(frame []byte) error) *Remote {
	return &Remote{send: send, asked: map[string]string{}}
}

// Take implements engine.RemoteBook: it keeps a team.alerts picture and
// the welcome, and notes refused commands.
func (r *Remote) Take(frame []byte) bool {
	switch feed.TeamType(frame) {
	case feed.TypeTeamAlerts:
		var w feed.TeamAlerts
		if feed.DecodeTeam(frame, feed.TypeTeamAlerts, &w) != nil {
			return false
		}
		now := time.Now()
		snap := fromWire(&w, now, now)
		r.mu.Lock()
		r.wire, r.snap, r.received = &w, snap, now
		r.mu.Unlock()
		return true
	case feed.TypeTeamWelcome:
		var w feed.TeamWelcome
		if feed.DecodeTeam(frame, feed.TypeTeamWelcome, &w) == nil {
			r.mu.Lock()
			r.welcome = w
			r.mu.Unlock()
		}
	case feed.TypeTeamResult:
		var res feed.TeamResult
		if feed.DecodeTeam(frame, feed.TypeTeamResult, &res) != nil {
			return false
		}
		return r.answered(res)
	}
	return false
}

// answered notes the answer to one of this Remote's commands when it was
// a refusal, and reports whether it did.
func (r *Remote) answered(res feed.TeamResult) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	what, ok := r.asked[res.ID]
	if !ok {
		return false
	}
	delete(r.asked, res.ID)
	if res.OK {
		return false
	}
	r.noteLocked(what + " refused: " + res.Error)
	return true
}

// noteLocked adds a local note at the book's time.
func (r *Remote) noteLocked(text string) {
	at := time.Now()
	if r.wire != nil {
		at = r.wire.Now.Add(time.Since(r.received))
	}
	r.notes = append(r.notes, alert.Event{At: at, Kind: alert.EvState, Text: clean(text)})
	if len(r.notes) > maxNotes {
		r.notes = r.notes[len(r.notes)-maxNotes:]
	}
}

// Welcome returns who the hub said this client is (empty before it did).
func (r *Remote) Welcome() feed.TeamWelcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.welcome
}

// Snapshot implements engine.RemoteBook: the hub's picture with its ages
// moved on by the time since it came, and the local notes in the log. The
// slices are shared between snapshots (read only), so a frame costs no
// copy of the alerts.
func (r *Remote) Snapshot() alert.Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.snap
	if r.wire != nil && !r.wire.Now.IsZero() {
		s.Now = r.wire.Now.Add(time.Since(r.received))
		if len(s.Silences) > 0 {
			s.Silences = slices.Clone(s.Silences)
			for i := range s.Silences {
				s.Silences[i].Left = s.Silences[i].Silence.Left(s.Now)
			}
		}
	}
	if len(r.notes) > 0 {
		s.Events = append(slices.Clip(s.Events), r.notes...)
		s.LastEvent += uint64(len(r.notes))
	}
	return s
}

// Ack asks the hub to acknowledge an alert, with a note.
func (r *Remote) Ack(key, note string) {
	r.command(feed.TeamCommand{Op: feed.OpAck, Key: key, Note: note}, "ack of "+key)
}

// Unack asks the hub to withdraw an acknowledgement.
func (r *Remote) Unack(key string) {
	r.command(feed.TeamCommand{Op: feed.OpUnack, Key: key}, "un-ack of "+key)
}

// Mute asks the hub for a silence of what m selects, for d or until
// resolved, with a comment.
func (r *Remote) Mute(m alert.Matcher, d time.Duration, untilResolved bool, comment string) {
	r.command(feed.TeamCommand{Op: feed.OpSilence, Matcher: wireMatcher(m), ForSec: d.Seconds(), UntilResolved: untilResolved,
		Comment: comment}, "silence of "+m.String())
}

// Unmute asks the hub to expire a silence.
func (r *Remote) Unmute(id string) {
	r.command(feed.TeamCommand{Op: feed.OpExpire, Silence: id}, "expiry of "+id)
}

// command sends c, noting in the log when it cannot be sent.
func (r *Remote) command(c feed.TeamCommand, what string) {
	r.mu.Lock()
	r.nextID++
	c.Type, c.ID = feed.TypeTeamCommand, "tui-"+strconv.Itoa(r.nextID)
	r.asked[c.ID] = what
	r.mu.Unlock()
	frame, err := feed.EncodeTeam(c)
	if err == nil {
		err = r.send(frame)
	}
	if err != nil {
		r.mu.Lock()
		delete(r.asked, c.ID)
		r.noteLocked(fmt.Sprintf("%s not sent: %v", what, err))
		r.mu.Unlock()
	}
}
