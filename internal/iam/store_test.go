package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

func newStore(t *testing.T, bb *backbone.Backbone) *Store {
	t.Helper()
	st, err := New(Options{Backbone: bb, Account: awsapi.Account{Region: "us-east-1", ID: testAccount}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	return st
}

func TestStore_DurableAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var roleID string
	func() {
		bb, err := backbone.New(backbone.Options{DataDir: dir, StartTimeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := bb.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer bb.Close(ctx)
		st := newStore(t, bb)
		r, err := st.CreateRole(ctx, RoleInput{Name: "Durable+Role@x", TrustPolicy: lambdaTrust})
		if err != nil {
			t.Fatal(err)
		}
		roleID = r.ID
		if err := st.PutRolePolicy(ctx, r.Name, "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreatePolicy(ctx, PolicyInput{Name: "mp", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`}); err != nil {
			t.Fatal(err)
		}
		_ = st.Close(ctx)
	}()
	bb := backbonetest.NewAt(t, dir)
	st := newStore(t, bb)
	r, err := st.GetRole(ctx, "durable+role@X") // names are case-insensitive
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != roleID || r.Inline["p"] == "" || r.Name != "Durable+Role@x" {
		t.Fatalf("after restart: %+v", r)
	}
	if _, err := st.GetPolicy(ctx, "arn:aws:iam::000000000000:policy/mp"); err != nil {
		t.Fatal(err)
	}
}

func TestStore_PutRoleIsDeclarative(t *testing.T) {
	st := newStore(t, backbonetest.New(t))
	ctx := context.Background()
	in := RoleInput{
		Name: "FnRole", TrustPolicy: lambdaTrust,
		Inline:   map[string]string{"a": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
		Attached: []string{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
	}
	r1, err := st.PutRole(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	in.Inline = map[string]string{"b": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`}
	in.Attached = nil
	in.Description = "v2"
	r2, err := st.PutRole(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if r2.ID != r1.ID || r2.Description != "v2" || len(r2.Attached) != 0 || r2.Inline["a"] != "" || r2.Inline["b"] == "" {
		t.Fatalf("after update: %+v", r2)
	}
	in.Path = "/other/"
	if _, err := st.PutRole(ctx, in); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("path change: %v", err)
	}
	in.Path = "/"
	in.Attached = []string{"arn:aws:iam::aws:policy/Nope"}
	if _, err := st.PutRole(ctx, in); !errors.Is(err, ErrNoSuchEntity) {
		t.Fatalf("unknown managed policy: %v", err)
	}
	if err := st.DeleteRole(ctx, "FnRole", true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetRole(ctx, "FnRole"); !errors.Is(err, ErrNoSuchEntity) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestStore_PolicyVersions(t *testing.T) {
	st := newStore(t, backbonetest.New(t))
	ctx := context.Background()
	doc := func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b%d/*"}]}`, i)
	}
	var p ManagedPolicy
	var err error
	for i := 1; i <= 7; i++ {
		p, err = st.PutPolicy(ctx, PolicyInput{Name: "grow", Document: doc(i)})
		if err != nil {
			t.Fatalf("version %d: %v", i, err)
		}
	}
	if len(p.Versions) != maxPolicyVersions || p.DefaultVersion != "v7" || p.Document() != doc(7) {
		t.Fatalf("versions %+v default %s", p.Versions, p.DefaultVersion)
	}
	if _, err := st.CreatePolicyVersion(ctx, p.ARN, doc(8), false); !errors.Is(err, ErrLimitExceeded) {
		t.Fatalf("non-default version at the limit: %v", err)
	}
	if _, err := st.CreatePolicyVersion(ctx, "arn:aws:iam::aws:policy/AdministratorAccess", doc(1), true); !errors.Is(err, ErrUnmodifiable) {
		t.Fatalf("AWS managed: %v", err)
	}
	if _, err := st.CreatePolicy(ctx, PolicyInput{Name: "bad", Document: `{"Statement":[]}`}); err == nil || err.Error() != "Syntax errors in policy." {
		t.Fatalf("empty policy: %v", err)
	}
}

// TestAuthorizer_InvalidatedByAnotherNode: two stores on one JetStream (two
// nubo nodes); a change made through one reaches the other's cache.
func TestAuthorizer_InvalidatedByAnotherNode(t *testing.T) {
	bb := backbonetest.New(t)
	ctx := context.Background()
	nodeA, nodeB := newStore(t, bb), newStore(t, bb)
	az, err := NewAuthorizer(AuthorizerOptions{Store: nodeB})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodeA.CreateRole(ctx, RoleInput{Name: "r", TrustPolicy: lambdaTrust}); err != nil {
		t.Fatal(err)
	}
	p := SessionPrincipal(RoleARN(testAccount, "/", "r"), "s")
	req := awsapi.AuthzRequest{Service: "sqs", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:000000000000:q", Principal: &p}
	if err := az.Authorize(ctx, req); err == nil {
		t.Fatal("allowed before any policy")
	}
	if err := nodeA.PutRolePolicy(ctx, "r", "send", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for az.Authorize(ctx, req) != nil {
		if time.Now().After(deadline) {
			t.Fatal("node B never saw node A's policy")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestKeyPart(t *testing.T) {
	for in, want := range map[string]string{"Simple-Name_1": "simple-name_1", "a+b=c,d.e@f": "a=2bb=3dc=2cd=2ee=40f"} {
		if got := keyPart(in); got != want {
			t.Errorf("keyPart(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStore_TrustsService(t *testing.T) {
	st := newStore(t, backbonetest.New(t))
	ctx := context.Background()
	if _, err := st.CreateRole(ctx, RoleInput{Name: "fn", TrustPolicy: lambdaTrust}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateRole(ctx, RoleInput{Name: "states", Path: "/sfn/", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		arn             string
		exists, trusted bool
	}{
		{"arn:aws:iam::000000000000:role/fn", true, true},
		{"arn:aws:iam::000000000000:role/sfn/states", true, false},
		{"arn:aws:iam::000000000000:role/states", false, false}, // wrong path
		{"arn:aws:iam::000000000000:role/made-up", false, false},
	}
	for _, tc := range cases {
		exists, trusted, err := st.TrustsService(ctx, tc.arn, "lambda.amazonaws.com")
		if err != nil || exists != tc.exists || trusted != tc.trusted {
			t.Errorf("%s: exists=%v trusted=%v err=%v, want %v %v", tc.arn, exists, trusted, err, tc.exists, tc.trusted)
		}
	}
}

func TestStore_Quotas(t *testing.T) {
	st := newStore(t, backbonetest.New(t))
	ctx := context.Background()
	if _, err := st.CreateRole(ctx, RoleInput{Name: "q", TrustPolicy: lambdaTrust}); err != nil {
		t.Fatal(err)
	}
	big := func(n int) string {
		var acts []string
		for i := 0; i < n; i++ {
			acts = append(acts, fmt.Sprintf(`"s3:GetObjectVersion%04d"`, i))
		}
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + strings.Join(acts, ",") + `],"Resource":"*"}]}`
	}
	if err := st.PutRolePolicy(ctx, "q", "a", big(200)); err != nil { // ~5.6k characters
		t.Fatal(err)
	}
	if err := st.PutRolePolicy(ctx, "q", "b", big(200)); !errors.Is(err, ErrLimitExceeded) {
		t.Fatalf("second large inline policy: %v", err)
	}
	if err := st.PutRolePolicy(ctx, "q", "a", big(100)); err != nil { // replacing counts once
		t.Fatal(err)
	}
	if _, err := st.CreatePolicy(ctx, PolicyInput{Name: "huge", Document: big(300)}); !errors.Is(err, ErrLimitExceeded) {
		t.Fatalf("managed policy over 6144 characters: %v", err)
	}
	for i := 0; i < maxAttachedRoles; i++ {
		p, err := st.CreatePolicy(ctx, PolicyInput{Name: fmt.Sprintf("p%d", i), Document: big(1)})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AttachRolePolicy(ctx, "q", p.ARN); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AttachRolePolicy(ctx, "q", "arn:aws:iam::aws:policy/AdministratorAccess"); !errors.Is(err, ErrLimitExceeded) {
		t.Fatalf("21st attached policy: %v", err)
	}
}
