package backbonetest

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/nubo-run/nubo/internal/backbone"
)

// Server starts a JetStream server in this process listening on a random
// loopback port, as an external cluster would, stopped when the test ends.
// It returns the server's client URL, for Backbones made with Dial.
func Server(t testing.TB) string {
	t.Helper()
	ns, err := server.NewServer(&server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  t.TempDir(),
		NoSigs:    true,
		NoLog:     true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	return ns.ClientURL()
}

// Dial returns a started Backbone connected to url, closed when the test ends.
func Dial(t testing.TB, url string) *backbone.Backbone {
	t.Helper()
	return DialReplicas(t, url, 1)
}
