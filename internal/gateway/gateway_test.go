package gateway

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

// Providers add routes, mappings and plan keys one resource at a time, in
// parallel, from any node: none is lost.
func TestUpdate_ParallelFromTwoNodes(t *testing.T) {
	bb := backbonetest.New(t)
	e1, e2 := newEnvOn(t, bb, nil), newEnvOn(t, bb, nil)
	e1.put(t, httpAPI("shared1"))
	ctx := t.Context()
	waitFor(t, "node 2 to load the API", func() bool { _, ok := e2.g.Get("shared1"); return ok })
	if _, err := e1.g.PutDomain(ctx, Domain{Name: "shared.test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e1.g.PutUsagePlan(ctx, UsagePlan{ID: "plan1"}); err != nil {
		t.Fatal(err)
	}
	const n = 12
	errs := make(chan error, 3*2*n)
	var wg sync.WaitGroup
	for node, g := range []*Gateway{e1.g, e2.g} {
		for i := range n {
			wg.Add(3)
			go func() {
				defer wg.Done()
				_, err := g.Update(ctx, "shared1", func(a *API) error {
					a.Routes = append(a.Routes, route(fmt.Sprintf("GET /n%d/r%d", node, i), "f"))
					return nil
				})
				errs <- err
			}()
			go func() {
				defer wg.Done()
				_, err := g.UpdateDomain(ctx, "shared.test", func(d *Domain) error {
					d.Mappings = append(d.Mappings, Mapping{BasePath: fmt.Sprintf("n%d-m%d", node, i), APIID: "shared1", Stage: "$default"})
					return nil
				})
				errs <- err
			}()
			go func() {
				defer wg.Done()
				_, err := g.UpdateUsagePlan(ctx, "plan1", func(p *UsagePlan) error {
					p.KeyIDs = append(p.KeyIDs, fmt.Sprintf("k%d-%d", node, i))
					return nil
				})
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "both nodes to converge", func() bool {
		a1, _ := e1.g.Get("shared1")
		a2, _ := e2.g.Get("shared1")
		return len(a1.Routes) == 2*n && len(a2.Routes) == 2*n
	})
	if res := e2.do(t, req{host: "shared.test", path: "/n0-m3/n1/r5"}); res.status != 200 {
		t.Errorf("route added on node 2 via a mapping added on node 1: %d", res.status)
	}
	if _, err := e1.g.Update(ctx, "nosuch", func(*API) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a missing API: %v", err)
	}
	if _, err := e1.g.Update(ctx, "shared1", func(a *API) error { a.Routes = append(a.Routes, route("BAD", "f")); return nil }); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid update: %v", err)
	}
	stored, _ := e1.g.Get("shared1")
	if len(stored.Routes) != 2*n {
		t.Errorf("a rejected update changed the API: %d routes", len(stored.Routes))
	}
}
