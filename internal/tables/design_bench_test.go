package tables

import (
	"context"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/tables/attr"
)

// BenchmarkDesign measures decision 009's candidate beneath the API: one
// KV bucket per table, items under hash.range keys, a conditional write
// (read at a revision, write at it), a get, and a Query of one partition
// of 100 items as a filtered watch; the raw KV put and get as the floor.
func BenchmarkDesign(b *testing.B) {
	bb := backbonetest.New(b)
	ctx := context.Background()
	s, err := New(Options{Backbone: bb})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		b.Fatal(err)
	}
	t := &Table{Name: "bench", KeySchema: []KeyElement{{"pk", "HASH"}, {"sk", "RANGE"}},
		Attributes: []AttributeDefinition{{"pk", "S"}, {"sk", "N"}}, BillingMode: "PAY_PER_REQUEST"}
	if t, err = s.Create(ctx, t); err != nil {
		b.Fatal(err)
	}
	kv, err := s.itemsOf(ctx, t, false)
	if err != nil {
		b.Fatal(err)
	}
	item := func(pk string, i int) attr.Item {
		return attr.Item{"pk": attr.Str(pk), "sk": attr.Num(fmt.Sprint(i)), "payload": attr.Str("some payload of a typical item")}
	}
	for i := range 100 {
		it := item("p100", i)
		key, _ := keyOf(t, it, false)
		if _, _, err := s.modify(ctx, kv, key, func(attr.Item) (attr.Item, error) { return it, nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("PutItem", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			it := item("put", i%1000)
			key, _ := keyOf(t, it, false)
			if err := s.put(ctx, kv, key, it); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ConditionalPutItem", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			it := item("cput", i%1000)
			key, _ := keyOf(t, it, false)
			if _, _, err := s.modify(ctx, kv, key, func(attr.Item) (attr.Item, error) { return it, nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
	key, _ := keyOf(t, item("p100", 7), false)
	b.Run("GetItem", func(b *testing.B) {
		for b.Loop() {
			if it, _, err := s.getItemRaw(ctx, kv, key); err != nil || it == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Query100", func(b *testing.B) {
		for b.Loop() {
			got, err := s.read(ctx, kv, token(attr.Str("p100"))+".*")
			if err != nil || len(got) != 100 {
				b.Fatal(err, len(got))
			}
		}
	})
	raw, err := bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: "bench_raw", History: 1})
	if err != nil {
		b.Fatal(err)
	}
	val := []byte(`{"pk":{"S":"put"},"sk":{"N":"1"},"payload":{"S":"some payload of a typical item"}}`)
	b.Run("RawKVPut", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := raw.Put(ctx, fmt.Sprintf("k%d", i%1000), val); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RawKVGet", func(b *testing.B) {
		for b.Loop() {
			if _, err := raw.Get(ctx, "k1"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
