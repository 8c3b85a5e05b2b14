package functions

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// TestRegistryCurrent checks the invoke path's in-memory configurations:
// a node sees its own writes at once and another node's once its watcher
// delivers them, including deletes and re-creates.
func TestRegistryCurrent(t *testing.T) {
	ctx := context.Background()
	bb := backbonetest.New(t)
	nodes := []*registry{newRegistry(bb, t.TempDir()), newRegistry(bb, t.TempDir())}
	for _, r := range nodes {
		if err := r.start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.close)
	}
	a, b := nodes[0], nodes[1]
	eventually := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	env := func(r *registry) string {
		c, err := r.current(ctx, "fn")
		if err != nil {
			return "error: " + err.Error()
		}
		return c.Environment["V"]
	}

	if err := a.create(ctx, &Config{Name: "fn", Runtime: "provided.al2023", Environment: map[string]string{"V": "1"}, RevisionID: "r1"}); err != nil {
		t.Fatal(err)
	}
	if got := env(a); got != "1" {
		t.Fatalf("creating node reads %q, want 1", got)
	}
	eventually("the other node to see the function", func() bool { return env(b) == "1" })

	for i, v := range []string{"2", "3", "4"} {
		if _, err := a.update(ctx, "fn", func(c *Config) error { c.Environment = map[string]string{"V": v}; return nil }); err != nil {
			t.Fatal(err)
		}
		if got := env(a); got != v {
			t.Fatalf("update %d: writing node reads %q, want %q (read-your-writes)", i, got, v)
		}
	}
	eventually("the other node to see the last update", func() bool { return env(b) == "4" })

	// The caller's copy is its own.
	c, err := a.current(ctx, "fn")
	if err != nil {
		t.Fatal(err)
	}
	c.CodeDir, c.Runtime = "/elsewhere", "changed"
	if c2, _ := a.current(ctx, "fn"); c2.CodeDir != "" || c2.Runtime != "provided.al2023" {
		t.Fatalf("a caller's change leaked into the cache: %+v", c2)
	}

	if _, err := b.remove(ctx, "fn"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.current(ctx, "fn"); !errors.Is(err, ErrFunctionNotFound) {
		t.Fatalf("deleting node: %v, want ErrFunctionNotFound", err)
	}
	eventually("the other node to see the delete", func() bool {
		_, err := a.current(ctx, "fn")
		return errors.Is(err, ErrFunctionNotFound)
	})

	if err := b.create(ctx, &Config{Name: "fn", Runtime: "provided.al2023", Environment: map[string]string{"V": "again"}}); err != nil {
		t.Fatal(err)
	}
	if got := env(b); got != "again" {
		t.Fatalf("re-created: %q", got)
	}
	eventually("the other node to see the re-created function", func() bool { return env(a) == "again" })
}

func TestRegistryCurrentWithoutWatcher(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(backbonetest.New(t), t.TempDir())
	if err := r.start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.create(ctx, &Config{Name: "fn", Environment: map[string]string{"V": "1"}}); err != nil {
		t.Fatal(err)
	}
	r.close() // the cache is off: reads go to KV
	if _, err := r.update(ctx, "fn", func(c *Config) error { c.Environment = map[string]string{"V": "2"}; return nil }); err != nil {
		t.Fatal(err)
	}
	c, err := r.current(ctx, "fn")
	if err != nil || c.Environment["V"] != "2" {
		t.Fatalf("after close: %+v, %v", c, err)
	}
}
