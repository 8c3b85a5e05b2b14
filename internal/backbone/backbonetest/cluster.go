package backbonetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/nubo-run/nubo/internal/backbone"
)

// clusterName is the NATS cluster name of every test cluster.
const clusterName = "nubo-test"

// clusterReady bounds how long a test cluster may take to elect its
// JetStream meta leader.
const clusterReady = 30 * time.Second

// Cluster starts n JetStream servers in this process, clustered with each
// other on loopback as an external --nats-url cluster would be, and returns
// their client URLs once the cluster's JetStream meta group has a leader
// that knows every server. They are shut down when the test ends.
func Cluster(t testing.TB, n int) []string {
	t.Helper()
	urls := make([]string, 0, n)
	for _, s := range ClusterServers(t, n) {
		urls = append(urls, s.ClientURL())
	}
	return urls
}

// ClusterServers is Cluster returning the servers themselves, for tests that
// shut one down (Shutdown, then WaitForShutdown). Server i is named "n<i>".
func ClusterServers(t testing.TB, n int) []*server.Server {
	t.Helper()
	if n < 2 {
		t.Fatalf("backbonetest: a cluster of %d servers (one server is Server)", n)
	}
	// Route ports must be known before any server starts, since each one
	// is configured with routes to all the others.
	ports := make([]string, n)
	for i := range ports {
		ports[i] = FreePort(t)
	}
	servers := make([]*server.Server, n)
	for i := range servers {
		var routes []string
		for j, p := range ports {
			if j != i {
				routes = append(routes, "nats://127.0.0.1:"+p)
			}
		}
		var port int
		if _, err := fmt.Sscan(ports[i], &port); err != nil {
			t.Fatal(err)
		}
		ns, err := server.NewServer(&server.Options{
			ServerName: fmt.Sprintf("n%d", i),
			Host:       "127.0.0.1",
			Port:       server.RANDOM_PORT,
			JetStream:  true,
			StoreDir:   t.TempDir(),
			NoSigs:     true,
			NoLog:      true,
			Cluster: server.ClusterOpts{
				Name: clusterName,
				Host: "127.0.0.1",
				Port: port,
			},
			Routes: server.RoutesFromStr(strings.Join(routes, ",")),
		})
		if err != nil {
			t.Fatalf("backbonetest: cluster server %d: %v", i, err)
		}
		servers[i] = ns
	}
	t.Cleanup(func() { shutdownAll(servers) })
	for _, ns := range servers {
		ns.Start()
	}
	for i, ns := range servers {
		if !ns.ReadyForConnections(10 * time.Second) {
			t.Fatalf("backbonetest: cluster server %d not ready", i)
		}
	}
	if err := waitMetaLeader(servers, clusterReady); err != nil {
		t.Fatal(err)
	}
	return servers
}

// waitMetaLeader polls, bounded, until one server leads the JetStream meta
// group with every server as a peer and every server is current with it.
func waitMetaLeader(servers []*server.Server, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if metaReady(servers) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("backbonetest: no JetStream meta leader over %d servers after %s", len(servers), limit)
		case <-tick.C:
		}
	}
}

func metaReady(servers []*server.Server) bool {
	leaders := 0
	for _, s := range servers {
		if !s.JetStreamIsCurrent() {
			return false
		}
		if s.JetStreamIsLeader() {
			leaders++
			if len(s.JetStreamClusterPeers()) != len(servers) {
				return false
			}
		}
	}
	return leaders == 1
}

// shutdownAll stops every server at once (one by one, each stop would wait
// for the others to elect new leaders).
func shutdownAll(servers []*server.Server) {
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Go(func() {
			s.Shutdown()
			s.WaitForShutdown()
		})
	}
	wg.Wait()
}

// DialReplicas is Dial with the replica count for the streams and buckets
// the Backbone creates (a cluster's --nats-replicas).
func DialReplicas(t testing.TB, url string, replicas int) *backbone.Backbone {
	t.Helper()
	bb, err := backbone.New(backbone.Options{URL: url, Replicas: replicas})
	if err == nil {
		err = bb.Start(context.Background())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bb.Close(context.Background()) })
	return bb
}
