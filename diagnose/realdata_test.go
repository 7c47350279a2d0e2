package diagnose_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/dump"
)

// Real dumps replayed through the report path (dump.Load -> feed.Decode
// -> Monitor -> Report). Each case lists the findings the data supports
// (must be there) and the false alarms that used to be raised (must not
// be), so the test fails both when a rule goes deaf and when it goes back
// to crying wolf. What each expected finding is, from the raw samples:
//
//   - Firefox: the bridge sent ~790 PLIs in 22 s (outbound pliCount
//     32 -> 822, 16:43:14-16:43:36): one keyframe-storm episode; a newly
//     joined remote video (ssrc 2047229442) decoded 2-5 fps for ~35 s:
//     video-poor.
//   - Safari: outbound audio stopped at 16:46:24 while video kept sending
//     for 24 s more and no connection closed: no-media-outbound is real,
//     not teardown. Its media-source has no audioLevel or energy at all.
//   - legacy Chrome: after the peer-to-peer connection closed, remote
//     videos on the bridge ran at 1-8 fps for a minute (ramp-ups and
//     Jitsi's 7.5 fps thumbnail layer): video-poor.
//   - Chrome 99 p2p: nothing; the concealment and low MOS it used to show
//     came from remote streams in DTX or stopping (no packet lost).
const rtcstatsFixtures = "../feed/dump/testdata/rtcstats"

// chromiumFixtures are real chrome://webrtc-internals dumps of induced
// problems (scripts/chromium/README.md).
const chromiumFixtures = "../feed/dump/testdata/chromium"

type realCase struct {
	file string
	want []string // rule@connection that must be reported
	none []string // rules that must not be reported at all
}

var realCases = []realCase{
	{file: rtcstatsFixtures + "/firefox-standard-stats-sfu.rtcstats",
		want: []string{"keyframe-storm@PC_0", "video-poor@PC_0"},
		none: []string{"no-media-inbound", "no-media-outbound", "mic-silent"}},
	{file: rtcstatsFixtures + "/safari-standard-stats.rtcstats",
		want: []string{"no-media-outbound@PC_0"},
		none: []string{"no-media-inbound", "mic-silent"}},
	{file: rtcstatsFixtures + "/google-legacy-stats-p2p.rtcstats",
		want: []string{"video-poor@PC_0"},
		none: []string{"no-media-inbound", "no-media-outbound", "mic-silent"}},
	{file: rtcstatsFixtures + "/google-standard-stats-p2p.rtcstats",
		none: []string{"no-media-inbound", "no-media-outbound", "mic-silent", "concealment-high", "mos-low", "video-poor"}},
	{file: chromiumFixtures + "/clean.json.gz",
		none: allRules},
	{file: chromiumFixtures + "/mic-off.json.gz",
		want: []string{"mic-silent@"},
		none: []string{"no-media-inbound", "no-media-outbound"}},
	{file: chromiumFixtures + "/pc-close.json.gz",
		want: []string{"no-media-inbound@", "ice-disconnected@", "ice-failed@"},
		none: []string{"no-media-outbound", "mic-silent"}},
	{file: chromiumFixtures + "/several-then-failed.json.gz",
		want: []string{"bandwidth-limited@", "mic-silent@", "no-media-inbound@", "ice-disconnected@", "ice-failed@"},
		none: []string{"no-media-outbound"}},
}

var allRules = []string{
	diagnose.RuleLossInbound, diagnose.RuleLossOutbound, diagnose.RuleRTTHigh, diagnose.RuleJitterHigh,
	diagnose.RuleMOSLow, diagnose.RuleConcealmentHigh, diagnose.RuleNoMediaInbound, diagnose.RuleNoMediaOutbound,
	diagnose.RuleMicSilent, diagnose.RuleICEDisconnected, diagnose.RuleICEFailed, diagnose.RuleSlowSetup,
	diagnose.RulePathFlapping, diagnose.RuleRelayTCP, diagnose.RuleBandwidthLow, diagnose.RuleBandwidthLimited,
	diagnose.RuleCPULimited, diagnose.RuleVideoFreeze, diagnose.RuleVideoPoor, diagnose.RuleKeyframeStorm,
}

// replayFile runs a recording or dump through the same path as
// `calltop report FILE`.
func replayFile(t *testing.T, path string) diagnose.Report {
	t.Helper()
	loaded, err := dump.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	_, rep := replayLoaded(t, path, loaded)
	return rep
}

// replayLoaded runs a loaded recording or dump through a Monitor kept for
// a report, and returns it with its report.
func replayLoaded(t *testing.T, name string, loaded *dump.Loaded) (*diagnose.Monitor, diagnose.Report) {
	t.Helper()
	m := diagnose.NewMonitor(diagnose.Options{KeepEnded: true})
	for i := range loaded.Records {
		var msg feed.Message
		if err := feed.Decode(loaded.Records[i].Msg, &msg); err != nil {
			if errors.Is(err, feed.ErrUnknownType) {
				continue
			}
			t.Fatalf("%s: frame %d: %v", name, i+1, err)
		}
		m.Apply(&msg)
	}
	return m, m.Report()
}

func TestRealDumpsFindings(t *testing.T) {
	for _, tc := range realCases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			rep := replayFile(t, tc.file)
			if len(rep.Calls) != 1 {
				t.Fatalf("%d calls, want 1", len(rep.Calls))
			}
			var got []string
			count := map[string]int{}
			for _, f := range rep.Calls[0].Findings {
				got = append(got, f.Rule+"@"+f.Connection+" "+f.Start.Format("15:04:05"))
				count[f.Rule]++
			}
			for _, w := range tc.want {
				rule, conn, _ := strings.Cut(w, "@")
				found := false
				for _, f := range rep.Calls[0].Findings {
					found = found || (f.Rule == rule && (conn == "" || f.Connection == conn))
				}
				if !found {
					t.Errorf("missing %s; findings: %v", w, got)
				}
			}
			for _, rule := range tc.none {
				if count[rule] > 0 {
					t.Errorf("false alarm %s; findings: %v", rule, got)
				}
			}
			// One episode, one finding: no rule repeats within a real call
			// here (a repeat was the PLI window's gap or a second connection).
			for rule, n := range count {
				if n > 1 {
					t.Errorf("%s reported %d times; findings: %v", rule, n, got)
				}
			}
		})
	}
}

// Repeated short freezes in real dumps: in chromium/bitrate-cap the
// capped sender's video froze 4 times in about 3 s (freezeCount 0 -> 2 ->
// 3 -> 4, totalFreezesDuration 0.61, 1.015, 1.438 s, polled every second);
// in the Safari rtcstats dump a remote video froze 3 more times within 9 s
// of a first freeze (freezeCount 1 -> 4, 0.312 -> 1.051 s, polled every
// 3 s), never 30 % of a sample, so only the repeated-freezes condition
// sees it.
func TestRealDumpsRepeatedFreezes(t *testing.T) {
	for file, want := range map[string]string{
		chromiumFixtures + "/bitrate-cap.json.gz":            "froze 4 times in the last 10 s, 1.4 s in all.",
		rtcstatsFixtures + "/safari-standard-stats.rtcstats": "froze 4 times in the last 10 s, 1.1 s in all.",
	} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var got []string
			for _, f := range replayFile(t, file).Calls[0].Findings {
				if f.Rule == diagnose.RuleVideoFreeze {
					got = append(got, f.Message)
				}
			}
			if len(got) != 1 || !strings.HasSuffix(got[0], want) {
				t.Errorf("video-freeze findings %q, want one ending %q", got, want)
			}
		})
	}
}
