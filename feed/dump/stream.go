package dump

import (
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/recording"
)

// Stream decodes one rtcstats session line by line, as a live ingest
// receives it. It is the decoder that reads rtcstats dump files, so a
// session streamed and the same session's dump give the same messages.
// A Stream is not safe for concurrent use.
type Stream struct {
	r    *rtcstatsReader
	line int
}

// NewStream starts decoding a session; name appears in its problems (as
// a dump's file name does).
func NewStream(name string) *Stream {
	return &Stream{r: newRTCStatsReader(name)}
}

// Info adds facts about the client's connection, as rtcstats-server's
// connectionInfo line gives them: path, origin, url, userAgent,
// clientProtocol, statsFormat. Lines may override them later.
func (s *Stream) Info(info map[string]any) { mergeObject(s.r.info, info) }

// Line decodes one line, a JSON array [method, pcId, value, timestamp,
// ...]. It returns the stats and connection.event messages the line gave
// (TS and ConnectionID set; the call and participant are the caller's)
// and the problem that made the line unusable, if any. Lines that carry
// facts (identity, connectionInfo, conferenceStartTimestamp) give no
// message: see Facts and Start.
func (s *Stream) Line(raw []byte) ([]feed.Message, *recording.LineError) {
	s.line++
	b := s.r.b
	b.events, b.problems = b.events[:0], b.problems[:0]
	b.hold.stats = 0 // a session's lines are handed on one at a time
	if len(raw) == 0 {
		return nil, &recording.LineError{File: b.file, Line: s.line, Reason: "empty line"}
	}
	err := s.r.line(s.line, raw, false)
	s.r.releaseScratch()
	if err != nil {
		return nil, &recording.LineError{File: b.file, Line: s.line, Reason: clean(err.Error())}
	}
	var msgs []feed.Message
	if len(b.events) > 0 {
		msgs = make([]feed.Message, len(b.events))
		for i, e := range b.events {
			msgs[i] = e.msg
		}
	}
	if len(b.problems) > 0 {
		return msgs, b.problems[0]
	}
	return msgs, nil
}

// Lines is the number of lines given to Line.
func (s *Stream) Lines() int { return s.line }

// Start is the conference start time the session gave
// (conferenceStartTimestamp, ms since the epoch), or 0.
func (s *Stream) Start() float64 { return s.r.b.start }

// Facts returns the call and the participant as the lines so far describe
// them, with callID and partID where the lines named none, and start
// (ms since the epoch) as the call's start when the lines gave none and
// as the participant's join time. Strings are cleaned of control
// characters.
func (s *Stream) Facts(callID, partID string, start float64) (feed.Call, feed.Participant) {
	c, p := s.r.facts()
	withDefaults(&c, &p, callID, partID, start)
	return c, p
}
