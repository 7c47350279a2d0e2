package team

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
)

// ErrNotTeam is Dial's error for a hub that is not in team mode.
var ErrNotTeam = errors.New("hub not in team mode (start it with calltop hub --team)")

// Session is one short connection to a team hub, for `calltop alerts`:
// who the hub says we are, its book's picture, and commands answered.
type Session struct {
	Welcome feed.TeamWelcome
	// Alerts is the book's picture on arrival (nil: the hub has seen no
	// data yet), updated by Do.
	Alerts *feed.TeamAlerts

	c      *client.Client
	cancel context.CancelFunc
	done   chan struct{}
	nextID int
}

// Dial connects to a hub (TLS per cfg), reads hello, the welcome and the
// book's picture, and returns once the call snapshot has come. A hub that
// sends no welcome is not in team mode (ErrNotTeam); one that cannot be
// reached or refuses the token fails at the first attempt.
func Dial(ctx context.Context, cfg client.Config) (*Session, error) {
	cfg.KeepUnknown, cfg.MaxBackoff = true, 500*time.Millisecond
	c, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.Background())
	s := &Session{c: c, cancel: cancel, done: make(chan struct{})}
	var runErr error
	go func() { runErr = c.Run(rctx); close(s.done) }()
	if err := s.await(ctx, &runErr); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// await reads events until the snapshot, keeping the team frames before it.
func (s *Session) await(ctx context.Context, runErr *error) error {
	lastReason := "not connected yet"
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("no answer from the hub: %s", lastReason)
		case ev, ok := <-s.c.Events():
			if !ok {
				<-s.done
				return fmt.Errorf("hub refused: %v", *runErr)
			}
			switch ev.Kind {
			case feed.EventState:
				if ev.Status.Reason != "" {
					lastReason = ev.Status.Reason
				}
				if ev.Status.State == feed.StateReconnecting || ev.Status.State == feed.StateFailed {
					return fmt.Errorf("cannot reach the hub: %s", lastReason)
				}
			case feed.EventUnknown:
				s.take(ev.Frames)
			case feed.EventMessage:
				typ := ev.Msg.Type
				ev.Release()
				if typ == feed.TypeSnapshot {
					if s.Welcome.Type == "" {
						return ErrNotTeam
					}
					return nil
				}
			}
		}
	}
}

// take keeps the welcome and the newest picture among frames, and returns
// a result among them, if any.
func (s *Session) take(frames [][]byte) *feed.TeamResult {
	var res *feed.TeamResult
	for _, f := range frames {
		switch feed.TeamType(f) {
		case feed.TypeTeamWelcome:
			feed.DecodeTeam(f, feed.TypeTeamWelcome, &s.Welcome)
		case feed.TypeTeamAlerts:
			var w feed.TeamAlerts
			if feed.DecodeTeam(f, feed.TypeTeamAlerts, &w) == nil {
				s.Alerts = &w
			}
		case feed.TypeTeamResult:
			var r feed.TeamResult
			if feed.DecodeTeam(f, feed.TypeTeamResult, &r) == nil {
				res = &r
			}
		}
	}
	return res
}

// Do sends one command and waits for its answer (an error naming the
// reason when refused), keeping the picture that comes before it.
func (s *Session) Do(ctx context.Context, c feed.TeamCommand) (feed.TeamResult, error) {
	s.nextID++
	c.Type, c.ID = feed.TypeTeamCommand, "cli-"+strconv.Itoa(s.nextID)
	frame, err := feed.EncodeTeam(c)
	if err != nil {
		return feed.TeamResult{}, err
	}
	if err := s.c.Send(frame); err != nil {
		return feed.TeamResult{}, fmt.Errorf("sending the command: %w", err)
	}
	for {
		select {
		case <-ctx.Done():
			return feed.TeamResult{}, errors.New("no answer from the hub in time")
		case ev, ok := <-s.c.Events():
			if !ok {
				return feed.TeamResult{}, errors.New("the hub closed the connection before answering")
			}
			if ev.Kind == feed.EventMessage {
				ev.Release()
			}
			if ev.Kind != feed.EventUnknown {
				continue
			}
			if r := s.take(ev.Frames); r != nil && r.ID == c.ID {
				if !r.OK {
					return *r, errors.New(r.Error)
				}
				return *r, nil
			}
		}
	}
}

// Close ends the connection.
func (s *Session) Close() {
	s.cancel()
	for range s.c.Events() { // let Run finish delivering
	}
	<-s.done
}

// Probe asks the hub cfg points at whether it is a team hub, and who we
// are there, from its first two frames (hello, then a team hub's welcome):
// a plain hub's snapshot is not read.
func Probe(ctx context.Context, cfg client.Config) (feed.TeamWelcome, bool) {
	frames, err := client.Peek(ctx, cfg, 2)
	var w feed.TeamWelcome
	if err != nil || len(frames) < 2 || feed.DecodeTeam(frames[1], feed.TypeTeamWelcome, &w) != nil {
		return feed.TeamWelcome{}, false
	}
	return w, true
}
