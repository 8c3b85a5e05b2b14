package backbone_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

func TestEmbeddedKVSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	bb, err := backbone.New(backbone.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := bb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	kv, err := bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "k", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if err := bb.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := bb.Close(ctx); err != nil { // idempotent
		t.Fatal(err)
	}

	bb2 := backbonetest.NewAt(t, dir)
	kv2, err := bb2.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: "t"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv2.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if string(e.Value()) != "v1" {
		t.Fatalf("got %q after restart, want v1", e.Value())
	}
}

func TestNewRequiresDataOrURL(t *testing.T) {
	if _, err := backbone.New(backbone.Options{}); err == nil {
		t.Fatal("want an error without data dir or URL")
	}
}

// TestExternalServer runs against a separately started nats-server process
// (built from the module we already depend on) on a random loopback port.
func TestExternalServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a nats-server process")
	}
	bin := filepath.Join(t.TempDir(), "nats-server")
	build := exec.Command("go", "build", "-o", bin, "github.com/nats-io/nats-server/v2")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("build nats-server: %v", err)
	}
	port := backbonetest.FreePort(t)
	srv := exec.Command(bin, "-js", "-a", "127.0.0.1", "-p", port, "-sd", t.TempDir())
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })

	ctx := context.Background()
	var bb *backbone.Backbone
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := backbone.New(backbone.Options{URL: "nats://127.0.0.1:" + port})
		if err != nil {
			t.Fatal(err)
		}
		if err = b.Start(ctx); err == nil {
			bb = b
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("external server never answered: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() { _ = bb.Close(ctx) })
	if bb.Embedded() {
		t.Fatal("Embedded() with a URL")
	}
	kv, err := bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: "ext"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "a", []byte("b")); err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(ctx, "a")
	if err != nil || string(e.Value()) != "b" {
		t.Fatalf("get: %v %v", e, err)
	}
}
