package logs

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/stacks/stackstest"
)

func startLogStore(t *testing.T) (*Store, jetstream.JetStream) {
	t.Helper()
	bb := backbonetest.New(t)
	ls := NewStore(bb, Options{RetentionGroup: lambdaGroup})
	if err := ls.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ls.Close(context.Background()) })
	return ls, bb.JetStream()
}

// lambdaGroup is the group whose retention a function's lines take, as
// functions.LogGroupName names it.
func lambdaGroup(fn string) string { return "/aws/lambda/" + fn }

func TestLogGroupProviderContract(t *testing.T) {
	ls, _ := startLogStore(t)
	stackstest.RunProviderContract(t, NewGroupProvider(ls, awsapi.Account{Region: "us-east-1", ID: "000000000000"}),
		stacks.Props{"LogGroupName": "/aws/lambda/f", "RetentionInDays": float64(7)},
		stacks.Props{"LogGroupName": "/aws/lambda/f", "RetentionInDays": float64(30)})
}

func TestLogGroupRefusesBadRetention(t *testing.T) {
	ls, _ := startLogStore(t)
	p := NewGroupProvider(ls, awsapi.Account{Region: "us-east-1", ID: "000000000000"})
	for _, v := range []any{float64(2), "soon", true} {
		if _, _, err := p.Create(context.Background(), stacks.Props{"LogGroupName": "g", "RetentionInDays": v}); err == nil {
			t.Errorf("RetentionInDays %v accepted", v)
		}
	}
}

// A function logging to a group with RetentionInDays has each line stored
// with that TTL; other functions' lines keep the store's retention.
func TestLogGroupRetentionAppliesToLines(t *testing.T) {
	ls, js := startLogStore(t)
	ctx := context.Background()
	if err := ls.PutGroup(ctx, Group{Name: "/aws/lambda/short", RetentionDays: 3}); err != nil {
		t.Fatal(err)
	}
	ls.Line("short", "r1", time.Now(), []byte("kept three days"))
	ls.Line("long", "r2", time.Now(), []byte("kept as long as the store keeps lines"))
	s, err := js.Stream(ctx, logStream)
	if err != nil {
		t.Fatal(err)
	}
	for fn, want := range map[string]string{"short": "259200", "long": ""} {
		var m *jetstream.RawStreamMsg
		deadline := time.Now().Add(5 * time.Second)
		for {
			if m, err = s.GetLastMsgForSubject(ctx, logSubject+fn); err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
		if got := m.Header.Get(jetstream.MsgTTLHeader); got != want {
			t.Errorf("%s: Nats-TTL = %q, want %q", fn, got, want)
		}
	}
	// Another node's store (or this one after a restart) loads the
	// retention from JetStream and follows its changes.
	other := NewStore(ls.bb, Options{RetentionGroup: lambdaGroup})
	if err := other.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	if got := other.ttl("short"); got != 72*time.Hour {
		t.Fatalf("other store's retention of short = %v, want 72h", got)
	}
	if err := ls.DeleteGroup(ctx, "/aws/lambda/short"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for other.ttl("short") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the other store kept the retention after DeleteGroup")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
