package feed

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Subprotocol is the WebSocket subprotocol a calltop.v1 feed speaks.
const Subprotocol = "calltop.v1"

// ProtocolVersion is the version number carried in the hello message.
const ProtocolVersion = 1

// MaxFrameBytes is the largest frame a client or hub accepts (1 MiB).
const MaxFrameBytes = 1 << 20

// Message types. Every frame is one JSON object with a "type" field;
// types a reader does not know are ignored.
const (
	TypeHello             = "hello"
	TypeSnapshot          = "snapshot"
	TypeCallStart         = "call.start"
	TypeCallUpdate        = "call.update"
	TypeCallEnd           = "call.end"
	TypeParticipantJoin   = "participant.join"
	TypeParticipantUpdate = "participant.update"
	TypeParticipantLeave  = "participant.leave"
	TypeStats             = "stats"
	TypeConnectionEvent   = "connection.event"
)

// Message is one calltop.v1 frame. Which fields are set depends on Type;
// see docs/feed-protocol.md. Times (TS, Call.Start, Stat.Timestamp) are
// milliseconds since the Unix epoch, as in W3C webrtc-stats.
type Message struct {
	Type string  `json:"type"`
	TS   float64 `json:"ts,omitempty"`

	// hello
	Version int    `json:"version,omitempty"`
	Server  string `json:"server,omitempty"`

	// snapshot: every ongoing call with its participants. A large snapshot
	// is split over several frames numbered Part 1..Parts (both absent for
	// a snapshot in one frame); the call set is complete at the last part.
	Calls []Call `json:"calls,omitempty"`
	Part  int    `json:"part,omitempty"`
	Parts int    `json:"parts,omitempty"`

	// call.start, call.update
	Call *Call `json:"call,omitempty"`
	// participant.join, participant.update
	Participant *Participant `json:"participant,omitempty"`

	// Routing for call.end, participant.*, stats and connection.event.
	CallID        string `json:"callId,omitempty"`
	ParticipantID string `json:"participantId,omitempty"`
	ConnectionID  string `json:"connectionId,omitempty"`

	// stats: W3C RTCStats objects of one peer connection. A report may be
	// partial: objects it leaves out keep their last values.
	Stats []Stat `json:"stats,omitempty"`

	// connection.event
	Event *ConnectionEvent `json:"event,omitempty"`

	// call.end, participant.leave: optional reason ("hangup", "timeout", ...).
	Reason string `json:"reason,omitempty"`
}

// ReasonReplayRestart is the call.end reason of a replay that starts over:
// what follows starts again from the recording's first time (a new epoch
// of data time).
const ReasonReplayRestart = "replay-restart"

// SourceLost is the Call.Source of a call whose source is gone (its hub
// said goodbye or went quiet): the call is kept, not ended, until its hub
// or another under the same id takes it back, or it ends as "source lost".
const SourceLost = "lost"

// FinalPart reports whether a snapshot message completes its snapshot: it
// is the last part of a split snapshot, or a snapshot in one frame.
func (m *Message) FinalPart() bool { return m.Part == m.Parts }

// Call describes one call (a room session).
type Call struct {
	ID    string            `json:"id"`
	Room  string            `json:"room,omitempty"`
	Start float64           `json:"start,omitempty"`
	Tags  map[string]string `json:"tags,omitempty"`
	// Source says how the call's source is, when not live: SourceLost
	// while the hub producing it is gone (hubs on a bus, docs/scaling.md).
	// Unlike the other fields it does not merge: a call.start or
	// call.update without it says the source is live again.
	Source string `json:"source,omitempty"`
	// Participants is filled only inside a snapshot.
	Participants []Participant `json:"participants,omitempty"`
}

// Participant describes one person (one client) in a call.
type Participant struct {
	ID          string  `json:"id"`
	Name        string  `json:"name,omitempty"`
	UserID      string  `json:"userId,omitempty"`
	UserAgent   string  `json:"userAgent,omitempty"`
	NetworkType string  `json:"networkType,omitempty"`
	Region      string  `json:"region,omitempty"`
	Joined      float64 `json:"joined,omitempty"`
}

// ConnectionEvent is a state change of a peer connection, or a failed
// negotiation step.
type ConnectionEvent struct {
	// Kind is one of "iceconnectionstatechange", "connectionstatechange",
	// "signalingstatechange", "icegatheringstatechange",
	// "negotiationfailure" (others are kept but not interpreted).
	Kind string `json:"kind"`
	// State is the new state; for "negotiationfailure" the call that
	// failed ("createOffer", "setRemoteDescription", ...).
	State string `json:"state"`
	// Error is what the browser said of a failure (its DOMException
	// message), omitted when empty.
	Error string `json:"error,omitempty"`
}

// Connection event kinds.
const (
	EventICEConnectionState = "iceconnectionstatechange"
	EventConnectionState    = "connectionstatechange"
	EventSignalingState     = "signalingstatechange"
	EventICEGatheringState  = "icegatheringstatechange"
	// EventNegotiationFailure: createOffer, createAnswer,
	// setLocalDescription, setRemoteDescription or addIceCandidate failed.
	EventNegotiationFailure = "negotiationfailure"
)

//go:generate go run ./internal/statgen/cmd/statgen

// Stat is one W3C RTCStats object (https://www.w3.org/TR/webrtc-stats/)
// with the standard field names. Only the fields calltop reads are
// declared; others are ignored. Counters are cumulative. A numeric field
// that is absent decodes as zero.
type Stat struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// Timestamp (ms since the epoch) may be left out when it equals the
	// message's ts; Decode then fills it in.
	Timestamp float64 `json:"timestamp,omitempty"`

	// RTP streams (inbound-rtp, outbound-rtp, remote-inbound-rtp, remote-outbound-rtp).
	SSRC        int64  `json:"ssrc,omitempty"`
	Kind        string `json:"kind,omitempty"`
	MediaType   string `json:"mediaType,omitempty"` // older browsers' name for kind
	TransportID string `json:"transportId,omitempty"`
	CodecID     string `json:"codecId,omitempty"`
	LocalID     string `json:"localId,omitempty"`
	RemoteID    string `json:"remoteId,omitempty"`
	Mid         string `json:"mid,omitempty"`

	BytesReceived   float64 `json:"bytesReceived,omitempty"`
	BytesSent       float64 `json:"bytesSent,omitempty"`
	PacketsReceived float64 `json:"packetsReceived,omitempty"`
	PacketsSent     float64 `json:"packetsSent,omitempty"`
	PacketsLost     float64 `json:"packetsLost,omitempty"`
	Jitter          float64 `json:"jitter,omitempty"`
	RoundTripTime   float64 `json:"roundTripTime,omitempty"`
	FractionLost    float64 `json:"fractionLost,omitempty"`

	JitterBufferDelay        float64 `json:"jitterBufferDelay,omitempty"`
	JitterBufferTargetDelay  float64 `json:"jitterBufferTargetDelay,omitempty"`
	JitterBufferEmittedCount float64 `json:"jitterBufferEmittedCount,omitempty"`

	ConcealedSamples               float64 `json:"concealedSamples,omitempty"`
	SilentConcealedSamples         float64 `json:"silentConcealedSamples,omitempty"`
	TotalSamplesReceived           float64 `json:"totalSamplesReceived,omitempty"`
	InsertedSamplesForDeceleration float64 `json:"insertedSamplesForDeceleration,omitempty"`
	RemovedSamplesForAcceleration  float64 `json:"removedSamplesForAcceleration,omitempty"`

	FramesReceived       float64 `json:"framesReceived,omitempty"`
	FramesDecoded        float64 `json:"framesDecoded,omitempty"`
	FramesDropped        float64 `json:"framesDropped,omitempty"`
	FramesSent           float64 `json:"framesSent,omitempty"`
	FramesEncoded        float64 `json:"framesEncoded,omitempty"`
	FramesPerSecond      float64 `json:"framesPerSecond,omitempty"`
	FrameWidth           float64 `json:"frameWidth,omitempty"`
	FrameHeight          float64 `json:"frameHeight,omitempty"`
	FreezeCount          float64 `json:"freezeCount,omitempty"`
	TotalFreezesDuration float64 `json:"totalFreezesDuration,omitempty"`
	PauseCount           float64 `json:"pauseCount,omitempty"`
	TotalPausesDuration  float64 `json:"totalPausesDuration,omitempty"`
	NackCount            float64 `json:"nackCount,omitempty"`
	PliCount             float64 `json:"pliCount,omitempty"`
	FirCount             float64 `json:"firCount,omitempty"`
	KeyFramesDecoded     float64 `json:"keyFramesDecoded,omitempty"`

	TargetBitrate              float64            `json:"targetBitrate,omitempty"`
	QualityLimitationReason    string             `json:"qualityLimitationReason,omitempty"`
	QualityLimitationDurations map[string]float64 `json:"qualityLimitationDurations,omitempty"`
	RetransmittedBytesSent     float64            `json:"retransmittedBytesSent,omitempty"`

	// media-source and inbound audio.
	TrackIdentifier      string  `json:"trackIdentifier,omitempty"`
	AudioLevel           float64 `json:"audioLevel,omitempty"`
	TotalAudioEnergy     float64 `json:"totalAudioEnergy,omitempty"`
	TotalSamplesDuration float64 `json:"totalSamplesDuration,omitempty"`

	// candidate-pair.
	State                    string  `json:"state,omitempty"`
	Nominated                bool    `json:"nominated,omitempty"`
	Selected                 bool    `json:"selected,omitempty"` // Firefox
	LocalCandidateID         string  `json:"localCandidateId,omitempty"`
	RemoteCandidateID        string  `json:"remoteCandidateId,omitempty"`
	CurrentRoundTripTime     float64 `json:"currentRoundTripTime,omitempty"`
	TotalRoundTripTime       float64 `json:"totalRoundTripTime,omitempty"`
	ResponsesReceived        float64 `json:"responsesReceived,omitempty"`
	AvailableOutgoingBitrate float64 `json:"availableOutgoingBitrate,omitempty"`
	AvailableIncomingBitrate float64 `json:"availableIncomingBitrate,omitempty"`

	// transport.
	SelectedCandidatePairID      string  `json:"selectedCandidatePairId,omitempty"`
	ICEState                     string  `json:"iceState,omitempty"`
	DTLSState                    string  `json:"dtlsState,omitempty"`
	SelectedCandidatePairChanges float64 `json:"selectedCandidatePairChanges,omitempty"`

	// local-candidate, remote-candidate.
	CandidateType string  `json:"candidateType,omitempty"`
	RelayProtocol string  `json:"relayProtocol,omitempty"`
	Protocol      string  `json:"protocol,omitempty"`
	Address       string  `json:"address,omitempty"`
	IP            string  `json:"ip,omitempty"`
	Port          float64 `json:"port,omitempty"`
	NetworkType   string  `json:"networkType,omitempty"`
	URL           string  `json:"url,omitempty"`

	// codec.
	MimeType  string  `json:"mimeType,omitempty"`
	ClockRate float64 `json:"clockRate,omitempty"`
}

// W3C stats object types calltop reads.
const (
	StatInboundRTP       = "inbound-rtp"
	StatOutboundRTP      = "outbound-rtp"
	StatRemoteInboundRTP = "remote-inbound-rtp"
	StatCandidatePair    = "candidate-pair"
	StatLocalCandidate   = "local-candidate"
	StatRemoteCandidate  = "remote-candidate"
	StatTransport        = "transport"
	StatMediaSource      = "media-source"
	StatCodec            = "codec"
)

// MediaKind returns the stream's kind ("audio" or "video"), falling back to
// the older mediaType field.
func (s *Stat) MediaKind() string {
	if s.Kind != "" {
		return s.Kind
	}
	return s.MediaType
}

// DecodeError says why a frame could not be decoded.
type DecodeError struct {
	Reason string
	Err    error
}

// Error implements error.
func (e *DecodeError) Error() string {
	if e.Err != nil {
		return e.Reason + ": " + e.Err.Error()
	}
	return e.Reason
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// ErrUnknownType is returned (wrapped) by Decode for a well-formed frame
// whose type this version does not know; callers ignore such frames.
var ErrUnknownType = errors.New("unknown message type")

// Decode parses one frame into m, which is reset first. It validates what
// each known type needs (ids present, stats routed) and returns a
// *DecodeError naming the problem otherwise. A stats object without a
// timestamp gets the message's ts.
func Decode(data []byte, m *Message) error { return decode(data, m, false) }

func decode(data []byte, m *Message, reuse bool) error {
	*m = Message{}
	if len(data) > MaxFrameBytes {
		return &DecodeError{Reason: fmt.Sprintf("frame of %d bytes exceeds the %d-byte limit", len(data), MaxFrameBytes)}
	}
	err := decodeFast(data, m, reuse)
	if err == errFold { // a key in another case: encoding/json's rules apply
		*m = Message{}
		err = json.Unmarshal(data, m)
	}
	if err != nil {
		return &DecodeError{Reason: "not a calltop.v1 JSON object", Err: err}
	}
	for i := range m.Stats {
		if m.Stats[i].Timestamp == 0 {
			m.Stats[i].Timestamp = m.TS
		}
	}
	return m.Validate()
}

// Validate checks that a decoded message carries what its type needs.
func (m *Message) Validate() error {
	need := func(ok bool, what string) error {
		if ok {
			return nil
		}
		return &DecodeError{Reason: fmt.Sprintf("%s message without %s", m.Type, what)}
	}
	switch m.Type {
	case "":
		return &DecodeError{Reason: "message without a type"}
	case TypeHello:
		return need(m.Version > 0, "a version")
	case TypeSnapshot:
		if m.Part != 0 || m.Parts != 0 {
			if m.Parts < 1 || m.Part < 1 || m.Part > m.Parts {
				return &DecodeError{Reason: fmt.Sprintf("snapshot part %d of %d is out of range", m.Part, m.Parts)}
			}
		}
		for i := range m.Calls {
			if m.Calls[i].ID == "" {
				return &DecodeError{Reason: fmt.Sprintf("snapshot call %d without an id", i)}
			}
			for j := range m.Calls[i].Participants {
				if m.Calls[i].Participants[j].ID == "" {
					return &DecodeError{Reason: fmt.Sprintf("snapshot call %q participant %d without an id", m.Calls[i].ID, j)}
				}
			}
		}
		return nil
	case TypeCallStart, TypeCallUpdate:
		return need(m.Call != nil && m.Call.ID != "", "call.id")
	case TypeCallEnd:
		return need(m.CallID != "", "callId")
	case TypeParticipantJoin, TypeParticipantUpdate:
		if err := need(m.CallID != "", "callId"); err != nil {
			return err
		}
		return need(m.Participant != nil && m.Participant.ID != "", "participant.id")
	case TypeParticipantLeave:
		return need(m.CallID != "" && m.ParticipantID != "", "callId and participantId")
	case TypeStats:
		return need(m.CallID != "" && m.ParticipantID != "" && m.ConnectionID != "", "callId, participantId and connectionId")
	case TypeConnectionEvent:
		if err := need(m.CallID != "" && m.ParticipantID != "" && m.ConnectionID != "", "callId, participantId and connectionId"); err != nil {
			return err
		}
		return need(m.Event != nil && m.Event.Kind != "", "event.kind")
	default:
		return fmt.Errorf("%w %q", ErrUnknownType, m.Type)
	}
}
