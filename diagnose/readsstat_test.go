package diagnose_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/dump"
)

// TestReportSameWithReadStatsOnly: a report made from samples holding
// only the stats objects the Monitor reads (ReadsStat, as `calltop report`
// reads dumps) is the report made from every object, on every real dump;
// and leaving out a type ReadsStat names does change it, so the
// comparison can fail.
func TestReportSameWithReadStatsOnly(t *testing.T) {
	var files []string
	for _, pat := range []string{rtcstatsFixtures + "/*.rtcstats", chromiumFixtures + "/*.gz", "../feed/dump/testdata/internals-*.json"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("only %d real dumps found", len(files))
	}
	report := func(path string, stats func(string) bool) string {
		m := diagnose.NewMonitor(diagnose.Options{KeepEnded: true})
		_, err := dump.Visit(path, dump.Visitor{Stats: stats, Message: func(msg *feed.Message) error {
			m.Apply(msg)
			return nil
		}})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b, err := json.Marshal(m.Report())
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	changed := 0
	for _, f := range files {
		all := report(f, nil)
		if read := report(f, diagnose.ReadsStat); read != all {
			t.Errorf("%s: the report from the stats ReadsStat keeps differs from the report from all", filepath.Base(f))
		}
		noInbound := report(f, func(typ string) bool { return diagnose.ReadsStat(typ) && typ != feed.StatInboundRTP })
		if noInbound != all {
			changed++
		}
	}
	if changed == 0 {
		t.Error("leaving inbound-rtp out changed no report: the comparison cannot tell")
	}
	for _, typ := range []string{"codec", "certificate", "remote-candidate", "track", "remote-outbound-rtp"} {
		if diagnose.ReadsStat(typ) {
			t.Errorf("ReadsStat(%q) = true; the Monitor does not read it", typ)
		}
	}
}
