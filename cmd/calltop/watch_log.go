package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
)

// watchLog writes watch's lines through log/slog: key=value lines
// (slog.TextHandler) or JSON lines (slog.JSONHandler). The keys users grep
// keep their names and values (time, level in lower case, event, alert,
// rule, severity, call, participant, connection, name, who, msg); see
// docs/alerts.md.
//
// Every line's time is the wall clock when it was written, so the log
// never goes back in time; an alert event whose own time (the data's, the
// book's) is more than atSkew away carries it as at= (a replay, or a
// feed running late).
type watchLog struct {
	h    slog.Handler
	json bool
	now  func() time.Time // the wall clock (tests set it)
}

// atSkew is how far an event's data time may be from the wall clock before
// its line names it with at=.
const atSkew = 2 * time.Second

func newWatchLog(out io.Writer, json bool) *watchLog {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case slog.TimeKey:
			return slog.String(slog.TimeKey, alert.Stamp(a.Value.Time()))
		case slog.LevelKey:
			return slog.String(slog.LevelKey, strings.ToLower(a.Value.String()))
		}
		return a
	}}
	if json {
		return &watchLog{h: slog.NewJSONHandler(out, opts), json: true, now: time.Now}
	}
	return &watchLog{h: slog.NewTextHandler(out, opts), now: time.Now}
}

// levelOf maps watch's level words to slog's.
func levelOf(level string) slog.Level {
	switch level {
	case "error":
		return slog.LevelError
	case "warn":
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// event writes one event of the book's log, stamped with the wall clock
// and, when it is atSkew or more away, the book's time as at=.
func (w *watchLog) event(e alert.Event) {
	l := e.Line()
	now := w.now()
	r := slog.NewRecord(now, levelOf(l.Level), l.Msg, 0)
	if d := now.Sub(e.At); d > atSkew || d < -atSkew {
		r.AddAttrs(slog.String("at", alert.Stamp(e.At)))
	}
	for _, kv := range [][2]string{{"event", l.Event}, {"alert", l.Alert}, {"rule", l.Rule},
		{"severity", l.Severity}, {"call", l.CallID}, {"participant", l.ParticipantID},
		{"connection", l.ConnectionID}, {"name", l.Name}, {"who", l.Who}} {
		if kv[1] != "" {
			r.AddAttrs(slog.String(kv[0], kv[1]))
		}
	}
	if w.json {
		r.AddAttrs(slog.Uint64("seq", l.Seq))
	}
	w.h.Handle(context.Background(), r)
}

// note writes a line of watch's own (start, stop, feed state, lost
// notifications), stamped with the wall clock.
func (w *watchLog) note(level, event, msg string) {
	r := slog.NewRecord(w.now(), levelOf(level), alert.CleanText(msg), 0)
	r.AddAttrs(slog.String("event", event))
	w.h.Handle(context.Background(), r)
}
