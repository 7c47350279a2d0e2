package bus

import (
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// startCluster runs three real NATS servers routed into one cluster and
// waits until each has routes to the other two.
func startCluster(t *testing.T) []*server.Server {
	t.Helper()
	cluster := func(routes string) *server.Options {
		o := &server.Options{Cluster: server.ClusterOpts{Name: "calltop-test", Host: "127.0.0.1", Port: -1}}
		if routes != "" {
			o.Routes = server.RoutesFromStr(routes)
		}
		return o
	}
	seed := startNATS(t, cluster(""))
	seedRoute := fmt.Sprintf("nats://127.0.0.1:%d", seed.ClusterAddr().Port)
	nodes := []*server.Server{seed, startNATS(t, cluster(seedRoute)), startNATS(t, cluster(seedRoute))}
	deadline := time.Now().Add(10 * time.Second)
	for _, s := range nodes {
		for s.NumRoutes() < 2 {
			if time.Now().After(deadline) {
				t.Fatalf("cluster not formed: %s has %d routes", s.Name(), s.NumRoutes())
			}
			time.Sleep(10 * time.Millisecond) // polling the routes, with a deadline
		}
	}
	return nodes
}

func TestAHubOnEachNodeOfAClusterSeesEveryCall(t *testing.T) {
	if testing.Short() {
		t.Skip("a 3-node cluster: not in -short")
	}
	nodes := startCluster(t)
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
	// The hub on node 0 leaves: the others end its calls.
	hubs[0].leave()
	w := watch(t, hubs[2].URL())
	w.untilCalls(want[2:]...)
	w.untilGone(want[:2]...)
}
