package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

func newStore(t *testing.T) *store {
	t.Helper()
	bb := backbonetest.New(t)
	kv, err := bb.KeyValue(context.Background(), jetstream.KeyValueConfig{Bucket: "test_stacks"})
	if err != nil {
		t.Fatal(err)
	}
	return &store{kv: kv, js: bb.JetStream()}
}

func TestLock_HeldLiveStaleAfterHeartbeatStops(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	const stale = 300 * time.Millisecond
	a, _, err := s.acquire(ctx, "app", "node-a", "deploy", false, stale)
	if err != nil {
		t.Fatal(err)
	}
	// Another node on a shared cluster waits while the holder's heartbeat is fresh.
	if _, held, err := s.acquire(ctx, "app", "node-b", "deploy", false, stale); !errors.Is(err, ErrStackBusy) || held == nil || held.Owner != "node-a" {
		t.Fatalf("second acquire: %v (held %+v), want busy", err, held)
	}
	// node-a dies: its heartbeat stops, the lock goes stale, node-b takes over.
	close(a.stop)
	<-a.done
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, held, err := s.acquire(ctx, "app", "node-b", "deploy", false, stale)
		if err == nil {
			if held == nil || held.Owner != "node-a" {
				t.Errorf("takeover reported %+v, want node-a's lock", held)
			}
			if err := b.release(ctx); err != nil {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock never went stale: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Released: free for anyone.
	c, held, err := s.acquire(ctx, "app", "node-c", "destroy", false, stale)
	if err != nil || held != nil {
		t.Fatalf("acquire after release: %v %+v", err, held)
	}
	_ = c.release(ctx)
}

func TestLock_EmbeddedTakesOverForeignLockAtOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a, _, err := s.acquire(ctx, "app", "before-restart", "deploy", true, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	close(a.stop)
	<-a.done
	b, held, err := s.acquire(ctx, "app", "after-restart", "deploy", true, time.Hour)
	if err != nil || held == nil || held.Owner != "before-restart" {
		t.Fatalf("takeover: %v %+v", err, held)
	}
	_ = b.release(ctx)
}

func TestStore_LargeStateIsCompressed(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	st := &StackState{Name: "big", Status: StatusCreateComplete, Resources: map[string]*ResourceState{}}
	for i := range 8000 {
		id := fmt.Sprintf("Resource%05d", i)
		st.Resources[id] = &ResourceState{LogicalID: id, Type: "AWS::SSM::Parameter", PhysicalID: "/big/" + id,
			Props: Props{"Name": "/big/" + id, "Type": "String", "Value": strings.Repeat("v", 100)}}
	}
	if b, _ := json.Marshal(st); len(b) < 1<<20 {
		t.Fatalf("test state is only %d bytes", len(b))
	}
	if err := s.put(ctx, st); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.get(ctx, "big")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Resources) != 8000 || got.Resources["Resource07999"].Props["Value"] != strings.Repeat("v", 100) {
		t.Errorf("round trip lost resources: %d", len(got.Resources))
	}
}
