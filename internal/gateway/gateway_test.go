package gateway

import (
	"context"
	"errors"
	"testing"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

func TestLifecycle(t *testing.T) {
	bb := backbonetest.New(t)
	if _, err := New(Options{Invoker: &fakeInvoker{}}); err == nil {
		t.Error("New without a backbone")
	}
	if _, err := New(Options{Backbone: bb}); err == nil {
		t.Error("New without an invoker")
	}
	g, err := New(Options{Backbone: bb, Invoker: &fakeInvoker{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := g.Put(ctx, httpAPI("early", route("GET /", "f"))); err == nil {
		t.Error("Put before Start")
	}
	if err := g.Close(ctx); err != nil { // before Start: nothing to do
		t.Fatal(err)
	}
	if err := g.Start(ctx); err == nil {
		t.Error("Start after Close")
	}

	g, _ = New(Options{Backbone: bb, Invoker: &fakeInvoker{}})
	if err := g.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := g.Start(ctx); err != nil { // idempotent
		t.Fatal(err)
	}
	if _, err := g.Put(ctx, httpAPI("live1", route("GET /", "f"))); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := g.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := g.Put(ctx, httpAPI("late", route("GET /", "f"))); err == nil {
		t.Error("Put after Close")
	}
	// A cancelled start-up context fails Start instead of hanging.
	g, _ = New(Options{Backbone: bb, Invoker: &fakeInvoker{}})
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := g.Start(cctx); err == nil {
		_ = g.Close(ctx)
		t.Log("start completed before noticing the cancelled context")
	} else if !errors.Is(err, context.Canceled) {
		t.Errorf("start with a cancelled context: %v", err)
	}
}

func TestFunctionFromURI(t *testing.T) {
	cases := map[string]string{
		"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:echo/invocations":      "arn:aws:lambda:us-east-1:000000000000:function:echo",
		"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:echo:live/invocations": "arn:aws:lambda:us-east-1:000000000000:function:echo:live",
		"arn:aws:lambda:us-east-1:000000000000:function:echo":                                                                                "arn:aws:lambda:us-east-1:000000000000:function:echo",
		"echo": "echo",
	}
	for in, want := range cases {
		if got := FunctionFromURI(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

func TestNormalize_SplitsIdentitySources(t *testing.T) {
	a := API{ID: "x", Type: TypeREST, Authorizers: []Authorizer{{ID: "a", Type: AuthorizerRequest, Function: "f",
		IdentitySource: []string{"method.request.header.Auth, method.request.querystring.q"}}}}
	a.Normalize()
	if got := a.Authorizers[0].IdentitySource; len(got) != 2 || got[1] != "method.request.querystring.q" {
		t.Errorf("identity sources %q", got)
	}
	if err := a.Validate(); err != nil {
		t.Error(err)
	}
}
