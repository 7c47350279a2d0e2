// Package bustest runs real NATS servers (nats-server, embedded) for the
// tests of hubs on the bus: one server or a routed cluster on loopback
// ports, shut down when the test ends. Tests only; no mocks.
package bustest

import (
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// StartServer runs one NATS server on a free loopback port with opts
// (nil for the defaults); its ClientURL is what hubs connect to.
func StartServer(tb testing.TB, opts *server.Options) *server.Server {
	tb.Helper()
	if opts == nil {
		opts = &server.Options{}
	}
	opts.Host, opts.Port, opts.NoLog, opts.NoSigs = "127.0.0.1", -1, true, true
	s, err := server.NewServer(opts)
	if err != nil {
		tb.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		tb.Fatal("nats-server not ready within 5s")
	}
	tb.Cleanup(s.Shutdown)
	return s
}

// StartCluster runs n NATS servers routed into one cluster and waits until
// each has routes to all the others.
func StartCluster(tb testing.TB, n int) []*server.Server {
	tb.Helper()
	opts := func(routes string) *server.Options {
		o := &server.Options{Cluster: server.ClusterOpts{Name: "calltop-test", Host: "127.0.0.1", Port: -1}}
		if routes != "" {
			o.Routes = server.RoutesFromStr(routes)
		}
		return o
	}
	seed := StartServer(tb, opts(""))
	route := fmt.Sprintf("nats://127.0.0.1:%d", seed.ClusterAddr().Port)
	nodes := []*server.Server{seed}
	for len(nodes) < n {
		nodes = append(nodes, StartServer(tb, opts(route)))
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, s := range nodes {
		for s.NumRoutes() < n-1 {
			if time.Now().After(deadline) {
				tb.Fatalf("cluster not formed: %s has %d routes of %d", s.Name(), s.NumRoutes(), n-1)
			}
			time.Sleep(10 * time.Millisecond) // polling the routes, with a deadline
		}
	}
	return nodes
}
