package dump

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"

	"github.com/calltop/calltop/feed"
)

// TestVisitorStatsLeavesOutTheRest: with Visitor.Stats set, every message
// comes as without it, its stats those of the wanted types, in the same
// order and with the same values, on every format (the getstats fast
// path, legacy goog* stats, webrtc-internals); a sample left with none
// still comes. With reuse, as report reads.
func TestVisitorStatsLeavesOutTheRest(t *testing.T) {
	var names []string
	for _, pat := range []string{"*.rtcstats", "../chromium/*.gz", "../internals-*.json"} {
		m, _ := filepath.Glob(filepath.Join(fixtures, pat))
		names = append(names, m...)
	}
	if len(names) < 10 {
		t.Fatalf("want the real dumps, found %d", len(names))
	}
	emptied := 0
	for _, types := range [][]string{{feed.StatInboundRTP, feed.StatCandidatePair}, {feed.StatMediaSource, feed.StatTransport}} {
		want := func(typ string) bool { return slices.Contains(types, typ) }
		for _, path := range names {
			visit := func(v Visitor) (msgs [][]byte) {
				v.Message = func(m *feed.Message) error {
					if v.Stats == nil && m.Type == feed.TypeStats {
						m.Stats = slices.DeleteFunc(slices.Clone(m.Stats), func(s feed.Stat) bool { return !want(s.Type) })
					}
					if v.Stats != nil && m.Type == feed.TypeStats && len(m.Stats) == 0 {
						emptied++
					}
					b, err := feed.AppendMessage(nil, m)
					msgs = append(msgs, b)
					return err
				}
				if _, err := Visit(path, v); err != nil {
					t.Fatal(err)
				}
				return msgs
			}
			all := visit(Visitor{})
			got := visit(Visitor{Stats: want, Reuse: true})
			if len(got) != len(all) {
				t.Fatalf("%s: %d messages with Stats set, %d without", path, len(got), len(all))
			}
			for i := range all {
				if !bytes.Equal(got[i], all[i]) {
					t.Fatalf("%s: message %d:\n got %.300s\nwant %.300s", path, i, got[i], all[i])
				}
			}
		}
	}
	if emptied == 0 {
		t.Error("no sample was left with no stats: the test does not see that case")
	}
}
