package backbone_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

func TestViewNames(t *testing.T) {
	bb := backbonetest.Dial(t, backbonetest.Server(t))
	bb.SetHome("us-east-1")
	cases := []struct {
		region, name, subject string
	}{
		{"us-east-1", "nubo_x", "nubo.x.a"},
		{backbone.GlobalRegion, "nubo_x", "nubo.x.a"},
		{"", "nubo_x", "nubo.x.a"},
		{"eu-west-1", "eu-west-1_nubo_x", "eu-west-1.nubo.x.a"},
	}
	for _, c := range cases {
		v := bb.In(c.region, "part")
		if got := v.Name("nubo_x"); got != c.name {
			t.Errorf("%q: Name = %q, want %q", c.region, got, c.name)
		}
		if got := v.Subject("nubo.x.a"); got != c.subject {
			t.Errorf("%q: Subject = %q, want %q", c.region, got, c.subject)
		}
	}
	var nilBB *backbone.Backbone
	if nilBB.Name("n") != "n" || nilBB.Subject("s") != "s" {
		t.Error("a nil Backbone does not name as the root")
	}
}

// TestViewsAreSeparateAndDropped: two regions' views of one bucket hold
// separate values; a work queue on a view delivers its plain subject; Drop
// deletes one region's part and leaves the other's.
func TestViewsAreSeparateAndDropped(t *testing.T) {
	ctx := context.Background()
	bb := backbonetest.Dial(t, backbonetest.Server(t))
	bb.SetHome("us-east-1")
	east, west := bb.In("us-east-1", "ssm"), bb.In("us-west-2", "ssm")
	put := func(v *backbone.Backbone, val string) jetstream.KeyValue {
		kv, err := v.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: "things"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kv.PutString(ctx, "k", val); err != nil {
			t.Fatal(err)
		}
		return kv
	}
	put(east, "east")
	kw := put(west, "west")
	if e, err := kw.Get(ctx, "k"); err != nil || string(e.Value()) != "west" {
		t.Fatalf("us-west-2's value: %v %v", e, err)
	}

	q, err := west.WorkQueue(ctx, backbone.WorkQueueConfig{Stream: "Q", Subjects: []string{"q.>"}, Consumer: "w"})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	if err := q.Consume(func(_ context.Context, d *backbone.Delivery) backbone.Outcome {
		got <- d.Subject
		return backbone.Ack()
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close(ctx) })
	if err := q.Publish(ctx, backbone.Message{Subject: "q.one", Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "q.one" {
			t.Errorf("delivered subject %q, want q.one", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
	}
	if err := q.Close(ctx); err != nil {
		t.Fatal(err)
	}

	names, err := bb.Drop(ctx, "us-west-2", "ssm")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	if want := []string{"KV_us-west-2_things", "us-west-2_Q"}; !slices.Equal(names, want) {
		t.Errorf("dropped %v, want %v", names, want)
	}
	if _, err := bb.JetStream().Stream(ctx, "KV_us-west-2_things"); err == nil {
		t.Error("us-west-2's bucket survived Drop")
	}
	ke := put(east, "east")
	if e, err := ke.Get(ctx, "k"); err != nil || string(e.Value()) != "east" {
		t.Errorf("us-east-1's bucket after dropping us-west-2's: %v %v", e, err)
	}
}
