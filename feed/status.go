package feed

import (
	"fmt"
	"time"
)

// ConnState is where a Client's connection stands.
type ConnState int

// Connection states, as the UI shows them.
const (
	// StateConnecting: dialing URL.
	StateConnecting ConnState = iota
	// StateLive: connected and receiving.
	StateLive
	// StateReconnecting: the connection dropped or every URL failed; the
	// next attempt is at NextAttempt.
	StateReconnecting
	// StateStalled: connected, but no frame since Since.
	StateStalled
	// StateFailed: given up, for the reason in Reason (a refused token).
	StateFailed
)

// String returns the state's name.
func (s ConnState) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateLive:
		return "live"
	case StateReconnecting:
		return "reconnecting"
	case StateStalled:
		return "stalled"
	case StateFailed:
		return "failed"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// Problem is what kind of failure a Status's Reason is.
type Problem string

// Problems a client tells apart, so a screen can say what to do.
const (
	ProblemNone         Problem = ""
	ProblemUnauthorized Problem = "unauthorized" // the hub refused the token (HTTP 401/403)
	ProblemRefused      Problem = "refused"      // nothing listens at the address
	ProblemDNS          Problem = "dns"          // the host name does not resolve
	ProblemTLS          Problem = "tls"          // the certificate is not trusted, or no TLS answered
	ProblemTimeout      Problem = "timeout"      // no answer in time
	ProblemHTTP         Problem = "http"         // an HTTP answer that is not a WebSocket upgrade
	ProblemDropped      Problem = "dropped"      // a working connection closed or went silent
	ProblemOther        Problem = "other"
)

// Status is a Client's connection state and counters at one moment.
type Status struct {
	State ConnState
	// URL is the feed in use or being tried.
	URL string
	// Since is when the state began; for StateStalled, the last frame.
	Since time.Time
	// NextAttempt is when a reconnecting client dials again.
	NextAttempt time.Time
	// Reason says why the client is reconnecting or failed.
	Reason string
	// Problem classifies Reason.
	Problem Problem
	// Connects counts successful connections (1 on the first).
	Connects int
	// Frames counts frames received; BadFrames the malformed ones and
	// Unknown those of a type this version does not know.
	Frames, BadFrames, Unknown int64
	// LastBadReason says what was wrong with the last bad frame.
	LastBadReason string
}

// Describe returns the status in a few words for a status line, with
// durations relative to now: "live", "reconnecting in 3s (dial ...)",
// "stalled for 41s", "failed: ...".
func (s Status) Describe(now time.Time) string {
	switch s.State {
	case StateReconnecting:
		in := max(s.NextAttempt.Sub(now), 0)
		if in < 10*time.Second {
			in = in.Round(100 * time.Millisecond)
		} else {
			in = in.Round(time.Second)
		}
		if s.Reason != "" {
			return fmt.Sprintf("reconnecting in %v (%s)", in, s.Reason)
		}
		return fmt.Sprintf("reconnecting in %v", in)
	case StateStalled:
		return fmt.Sprintf("stalled for %v", now.Sub(s.Since).Round(time.Second))
	case StateFailed:
		return "failed: " + s.Reason
	}
	return s.State.String()
}

// EventKind says what an Event carries.
type EventKind int

// Event kinds.
const (
	// EventMessage: a decoded message in Msg, from the raw Frames.
	EventMessage EventKind = iota
	// EventUnknown: a well-formed frame of a type this version does not
	// know (delivered only with ClientConfig.KeepUnknown).
	EventUnknown
	// EventBadFrame: a frame that could not be decoded; Reason says why.
	EventBadFrame
	// EventState: the connection state changed; see Status.
	EventState
)

// Event is what a Client delivers: a message, a bad frame or a state
// change.
type Event struct {
	Kind EventKind
	// Msg is the decoded message (EventMessage, EventUnknown). A snapshot
	// that the hub split into parts arrives as one message holding every
	// call. Each snapshot is authoritative: it lists every ongoing call,
	// so a consumer replaces its call set with it.
	Msg *Message
	// Frames are the raw frames Msg was decoded from, as received: one,
	// or one per part of a split snapshot. For EventBadFrame, the frame
	// (cut to 1 KiB).
	Frames [][]byte
	// Recv is when the (last) frame arrived.
	Recv time.Time
	// Reason says why a bad frame was refused.
	Reason string
	// Status is the client's status after the change (EventState).
	Status Status

	// reusable: Msg.Stats and Frames[0] are this event's alone, and
	// Release may hand them back for reuse.
	reusable bool
}
