package tables

import (
	"context"
	"fmt"
	"testing"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/tables/attr"
)

// TestReadDirect: a partition read by one batched direct get holds the
// partition's live items only, as the watch reads them.
func TestReadDirect(t *testing.T) {
	ctx := context.Background()
	s, err := New(Options{Backbone: backbonetest.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	tbl, err := s.Create(ctx, &Table{Name: "t", KeySchema: []KeyElement{{"pk", "HASH"}, {"sk", "RANGE"}}, Attributes: []AttributeDefinition{{"pk", "S"}, {"sk", "N"}}})
	if err != nil {
		t.Fatal(err)
	}
	kv, err := s.itemsOf(ctx, tbl, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, pk := range []string{"a", "b"} {
		for i := range 5 {
			it := attr.Item{"pk": attr.Str(pk), "sk": attr.Num(fmt.Sprint(i))}
			key, _ := keyOf(tbl, it, false)
			if err := s.put(ctx, kv, key, it); err != nil {
				t.Fatal(err)
			}
		}
	}
	gone, _ := keyOf(tbl, attr.Item{"pk": attr.Str("a"), "sk": attr.Num("3")}, false)
	if err := kv.Purge(ctx, gone); err != nil {
		t.Fatal(err)
	}
	filter := token(attr.Str("a")) + ".*"
	direct, ok, err := s.readDirect(ctx, kv, filter)
	if err != nil || !ok {
		t.Fatalf("direct: ok %v, %v", ok, err)
	}
	watched, err := s.watchRead(ctx, kv, filter)
	if err != nil {
		t.Fatal(err)
	}
	if len(direct) != 4 || len(watched) != 4 {
		t.Fatalf("direct %d items, watch %d, want 4", len(direct), len(watched))
	}
	for i := range direct {
		if direct[i].key != watched[i].key || !attr.Equal(direct[i].item["sk"], watched[i].item["sk"]) {
			t.Errorf("item %d: direct %v, watch %v", i, direct[i], watched[i])
		}
	}
	none, ok, err := s.readDirect(ctx, kv, token(attr.Str("zzz"))+".*")
	if err != nil || !ok || len(none) != 0 {
		t.Errorf("empty partition: %v %v %v", none, ok, err)
	}
}
