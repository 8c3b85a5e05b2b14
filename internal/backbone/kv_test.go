package backbone_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

type counter struct {
	N int `json:"n"`
}

func openCounters(t *testing.T, bb *backbone.Backbone) *backbone.KV[counter] {
	t.Helper()
	kv, err := backbone.OpenKV[counter](context.Background(), bb, jetstream.KeyValueConfig{Bucket: "counters", History: 1})
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

func increment(cur *counter, exists bool) (*counter, error) {
	if !exists {
		cur = &counter{}
	}
	cur.N++
	return cur, nil
}

// incrementAll runs n goroutines that each add one to key through Modify.
func incrementAll(t *testing.T, kvs []*backbone.KV[counter], key string, n int) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			if _, err := kvs[i%len(kvs)].Modify(ctx, key, increment); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestModifyConcurrentIncrements(t *testing.T) {
	kv := openCounters(t, backbonetest.New(t))
	const n = 24
	incrementAll(t, []*backbone.KV[counter]{kv}, "hits", n)
	got, _, err := kv.Get(context.Background(), "hits")
	if err != nil {
		t.Fatal(err)
	}
	if got.N != n {
		t.Fatalf("after %d concurrent increments the counter is %d", n, got.N)
	}
}

func TestModifyGivesUpAfterTheBound(t *testing.T) {
	ctx := context.Background()
	kv := openCounters(t, backbonetest.New(t))
	if _, err := kv.Put(ctx, "k", &counter{}); err != nil {
		t.Fatal(err)
	}
	calls := 0
	_, err := kv.Modify(ctx, "k", func(cur *counter, exists bool) (*counter, error) {
		calls++
		// Another writer changes the key after every read.
		if _, err := kv.Put(ctx, "k", &counter{N: 100 + calls}); err != nil {
			return nil, err
		}
		cur.N++
		return cur, nil
	})
	if !errors.Is(err, backbone.ErrTooManyConflicts) {
		t.Fatalf("err = %v, want ErrTooManyConflicts", err)
	}
	if calls != backbone.MaxModifyAttempts {
		t.Fatalf("fn ran %d times, want %d", calls, backbone.MaxModifyAttempts)
	}
	got, _, err := kv.Get(ctx, "k")
	if err != nil || got.N != 100+calls {
		t.Fatalf("the other writer's value was overwritten: %+v %v", got, err)
	}
}

func TestModifyCreatesDeletesAndPassesErrorsThrough(t *testing.T) {
	ctx := context.Background()
	kv := openCounters(t, backbonetest.New(t))
	e, err := kv.Modify(ctx, "k", increment)
	if err != nil || e.Value.N != 1 || e.Revision == 0 {
		t.Fatalf("create through Modify: %+v %v", e, err)
	}
	refused := errors.New("refused")
	if _, err := kv.Modify(ctx, "k", func(*counter, bool) (*counter, error) { return nil, refused }); err != refused {
		t.Fatalf("fn's error came back as %v", err)
	}
	d, err := kv.Modify(ctx, "k", func(*counter, bool) (*counter, error) { return nil, nil })
	if err != nil || !d.Deleted || d.Revision != e.Revision {
		t.Fatalf("delete through Modify: %+v %v", d, err)
	}
	if _, _, err := kv.Get(ctx, "k"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	e, err = kv.Modify(ctx, "k", increment)
	if err != nil || e.Value.N != 1 {
		t.Fatalf("create after delete: %+v %v", e, err)
	}
}

func TestCreateUpdateConflicts(t *testing.T) {
	ctx := context.Background()
	kv := openCounters(t, backbonetest.New(t))
	rev, err := kv.Create(ctx, "k", &counter{N: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(ctx, "k", &counter{N: 2}); !errors.Is(err, jetstream.ErrKeyExists) || !backbone.IsConflict(err) {
		t.Fatalf("second create: %v", err)
	}
	if _, err := kv.Update(ctx, "k", &counter{N: 2}, rev); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Update(ctx, "k", &counter{N: 3}, rev); !backbone.IsConflict(err) {
		t.Fatalf("update at a stale revision: %v", err)
	}
	if err := kv.Delete(ctx, "k", rev); !backbone.IsConflict(err) {
		t.Fatalf("delete at a stale revision: %v", err)
	}
}

func TestListByPrefix(t *testing.T) {
	ctx := context.Background()
	kv := openCounters(t, backbonetest.New(t))
	if got, err := kv.List(ctx, "a."); err != nil || len(got) != 0 {
		t.Fatalf("empty bucket: %v %v", got, err)
	}
	for i, k := range []string{"a.2", "b.1", "a.1", "a.3", "ab.1"} {
		if _, err := kv.Put(ctx, k, &counter{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := kv.Delete(ctx, "a.3", 0); err != nil {
		t.Fatal(err)
	}
	got, err := kv.List(ctx, "a.")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range got {
		keys = append(keys, fmt.Sprintf("%s=%d", e.Key, e.Value.N))
	}
	if fmt.Sprint(keys) != "[a.1=2 a.2=0]" {
		t.Fatalf("List(a.) = %v", keys)
	}
	all, err := kv.Keys(ctx, "")
	if err != nil || fmt.Sprint(all) != "[a.1 a.2 ab.1 b.1]" {
		t.Fatalf("Keys() = %v %v", all, err)
	}
}

// cacheHas waits, bounded, for the cache to show key at n (a write by
// another connection arrives through the watch).
func cacheHas(t *testing.T, c *backbone.Cache[counter], key string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, _, ok := c.Get(key)
		if ok && v.N == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cache never showed %s=%d (has %+v %v)", key, n, v, ok)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestCacheRebuiltAfterRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bb, err := backbone.New(backbone.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := bb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	kv := openCounters(t, bb)
	c, err := backbone.NewCache(ctx, kv)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"x.1", "x.2", "y.1"} {
		if _, err := kv.Modify(ctx, k, increment); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kv.Modify(ctx, "x.2", func(*counter, bool) (*counter, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	e, err := kv.Modify(ctx, "y.1", increment)
	if err != nil {
		t.Fatal(err)
	}
	c.Remember("y.1", e.Value, e.Revision) // read-your-writes
	if v, rev, ok := c.Get("y.1"); !ok || v.N != 2 || rev != e.Revision {
		t.Fatalf("remembered value: %+v %d %v", v, rev, ok)
	}
	c.Remember("y.1", &counter{N: -1}, e.Revision-1) // older: ignored
	cacheHas(t, c, "y.1", 2)
	c.Close()
	if c.Ready() {
		t.Fatal("Ready after Close")
	}
	if _, _, ok := c.Get("x.1"); ok {
		t.Fatal("a closed cache answered Get")
	}
	if err := bb.Close(ctx); err != nil {
		t.Fatal(err)
	}

	bb2 := backbonetest.NewAt(t, dir)
	c2, err := backbone.NewCache(ctx, openCounters(t, bb2))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if !c2.Ready() {
		t.Fatal("a new cache is not Ready")
	}
	var got []string
	for _, e := range c2.List("") {
		got = append(got, fmt.Sprintf("%s=%d", e.Key, e.Value.N))
	}
	if fmt.Sprint(got) != "[x.1=1 y.1=2]" {
		t.Fatalf("cache after restart = %v", got)
	}
	if _, _, ok := c2.Get("x.2"); ok {
		t.Fatal("a deleted key came back")
	}
}

// TestExternalURLMode connects two Backbones by URL to one listening
// server: their Modify calls on one key serialize, and a cache on one sees
// the other's writes and deletes.
func TestExternalURLMode(t *testing.T) {
	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	ctx := context.Background()
	var kvs []*backbone.KV[counter]
	for range 2 {
		bb, err := backbone.New(backbone.Options{URL: ns.ClientURL(), Replicas: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := bb.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = bb.Close(ctx) })
		if bb.Embedded() {
			t.Fatal("Embedded() with a URL")
		}
		kvs = append(kvs, openCounters(t, bb))
	}
	st, err := kvs[0].Raw().Status(ctx)
	if err != nil || st.(*jetstream.KeyValueBucketStatus).StreamInfo().Config.Replicas != 1 {
		t.Fatalf("bucket status: %v", err)
	}
	c, err := backbone.NewCache(ctx, kvs[1])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const n = 16
	incrementAll(t, kvs, "shared", n)
	cacheHas(t, c, "shared", n)
	if _, err := kvs[0].Modify(ctx, "shared", func(*counter, bool) (*counter, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, _, ok := c.Get("shared"); ok; _, _, ok = c.Get("shared") {
		if time.Now().After(deadline) {
			t.Fatal("the cache never saw the delete")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestEmbeddedRunsOneReplica(t *testing.T) {
	bb, err := backbone.New(backbone.Options{DataDir: t.TempDir(), Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	if bb.Replicas() != 1 {
		t.Fatalf("embedded Replicas() = %d, want 1 (one server)", bb.Replicas())
	}
	ext, err := backbone.New(backbone.Options{URL: "nats://127.0.0.1:1", Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	if ext.Replicas() != 3 {
		t.Fatalf("external Replicas() = %d, want 3", ext.Replicas())
	}
}
