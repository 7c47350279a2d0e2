package diagnose

import (
	"bytes"
	"math"
	"time"
)

// Report is what `calltop report` prints: every call the Monitor saw
// (ended ones too when Options.KeepEnded), with participant and connection
// summaries and the findings timeline. Its JSON form is the contract
// documented in docs/report-json.md.
type Report struct {
	Source ReportSource `json:"source"`
	Calls  []ReportCall `json:"calls"`
	// Fleet is the fleet breakdown (report_fleet.go; nil when nobody).
	Fleet *ReportFleet `json:"fleet,omitempty"`
}

// ReportSource names the file (or feed URL) a report was made from.
type ReportSource struct {
	Path   string `json:"path"`
	Format string `json:"format"`
}

// ReportCall is one call of a report.
type ReportCall struct {
	ID           string              `json:"id"`
	Room         string              `json:"room"`
	Tags         map[string]string   `json:"tags"`
	Start        ReportTime          `json:"start"`
	End          *ReportTime         `json:"end"`
	DurationSec  float64             `json:"durationSec"`
	Participants []ReportParticipant `json:"participants"`
	Findings     []ReportFinding     `json:"findings"`
}

// ReportParticipant is one participant of a reported call.
type ReportParticipant struct {
	ID          string             `json:"id"`
	Name        string             `json:"name"`
	UserAgent   string             `json:"userAgent"`
	MOS         *ReportMOS         `json:"mos"`
	Connections []ReportConnection `json:"connections"`
	UserID      string             `json:"userId"`
}

// ReportMOS summarises a participant's estimated MOS over the call.
type ReportMOS struct {
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
}

// ReportConnection is one peer connection of a reported participant.
type ReportConnection struct {
	ID                  string         `json:"id"`
	Failed              bool           `json:"failed"`
	Relay               *bool          `json:"relay"`
	RelayProtocol       string         `json:"relayProtocol"`
	LocalCandidateType  string         `json:"localCandidateType"`
	MeanRTTMs           *float64       `json:"meanRttMs"`
	SelectedPairRTTMs   *float64       `json:"selectedPairRttMs"`
	RemoteInboundRTTMs  *float64       `json:"remoteInboundRttMs"`
	PacketsSent         int64          `json:"packetsSent"`
	PacketsSentLost     int64          `json:"packetsSentLost"`
	PacketsReceived     int64          `json:"packetsReceived"`
	PacketsReceivedLost int64          `json:"packetsReceivedLost"`
	Streams             []ReportStream `json:"streams"`
	ReportSetup
}

// ReportStream is one RTP stream of a reported connection.
type ReportStream struct {
	SSRC            int64   `json:"ssrc"`
	Kind            string  `json:"kind"`
	Direction       string  `json:"direction"`
	Packets         int64   `json:"packets"`
	PacketsLost     int64   `json:"packetsLost"`
	MeanBitrateKbps float64 `json:"meanBitrateKbps"`
	ReportTrack
}

// ReportFinding is one finding of a reported call.
type ReportFinding struct {
	Rule        string      `json:"rule"`
	Severity    Severity    `json:"severity"`
	Participant string      `json:"participant"`
	Connection  string      `json:"connection"`
	Start       ReportTime  `json:"start"`
	End         *ReportTime `json:"end"`
	Message     string      `json:"message"`
	Advice      string      `json:"advice"`
	Evidence    []Evidence  `json:"evidence"`
}

// ReportTime is a time written as RFC 3339 UTC with milliseconds
// ("2026-01-01T00:00:05.000Z").
type ReportTime struct{ time.Time }

// ReportTimeLayout is the layout of every time in a report.
const ReportTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// MarshalJSON implements json.Marshaler.
func (t ReportTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(ReportTimeLayout) + `"`), nil
}

// UnmarshalJSON implements json.Unmarshaler; it accepts only the report
// layout.
func (t *ReportTime) UnmarshalJSON(b []byte) error {
	v, err := time.Parse(`"`+ReportTimeLayout+`"`, string(bytes.TrimSpace(b)))
	t.Time = v
	return err
}

func reportTime(ms int64) *ReportTime {
	if ms == 0 {
		return nil
	}
	return &ReportTime{msTime(ms)}
}

// report builds Monitor.Report.
func (v views) report() Report {
	r := Report{Calls: []ReportCall{}}
	for _, c := range v.allCalls() {
		r.Calls = append(r.Calls, v.reportCall(c))
	}
	r.Fleet = v.fleetReport()
	return r
}

func (v views) reportCall(c *call) ReportCall {
	end := c.end
	if end == 0 {
		end = max(v.calls.now, c.start)
	}
	rc := ReportCall{ID: Clean(c.id), Room: c.room, Tags: map[string]string{}, Start: ReportTime{msTime(c.start)},
		End: reportTime(c.end), DurationSec: float64(end-c.start) / msPerSecond,
		Participants: []ReportParticipant{}, Findings: []ReportFinding{}}
	for k, v := range c.tags {
		rc.Tags[k] = v
	}
	for _, p := range c.parts {
		rc.Participants = append(rc.Participants, reportParticipant(p))
	}
	fs := make([]Finding, 0, len(c.findings))
	for _, f := range c.findings {
		fs = append(fs, *f)
	}
	sortFindings(fs)
	for _, f := range fs {
		rf := ReportFinding{Rule: f.Rule, Severity: f.Severity, Participant: Clean(f.Subject.ParticipantID),
			Connection: Clean(f.Subject.ConnectionID), Start: ReportTime{f.Start}, Message: f.Message,
			Advice: f.Advice, Evidence: append([]Evidence{}, f.Evidence...)}
		if !f.Open() {
			rf.End = &ReportTime{f.End}
		}
		rc.Findings = append(rc.Findings, rf)
	}
	return rc
}

func reportParticipant(p *participant) ReportParticipant {
	rp := ReportParticipant{ID: Clean(p.id), Name: p.name, UserAgent: p.userAgent, UserID: p.userID, Connections: []ReportConnection{}}
	if p.mosN > 0 {
		rp.MOS = &ReportMOS{Mean: round2(p.mosSum / float64(p.mosN)), Min: round2(p.mosMin)}
	}
	for _, cn := range p.conns {
		rp.Connections = append(rp.Connections, reportConnection(cn))
	}
	return rp
}

func reportConnection(cn *connection) ReportConnection {
	rc := ReportConnection{ID: Clean(cn.id), Failed: cn.failed, RelayProtocol: cn.local.relayProtocol,
		LocalCandidateType: cn.local.typ, Streams: []ReportStream{}, ReportSetup: reportSetup(cn)}
	if cn.everConnected && cn.local.typ != "" {
		relay := cn.local.typ == relayCandidate
		rc.Relay = &relay
	}
	rc.MeanRTTMs = meanMs(cn.rttSum, float64(cn.rttN))
	rc.SelectedPairRTTMs = meanMs(cn.pairRTTSum, float64(cn.pairRTTN))
	rc.RemoteInboundRTTMs = meanMs(cn.remoteRTTSum, float64(cn.remoteRTTN))
	lostOut := map[int64]int64{}
	for _, st := range cn.streams {
		if st.typ == stRemoteInbound {
			lostOut[st.ssrc] = min(lostOut[st.ssrc]+count64(st.total(cLost)), maxCounter)
		}
	}
	for _, st := range cn.streams {
		rs := ReportStream{SSRC: st.ssrc, Kind: st.kind, Packets: count64(st.total(cPackets)), ReportTrack: reportTrack(st)}
		if st.durSum > 0 {
			rs.MeanBitrateKbps = round2(st.bytesSum * 8 / float64(st.durSum) / 1000)
		}
		switch st.typ {
		case stInbound:
			rs.Direction, rs.PacketsLost = "inbound", count64(st.total(cLost))
			rs.LossPct = lossPct(rs.Packets, rs.PacketsLost)
			rc.PacketsReceived += rs.Packets
			rc.PacketsReceivedLost += rs.PacketsLost
		case stOutbound:
			rs.Direction, rs.PacketsLost = "outbound", lostOut[st.ssrc]
			rs.LossPct = lossPct(rs.Packets, rs.PacketsLost)
			rc.PacketsSent += rs.Packets
			rc.PacketsSentLost += rs.PacketsLost
		default:
			continue
		}
		rc.Streams = append(rc.Streams, rs)
	}
	return rc
}

// meanMs is sum/n rounded to 0.01, or nil when n is 0.
func meanMs(sum, n float64) *float64 {
	if n == 0 {
		return nil
	}
	v := round2(sum / n)
	return &v
}

// count64 turns a trusted cumulative total into a count (never negative).
func count64(v float64) int64 {
	if math.IsNaN(v) || v <= 0 {
		return 0
	}
	return int64(math.Round(v))
}
