// Package backbonetest starts a real embedded JetStream for tests.
package backbonetest

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone"
)

// New returns a started Backbone on a temp data dir, closed when the test ends.
func New(t testing.TB) *backbone.Backbone {
	t.Helper()
	return NewAt(t, t.TempDir())
}

// NewAt is New on a given data dir (for restart tests).
func NewAt(t testing.TB, dir string) *backbone.Backbone {
	t.Helper()
	bb, err := backbone.New(backbone.Options{DataDir: dir, StartTimeout: 10 * time.Second})
	if err == nil {
		err = bb.Start(context.Background())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bb.Close(context.Background()) })
	return bb
}

// FreePort returns a free TCP port on 127.0.0.1 as a string.
func FreePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, p, _ := net.SplitHostPort(l.Addr().String())
	return p
}
