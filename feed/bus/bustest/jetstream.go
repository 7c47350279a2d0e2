package bustest

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// JetCluster is a routed cluster of NATS servers with JetStream, each
// storing in its own directory under the test's TempDir. A node can be
// stopped and started again on the same ports and store (Restart), as an
// operator restarting one node of three would.
type JetCluster struct {
	tb    testing.TB
	Nodes []*server.Server
	opts  []server.Options // each node's options, reused on restart
}

// StartJetCluster runs n NATS servers with JetStream routed into one
// cluster and waits until JetStream has a meta leader every node follows.
func StartJetCluster(tb testing.TB, n int) *JetCluster {
	tb.Helper()
	ports := freePorts(tb, 2*n) // client and cluster ports, fixed so a restarted node comes back where it was
	var routes []string
	for i := range n {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[n+i]))
	}
	c := &JetCluster{tb: tb, Nodes: make([]*server.Server, n)}
	for i := range n {
		c.opts = append(c.opts, server.Options{
			ServerName: fmt.Sprintf("calltop-js-%d", i), Host: "127.0.0.1", Port: ports[i], NoLog: true, NoSigs: true,
			JetStream: true, StoreDir: tb.TempDir(), JetStreamMaxMemory: 64 << 20, JetStreamMaxStore: 1 << 30,
			Cluster: server.ClusterOpts{Name: "calltop-js", Host: "127.0.0.1", Port: ports[n+i]},
			Routes:  server.RoutesFromStr(strings.Join(routes, ",")),
		})
	}
	for i := range n {
		c.Start(i)
	}
	tb.Cleanup(func() {
		for _, s := range c.Nodes {
			if s != nil {
				s.Shutdown()
			}
		}
	})
	c.WaitReady()
	return c
}

// URLs returns the nodes' client URLs, comma-separated (for --nats).
func (c *JetCluster) URLs() string {
	var out []string
	for i := range c.opts {
		out = append(out, fmt.Sprintf("nats://127.0.0.1:%d", c.opts[i].Port))
	}
	return strings.Join(out, ",")
}

// Start starts node i (again) on its ports and store directory.
func (c *JetCluster) Start(i int) {
	c.tb.Helper()
	o := c.opts[i] // a copy: the server keeps and changes its own
	s, err := server.NewServer(&o)
	if err != nil {
		c.tb.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		c.tb.Fatalf("nats-server %s not ready within 10s", o.ServerName)
	}
	c.Nodes[i] = s
}

// Stop shuts node i down and waits until it is gone.
func (c *JetCluster) Stop(i int) {
	c.Nodes[i].Shutdown()
	c.Nodes[i].WaitForShutdown()
}

// Restart stops node i and starts it again with the same store.
func (c *JetCluster) Restart(i int) {
	c.tb.Helper()
	c.Stop(i)
	c.Start(i)
	c.WaitReady()
}

// WaitReady waits until every node is routed to the others and
// JetStream has a meta leader that every node is current with.
func (c *JetCluster) WaitReady() {
	c.tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		leader, current := false, true
		for _, s := range c.Nodes {
			leader = leader || s.JetStreamIsLeader()
			current = current && s.JetStreamIsCurrent() && s.NumRoutes() >= len(c.Nodes)-1
		}
		if leader && current {
			return
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("JetStream cluster not ready within 30s (leader %v, all current %v)", leader, current)
		}
		time.Sleep(20 * time.Millisecond) // polling the cluster's state, with a deadline
	}
}

// freePorts returns n loopback TCP ports free at the time of asking.
func freePorts(tb testing.TB, n int) []int {
	tb.Helper()
	var lns []net.Listener
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}
