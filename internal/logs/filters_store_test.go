package logs

import (
	"context"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// Two nodes over one backbone: a subscription filter put on one makes the
// other queue its lines for delivery, and a subscriber on either node
// delivers them; a deleted filter stops it.
func TestSubscriptionsAreShared(t *testing.T) {
	bb := backbonetest.New(t)
	ctx := context.Background()
	fns := &fakeFunctions{names: map[string]bool{"sink": true}, payloads: map[string][][]byte{}}
	var nodes [2]*Store
	for i := range nodes {
		nodes[i] = NewStore(bb, Options{RetentionGroup: lambdaGroup})
		if err := nodes[i].Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = nodes[i].Close(ctx) })
	}
	sub := NewSubscriber(nodes[0], fns, testAccount, nil)
	if err := sub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close(ctx) })
	f := SubscriptionFilter{Group: "/aws/lambda/w", Name: "all", Destination: "arn:aws:lambda:us-east-1:000000000000:function:sink", Created: 1}
	if err := nodes[0].PutSubscriptionFilter(ctx, f); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the filter on the second node", func() bool { return nodes[1].subscribed("/aws/lambda/w") })
	nodes[1].Line("w", "r1", time.Now(), []byte("written on node 2"))
	waitFor(t, "the delivery", func() bool { return len(fns.received("sink")) == 1 })
	if got := fns.received("sink")[0]; len(got.LogEvents) != 1 || got.LogEvents[0].Message != "written on node 2" {
		t.Errorf("delivered: %+v", got)
	}
	if err := nodes[1].DeleteSubscriptionFilter(ctx, f.Group, f.Name); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the deletion on the first node", func() bool { return !nodes[0].subscribed("/aws/lambda/w") })
}
