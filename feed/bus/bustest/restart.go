package bustest

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// RestartNode stops nodes[i] of a cluster from StartCluster and starts a
// new server on the same client and cluster ports, routed to the other
// nodes, as an operator restarting one node would; it waits until every
// node has its routes again and returns the new server (also put in
// nodes[i]).
func RestartNode(tb testing.TB, nodes []*server.Server, i int) *server.Server {
	tb.Helper()
	old := nodes[i]
	port := old.Addr().(*net.TCPAddr).Port
	clusterPort := old.ClusterAddr().Port
	var routes []string
	for j, s := range nodes {
		if j != i {
			routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", s.ClusterAddr().Port))
		}
	}
	old.Shutdown()
	old.WaitForShutdown()
	opts := server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true,
		Cluster: server.ClusterOpts{Name: "calltop-test", Host: "127.0.0.1", Port: clusterPort},
		Routes:  server.RoutesFromStr(strings.Join(routes, ","))}
	var s *server.Server
	deadline := time.Now().Add(10 * time.Second)
	for { // the old listener's port may take a moment to be free
		o := opts // a copy: the server keeps and changes its own
		var err error
		if s, err = server.NewServer(&o); err != nil {
			tb.Fatal(err)
		}
		go s.Start()
		if s.ReadyForConnections(2 * time.Second) {
			break
		}
		s.Shutdown()
		if time.Now().After(deadline) {
			tb.Fatalf("nats-server on port %d not ready again within 10s", port)
		}
	}
	tb.Cleanup(s.Shutdown)
	nodes[i] = s
	for _, n := range nodes {
		for n.NumRoutes() < len(nodes)-1 {
			if time.Now().After(deadline) {
				tb.Fatalf("cluster not formed again: %s has %d routes of %d", n.Name(), n.NumRoutes(), len(nodes)-1)
			}
			time.Sleep(10 * time.Millisecond) // polling the routes, with a deadline
		}
	}
	return s
}
