package iam

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// Two nodes share the backbone: a key made on one signs on the other, a
// group policy put on one authorizes on the other, and a key deactivated on
// one is refused by the other at once.
func TestUserKeysAndGroupsAcrossNodes(t *testing.T) {
	ctx := context.Background()
	bb := backbonetest.New(t)
	a, b := newStore(t, bb), newStore(t, bb)
	azB, err := NewAuthorizer(AuthorizerOptions{Store: b, Mode: Enforce})
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.CreateUser(ctx, "node-user", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := a.CreateAccessKey(ctx, u.Name)
	if err != nil {
		t.Fatal(err)
	}
	secret, p, err := b.LookupAccessKey(ctx, k.ID)
	if err != nil || secret != k.Secret || p.ARN != u.ARN || p.UserARN != u.ARN {
		t.Fatalf("node b: %v %q %+v", err, secret, p)
	}

	req := awsapi.AuthzRequest{Principal: &p, Service: "iam", Action: "iam:ListUsers", Resource: "*"}
	if err := azB.Authorize(ctx, req); err == nil {
		t.Fatal("allowed before any policy")
	}
	if _, err := a.CreateGroup(ctx, "node-group", ""); err != nil {
		t.Fatal(err)
	}
	if err := a.AddUserToGroup(ctx, "node-group", u.Name); err != nil {
		t.Fatal(err)
	}
	if err := a.PutGroupPolicy(ctx, "node-group", "p", allowListUsers); err != nil {
		t.Fatal(err)
	}
	// Node b's compiled policies are dropped when its watch sees the change.
	deadline := time.Now().Add(10 * time.Second)
	for azB.Authorize(ctx, req) != nil {
		if time.Now().After(deadline) {
			t.Fatal("node b never saw the group policy")
		}
		time.Sleep(10 * time.Millisecond)
	}

	if err := a.UpdateAccessKey(ctx, u.Name, k.ID, KeyInactive); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.LookupAccessKey(ctx, k.ID); !errors.Is(err, awsapi.ErrUnknownAccessKey) {
		t.Fatalf("inactive key on node b: %v", err)
	}
}
