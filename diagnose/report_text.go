package diagnose

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// WriteText writes the report as readable text: per call, its facts, each
// participant with their connections and streams, then the findings
// timeline.
func (r Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "calltop report: %s (%s), %d call%s\n", r.Source.Path, r.Source.Format, len(r.Calls), plural(len(r.Calls)))
	if len(r.Calls) > 1 {
		writeSummaryText(bw, r.Calls)
	}
	for i := range r.Calls {
		writeCallText(bw, &r.Calls[i])
	}
	writeFleetText(bw, r.Fleet)
	return bw.Flush()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func writeCallText(w *bufio.Writer, c *ReportCall) {
	end := "ongoing at the end of the data"
	if c.End != nil {
		end = "ended " + clock(c.End.Time)
	}
	fmt.Fprintf(w, "\nCall %s", c.ID)
	if c.Room != "" {
		fmt.Fprintf(w, "  room %s", c.Room)
	}
	fmt.Fprintf(w, "\n  started %s, %s, %s\n", c.Start.UTC().Format(ReportTimeLayout), end,
		(time.Duration(c.DurationSec * float64(time.Second))).Round(time.Second))
	if len(c.Tags) > 0 {
		keys := make([]string, 0, len(c.Tags))
		for k := range c.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+"="+c.Tags[k])
		}
		fmt.Fprintf(w, "  tags: %s\n", strings.Join(parts, " "))
	}
	fmt.Fprintf(w, "  participants:\n")
	for i := range c.Participants {
		writeParticipantText(w, &c.Participants[i])
	}
	writeFindingsText(w, c)
}

func writeFindingsText(w *bufio.Writer, c *ReportCall) {
	if len(c.Findings) == 0 {
		fmt.Fprintf(w, "  findings: none\n")
		return
	}
	fmt.Fprintf(w, "  findings:\n")
	names := map[string]string{}
	for _, p := range c.Participants {
		names[p.ID] = p.Name
	}
	for _, f := range c.Findings {
		who := f.Participant
		if n := names[who]; n != "" {
			who = n + " (" + who + ")"
		}
		until := "still open"
		if f.End != nil {
			until = "until " + clock(f.End.Time) + " (" + f.End.Sub(f.Start.Time).Round(time.Second).String() + ")"
		}
		fmt.Fprintf(w, "    %s  %-8s %-18s %s, %s\n", clock(f.Start.Time), f.Severity, f.Rule, who, until)
		fmt.Fprintf(w, "        %s\n        Advice: %s\n", f.Message, f.Advice)
		var ev []string
		for _, e := range f.Evidence {
			ev = append(ev, fmt.Sprintf("%s %g%s (threshold %g%s)", e.Metric, e.Value, unitSuffix(e.Unit), e.Threshold, unitSuffix(e.Unit)))
		}
		if len(ev) > 0 {
			fmt.Fprintf(w, "        Evidence: %s\n", strings.Join(ev, "; "))
		}
	}
}

func writeParticipantText(w *bufio.Writer, p *ReportParticipant) {
	name := p.Name
	if name == "" {
		name = p.ID
	}
	mos := "MOS n/a"
	if p.MOS != nil {
		mos = fmt.Sprintf("MOS mean %.2f, min %.2f", p.MOS.Mean, p.MOS.Min)
	}
	user := ""
	if p.UserID != "" {
		user = "  user " + p.UserID
	}
	fmt.Fprintf(w, "    %s (%s)%s  %s  %s\n", name, p.ID, user, orDash(Browser(p.UserAgent)), mos)
	for _, cn := range p.Connections {
		path := "never connected"
		if cn.Relay != nil {
			path = cn.LocalCandidateType
			if *cn.Relay {
				path = "relay over " + orDash(cn.RelayProtocol)
			}
		}
		if cn.Failed {
			path += ", FAILED"
		}
		rtt := rttText(&cn)
		fmt.Fprintf(w, "      connection %s: %s, %s; sent %d packets (%d lost), received %d (%d lost)\n",
			cn.ID, path, rtt, cn.PacketsSent, cn.PacketsSentLost, cn.PacketsReceived, cn.PacketsReceivedLost)
		if setup := setupText(cn.ReportSetup); setup != "" {
			fmt.Fprintf(w, "        %s\n", setup)
		}
		for _, s := range cn.Streams {
			fmt.Fprintf(w, "        %-5s %-8s ssrc %-10d %d packets, %d lost, %.0f kbps%s\n",
				s.Kind, s.Direction, s.SSRC, s.Packets, s.PacketsLost, s.MeanBitrateKbps, trackText(s.ReportTrack))
		}
	}
}

func clock(t time.Time) string { return t.UTC().Format("15:04:05.000") }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func unitSuffix(u string) string {
	switch u {
	case "":
		return ""
	case "%":
		return " %"
	}
	return " " + u
}

// rttText is a connection's mean RTT with each source's own mean: the
// selected candidate pair's (ICE) and the remote-inbound one (RTCP).
func rttText(cn *ReportConnection) string {
	if cn.MeanRTTMs == nil {
		return "RTT n/a"
	}
	var src []string
	if cn.SelectedPairRTTMs != nil {
		src = append(src, fmt.Sprintf("selected pair %.0f", *cn.SelectedPairRTTMs))
	}
	if cn.RemoteInboundRTTMs != nil {
		src = append(src, fmt.Sprintf("remote-inbound %.0f", *cn.RemoteInboundRTTMs))
	}
	return fmt.Sprintf("mean RTT %.0f ms (%s)", *cn.MeanRTTMs, strings.Join(src, ", "))
}
