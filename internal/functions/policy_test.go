package functions

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

func newPolicyStore(t *testing.T) *PolicyStore {
	t.Helper()
	s, err := NewPolicyStore(PolicyStoreOptions{Backbone: backbonetest.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func TestPolicyStoreAllows(t *testing.T) {
	s := newPolicyStore(t)
	ctx := context.Background()
	const api = "arn:aws:execute-api:us-east-1:000000000000:abc123"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.AddPermission(ctx, "arn:aws:lambda:us-east-1:000000000000:function:fn", Permission{
		Sid: "api", Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com", SourceARN: api + "/*/GET/items/*"}))
	must(s.AddPermission(ctx, "fn", Permission{
		Sid: "url", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionURLAuthType: "NONE"}))
	must(s.AddPermission(ctx, "other", Permission{
		Sid: "acct", Action: "lambda:InvokeFunction", Principal: "000000000000", SourceAccount: "000000000000"}))

	cases := []struct {
		name, fn, principal, action string
		keys                        map[string][]string
		want                        bool
	}{
		{"route in the source ARN", "fn", "apigateway.amazonaws.com", "lambda:InvokeFunction",
			map[string][]string{"aws:SourceArn": {api + "/$default/GET/items/7"}}, true},
		{"by ARN", "arn:aws:lambda:us-east-1:000000000000:function:fn", "apigateway.amazonaws.com", "lambda:InvokeFunction",
			map[string][]string{"aws:SourceArn": {api + "/prod/GET/items/7"}}, true},
		{"other method", "fn", "apigateway.amazonaws.com", "lambda:InvokeFunction",
			map[string][]string{"aws:SourceArn": {api + "/prod/POST/items/7"}}, false},
		{"other api", "fn", "apigateway.amazonaws.com", "lambda:InvokeFunction",
			map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:000000000000:zzz/prod/GET/items/7"}}, false},
		{"no source", "fn", "apigateway.amazonaws.com", "lambda:InvokeFunction", nil, false},
		{"other service", "fn", "events.amazonaws.com", "lambda:InvokeFunction",
			map[string][]string{"aws:SourceArn": {api + "/prod/GET/items/7"}}, false},
		{"public url", "fn", "*", "lambda:InvokeFunctionUrl",
			map[string][]string{"lambda:FunctionUrlAuthType": {"NONE"}}, true},
		{"url with iam auth type", "fn", "*", "lambda:InvokeFunctionUrl",
			map[string][]string{"lambda:FunctionUrlAuthType": {"AWS_IAM"}}, false},
		{"anonymous invoke", "fn", "*", "lambda:InvokeFunction",
			map[string][]string{"aws:SourceArn": {api + "/prod/GET/items/7"}}, false},
		{"no policy", "nobody", "apigateway.amazonaws.com", "lambda:InvokeFunction",
			map[string][]string{"aws:SourceArn": {api + "/prod/GET/items/7"}}, false},
	}
	for _, c := range cases {
		if got := s.Allows(c.fn, c.principal, c.action, c.keys); got != c.want {
			t.Errorf("%s: Allows = %v, want %v", c.name, got, c.want)
		}
	}

	doc, err := s.Policy("fn")
	if err != nil || !strings.Contains(string(doc), `"Service":"apigateway.amazonaws.com"`) || !strings.Contains(string(doc), `"lambda:FunctionUrlAuthType":"NONE"`) {
		t.Fatalf("policy: %s %v", doc, err)
	}
	must(s.RemovePermission(ctx, "fn", "api"))
	if err := s.RemovePermission(ctx, "fn", "api"); !errors.Is(err, ErrPolicyNotFound) {
		t.Fatalf("second remove: %v", err)
	}
	if s.Allows("fn", "apigateway.amazonaws.com", "lambda:InvokeFunction", cases[0].keys) {
		t.Fatal("allowed after removal")
	}
	must(s.RemovePermission(ctx, "fn", "url"))
	if _, err := s.Policy("fn"); !errors.Is(err, ErrPolicyNotFound) {
		t.Fatalf("policy after the last statement went: %v", err)
	}
	if err := s.AddPermission(ctx, "fn", Permission{Sid: "bad sid!", Action: "lambda:InvokeFunction", Principal: "*"}); err == nil {
		t.Fatal("a bad statement id was accepted")
	}
}

// TestPolicyStoreSharedBucket: a second store on the same bucket (another
// node) sees the statements, loaded at start and followed after.
func TestPolicyStoreSharedBucket(t *testing.T) {
	bb := backbonetest.New(t)
	ctx := context.Background()
	open := func() *PolicyStore {
		s, err := NewPolicyStore(PolicyStoreOptions{Backbone: bb})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(ctx) })
		return s
	}
	a := open()
	if err := a.AddPermission(ctx, "fn", Permission{Sid: "one", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionURLAuthType: "NONE"}); err != nil {
		t.Fatal(err)
	}
	b := open()
	keys := map[string][]string{"lambda:FunctionUrlAuthType": {"NONE"}}
	if !b.Allows("fn", "*", "lambda:InvokeFunctionUrl", keys) {
		t.Fatal("the second store did not load the policy")
	}
	if err := a.RemovePermission(ctx, "fn", "one"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the removal on the other node", func() bool { return !b.Allows("fn", "*", "lambda:InvokeFunctionUrl", keys) })
}
