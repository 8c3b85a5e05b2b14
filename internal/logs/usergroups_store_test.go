package logs

import (
	"context"
	"errors"
	"testing"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// Two nodes over one backbone: a group one creates exists for the other,
// which cannot create it again and applies its retention to the group's
// own lines; its streams are shared the same way.
func TestUserGroupsAreShared(t *testing.T) {
	bb := backbonetest.New(t)
	ctx := context.Background()
	var nodes [2]*Store
	for i := range nodes {
		nodes[i] = NewStore(bb, Options{RetentionGroup: lambdaGroup})
		if err := nodes[i].Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = nodes[i].Close(ctx) })
	}
	if err := nodes[0].CreateGroup(ctx, Group{Name: "/shared.g", RetentionDays: 1, Created: 1}); err != nil {
		t.Fatal(err)
	}
	if err := nodes[1].CreateGroup(ctx, Group{Name: "/shared.g"}); !errors.Is(err, ErrGroupExists) {
		t.Fatalf("second node's create: %v, want ErrGroupExists", err)
	}
	groups, err := nodes[1].Groups(ctx)
	if err != nil || len(groups) != 1 || groups[0].Name != "/shared.g" || groups[0].Created != 1 {
		t.Fatalf("second node's groups: %v %+v", err, groups)
	}
	waitFor(t, "the retention on the second node", func() bool { return nodes[1].ttl(UserSource("/shared.g")) > 0 })
	if err := nodes[0].CreateStream(ctx, "/shared.g", LogStream{Name: "s", Created: 1}); err != nil {
		t.Fatal(err)
	}
	if err := nodes[1].CreateStream(ctx, "/shared.g", LogStream{Name: "s"}); !errors.Is(err, ErrStreamExists) {
		t.Fatalf("second node's stream create: %v, want ErrStreamExists", err)
	}
	if streams, err := nodes[1].Streams(ctx, "/shared.g"); err != nil || len(streams) != 1 {
		t.Fatalf("second node's streams: %v %+v", err, streams)
	}
	// A group named as a prefix of another does not list its streams.
	if streams, err := nodes[1].Streams(ctx, "/shared"); err != nil || len(streams) != 0 {
		t.Fatalf("streams of /shared: %v %+v", err, streams)
	}
}
