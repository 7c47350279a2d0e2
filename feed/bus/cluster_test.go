package bus

import (
	"fmt"
	"testing"
	"time"

	"github.com/calltop/calltop/feed/bus/bustest"
)

func TestAHubOnEachNodeOfAClusterSeesEveryCall(t *testing.T) {
	if testing.Short() {
		t.Skip("a 3-node cluster: not in -short")
	}
	nodes := bustest.StartCluster(t, 3)
	var hubs []*busHub
	var want []string
	ts := float64(time.Now().UnixMilli())
	for i, s := range nodes {
		id := fmt.Sprintf("hub-%d", i)
		bh := startBusHub(t, s.ClientURL(), id)
		hubs = append(hubs, bh)
		for c := range 2 {
			startCall(t, bh, fmt.Sprintf("call-%d", c), ts, "p")
			want = append(want, fmt.Sprintf("%s/call-%d", id, c))
		}
	}
	for _, bh := range hubs {
		watch(t, bh.URL()).untilCalls(want...)
	}
	// The hub on node 0 leaves: the others mark its calls lost, then end
	// them.
	hubs[0].leave()
	w := watch(t, hubs[2].URL())
	w.untilCalls(want[2:]...)
	w.untilLost(true, want[:2]...)
	w.untilGone(want[:2]...)
}
