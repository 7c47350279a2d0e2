package dump

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtures holds real rtcstats dumps (MIT, from jitsi/rtcstats-server; see
// testdata/rtcstats/README.md for where each came from and its LICENSE).
const fixtures = "testdata/rtcstats"

// rttTolerance: the oracle rounds meanRtt to two decimals (10 ms steps),
// so any mean within 5 ms of it rounds to the same value.
const rttTolerance = 0.005

// oracle is the part of a .features.json file the tests compare with.
type oracle []struct {
	Features struct {
		Aggregates map[string]struct {
			ConnectionFailed  bool `json:"connectionFailed"`
			UsesRelay         bool `json:"usesRelay"`
			CandidatePairData struct {
				ID                 string `json:"id"`
				LocalCandidateType string `json:"localCandidateType"`
			} `json:"candidatePairData"`
			TrackAggregates struct {
				TotalPacketsReceived     float64 `json:"totalPacketsReceived"`
				TotalReceivedPacketsLost float64 `json:"totalReceivedPacketsLost"`
				TotalPacketsSent         float64 `json:"totalPacketsSent"`
				TotalSentPacketsLost     float64 `json:"totalSentPacketsLost"`
			} `json:"trackAggregates"`
			TransportAggregates struct {
				MeanRtt *float64 `json:"meanRtt"`
			} `json:"transportAggregates"`
			Tracks struct {
				ReceiverTracks []oracleTrack `json:"receiverTracks"`
			} `json:"tracks"`
		} `json:"aggregates"`
	} `json:"features"`
}

type oracleTrack struct {
	SSRC        int64   `json:"ssrc"`
	Packets     float64 `json:"packets"`
	PacketsLost float64 `json:"packetsLost"`
}

func loadOracle(t *testing.T, name string) oracle {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name+".features.json"))
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	var o oracle
	if err := json.Unmarshal(data, &o); err != nil || len(o) == 0 {
		t.Fatalf("oracle %s: %v", name, err)
	}
	return o
}

// oracleCase is one shared fixture with its oracle.
type oracleCase struct {
	name, statsFormat string
	// remoteInboundAsReceived: rtcstats-server's extractor counts Firefox's
	// remote-inbound-rtp reports (the bridge's view of what this browser
	// SENT, which Firefox gives a packetsReceived field) as received
	// tracks, and reports 0 packets for the sender tracks. So its
	// totalPacketsReceived is too high by exactly those tracks and its
	// totalPacketsSent of 0 is wrong.
	remoteInboundAsReceived bool
}

var oracleCases = []oracleCase{
	{name: "google-standard-stats-p2p", statsFormat: "chrome_standard"},
	{name: "safari-standard-stats", statsFormat: "safari"},
	{name: "firefox-standard-stats-sfu", statsFormat: "firefox", remoteInboundAsReceived: true},
}

// connResult is what is compared with the oracle for one connection,
// whoever computed it (this package's replay summary or calltop report).
type connResult struct {
	Failed, Relay                bool
	LocalCandidate, SelectedPair string // SelectedPair "" when not known
	Received, ReceivedLost       float64
	Sent, SentLost               float64
	MeanRTT                      float64 // seconds
	HasRTT                       bool
	Outbound                     map[int64]float64 // ssrc -> packets sent
}

func (c *connSummary) result() connResult {
	p, _ := c.selectedPair()
	r := connResult{Failed: c.Failed, Relay: c.Relay, LocalCandidate: c.LocalCandidate, SelectedPair: p.ID,
		Received: c.PacketsReceived, ReceivedLost: c.PacketsLostIn, Sent: c.PacketsSent, SentLost: c.PacketsLostOut,
		MeanRTT: c.MeanRTT, HasRTT: c.RTTSamples > 0, Outbound: map[int64]float64{}}
	for ssrc, s := range c.outbound {
		r.Outbound[ssrc] = s.PacketsSent
	}
	return r
}

// checkOracle compares every connection of a fixture with the oracle:
// failure, relay, the selected path, packet totals exactly (but for the
// documented quirk) and the mean RTT within rttTol seconds.
func checkOracle(t *testing.T, tc oracleCase, conns map[string]connResult, rttTol float64) {
	t.Helper()
	o := loadOracle(t, tc.name)
	if len(conns) != len(o[0].Features.Aggregates) {
		t.Errorf("%d connections, oracle has %d", len(conns), len(o[0].Features.Aggregates))
	}
	for pc, want := range o[0].Features.Aggregates {
		c, ok := conns[pc]
		if !ok {
			t.Errorf("%s: connection missing", pc)
			continue
		}
		if c.Failed != want.ConnectionFailed || c.Relay != want.UsesRelay {
			t.Errorf("%s: failed=%v relay=%v, oracle failed=%v relay=%v", pc, c.Failed, c.Relay, want.ConnectionFailed, want.UsesRelay)
		}
		if c.LocalCandidate != want.CandidatePairData.LocalCandidateType {
			t.Errorf("%s: selected local candidate %q, oracle %q", pc, c.LocalCandidate, want.CandidatePairData.LocalCandidateType)
		}
		if c.SelectedPair != "" && c.SelectedPair != want.CandidatePairData.ID {
			t.Errorf("%s: selected pair %q, oracle %q", pc, c.SelectedPair, want.CandidatePairData.ID)
		}
		ta := want.TrackAggregates
		wantRecv, wantRecvLost, wantSent := ta.TotalPacketsReceived, ta.TotalReceivedPacketsLost, ta.TotalPacketsSent
		if tc.remoteInboundAsReceived {
			wantRecv, wantRecvLost = checkRemoteInboundQuirk(t, pc, c, want.Tracks.ReceiverTracks, wantRecv, wantRecvLost)
			wantSent = c.Sent // checked against the far end's counts above
		}
		if c.Received != wantRecv || c.ReceivedLost != wantRecvLost || c.Sent != wantSent || c.SentLost != ta.TotalSentPacketsLost {
			t.Errorf("%s: received %v lost %v sent %v lost %v; oracle %v %v %v %v", pc,
				c.Received, c.ReceivedLost, c.Sent, c.SentLost, wantRecv, wantRecvLost, wantSent, ta.TotalSentPacketsLost)
		}
		if c.Received == 0 {
			t.Errorf("%s: no packets received at all", pc)
		}
		if m := want.TransportAggregates.MeanRtt; m != nil {
			t.Logf("%s: mean RTT %.4f s, oracle %.2f s", pc, c.MeanRTT, *m)
			if !c.HasRTT || math.Abs(c.MeanRTT-*m) > rttTol+1e-9 {
				t.Errorf("%s: mean RTT %.4f s (measured: %v), oracle %.2f s (tolerance %v s)", pc, c.MeanRTT, c.HasRTT, *m, rttTol)
			}
		}
	}
}

func TestRTCStatsFixturesAgainstOracle(t *testing.T) {
	for _, tc := range oracleCases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Load(filepath.Join(fixtures, tc.name+".rtcstats"))
			if err != nil {
				t.Fatal(err)
			}
			if l.Format != FormatRTCStats || len(l.Problems) != 0 {
				t.Fatalf("format %q, problems %v; want rtcstats and none", l.Format, l.Problems)
			}
			conns, msgs := replay(t, l.Records)
			if got := msgs[0].Call.Tags["statsFormat"]; got != tc.statsFormat {
				t.Errorf("statsFormat tag %q, want %q", got, tc.statsFormat)
			}
			// Every one of these dumps names its Jitsi deployment.
			tags := msgs[0].Call.Tags
			if tags["app"] != "Jitsi Meet" || tags["environment"] != "lonely" || tags["shard"] != "hcv-lonely-andreig2" || tags["region"] != "eu-west-1" {
				t.Errorf("deployment tags %v", tags)
			}
			if _, ok := tags["appVersion"]; ok {
				t.Errorf("appVersion %q from an empty releaseNumber", tags["appVersion"])
			}
			results := map[string]connResult{}
			for id, c := range conns {
				results[id] = c.result()
				for ssrc, s := range c.remoteIn {
					if s.MediaKind() == "" { // Safari writes kind "": it comes from the local stream
						t.Errorf("%s: remote-inbound-rtp %d without a kind", id, ssrc)
					}
				}
			}
			checkOracle(t, tc, results, rttTolerance)
		})
	}
}

// checkRemoteInboundQuirk removes from the oracle's received totals the
// tracks that are really this browser's outbound streams, checks that each
// such stream sent at least what the far end received, and that the far
// end's count is within 5 % of it (its reports lag by an RTCP interval),
// and returns the corrected received totals.
func checkRemoteInboundQuirk(t *testing.T, pc string, c connResult, tracks []oracleTrack, recv, lost float64) (float64, float64) {
	t.Helper()
	moved := 0
	for _, tr := range tracks {
		sent, ok := c.Outbound[tr.SSRC]
		if !ok {
			continue
		}
		moved++
		recv -= tr.Packets
		lost -= tr.PacketsLost
		if sent < tr.Packets || tr.Packets < sent*0.95 {
			t.Errorf("%s: ssrc %d sent %v packets, the far end received %v", pc, tr.SSRC, sent, tr.Packets)
		}
	}
	if moved == 0 || moved != len(c.Outbound) {
		t.Errorf("%s: expected the oracle to list each of our %d outbound streams as received, found %d", pc, len(c.Outbound), moved)
	}
	return recv, lost
}

// lastRawValues reads an rtcstats file independently of the importer: with
// delta compression, the last value written for a field of an id is its
// final value. It returns pc -> id -> field -> last value.
func lastRawValues(t *testing.T, path string, fields ...string) map[string]map[string]map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string]map[string]float64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var line []json.RawMessage
		if json.Unmarshal(sc.Bytes(), &line) != nil || len(line) < 3 || !strings.Contains(string(line[0]), "getstats") {
			continue
		}
		var pc string
		var reports map[string]json.RawMessage
		_ = json.Unmarshal(line[1], &pc)
		_ = json.Unmarshal(line[2], &reports)
		for id, raw := range reports {
			var obj map[string]any
			if json.Unmarshal(raw, &obj) != nil {
				continue
			}
			for _, field := range fields {
				v, ok := asNumber(obj[field])
				if !ok {
					continue
				}
				if out[pc] == nil {
					out[pc] = map[string]map[string]float64{}
				}
				if out[pc][id] == nil {
					out[pc][id] = map[string]float64{}
				}
				out[pc][id][field] = v
			}
		}
	}
	return out
}

func TestRTCStatsLegacyFixture(t *testing.T) {
	path := filepath.Join(fixtures, "google-legacy-stats-p2p.rtcstats")
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != FormatRTCStatsLegacy || len(l.Problems) != 0 {
		t.Fatalf("format %q problems %v; want rtcstats-legacy and none", l.Format, l.Problems)
	}
	conns, _ := replay(t, l.Records)
	raw := lastRawValues(t, path, "packetsReceived", "packetsSent", "packetsLost", "googRtt")
	if len(conns) != 2 || len(raw) != 2 {
		t.Fatalf("%d connections (raw %d), want 2", len(conns), len(raw))
	}
	for pc, ids := range raw {
		var recv, recvLost, sent, sentLost float64
		for id, v := range ids {
			switch {
			case strings.HasSuffix(id, "_recv"):
				recv += v["packetsReceived"]
				recvLost += v["packetsLost"]
			case strings.HasSuffix(id, "_send"):
				sent += v["packetsSent"]
				sentLost += v["packetsLost"]
			}
		}
		c := conns[pc]
		if c == nil {
			t.Fatalf("%s missing", pc)
		}
		if c.PacketsReceived != recv || c.PacketsLostIn != recvLost || c.PacketsSent != sent || c.PacketsLostOut != sentLost {
			t.Errorf("%s: received %v lost %v sent %v lost %v; the raw file says %v %v %v %v", pc,
				c.PacketsReceived, c.PacketsLostIn, c.PacketsSent, c.PacketsLostOut, recv, recvLost, sent, sentLost)
		}
		if recv == 0 || sent == 0 {
			t.Errorf("%s: a legacy connection with no media (recv %v sent %v)", pc, recv, sent)
		}
		// The active pair's googRtt is the connection RTT, in ms.
		p, ok := c.selectedPair()
		if !ok || c.Relay || c.LocalCandidate == "" {
			t.Errorf("%s: selected pair %v found=%v relay=%v local %q", pc, p.ID, ok, c.Relay, c.LocalCandidate)
		}
		if rtt := ids[p.ID]["googRtt"] / 1000; p.CurrentRoundTripTime != rtt {
			t.Errorf("%s: final pair RTT %v s, the raw googRtt says %v s", pc, p.CurrentRoundTripTime, rtt)
		}
		if c.Failed {
			t.Errorf("%s: marked failed; its states were %v", pc, c.States)
		}
	}
}
