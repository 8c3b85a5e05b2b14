package functions

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestPermissionProvider covers create, read and delete of
// AWS::Lambda::Permission (every property is create-only): the statement
// lands in the function's policy, which then allows what it says and no
// more. (Moved from the gateway's TestCreateOnlyProviders with the provider.)
func TestPermissionProvider(t *testing.T) {
	policies := newPolicyStore(t)
	pp := NewPermissionProvider(policies)
	ctx := stacks.WithResource(context.Background(), "test", "X")
	const rest = "abc123"
	props := stacks.Props{"FunctionName": "fn", "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com",
		"SourceArn": "arn:aws:execute-api:us-east-1:000000000000:" + rest + "/*/*/*"}
	if errs := pp.Schema().Validate(props); len(errs) > 0 {
		t.Fatal(errors.Join(errs...))
	}
	phys, pattrs, err := pp.Create(ctx, props)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pattrs["Id"].(string), "test-X-") {
		t.Fatalf("statement id %v", pattrs["Id"])
	}
	live, err := pp.Read(ctx, phys)
	if err != nil || live["SourceArn"] != props["SourceArn"] || live["Principal"] != props["Principal"] {
		t.Fatalf("read permission: %v %v", live, err)
	}
	src := "arn:aws:execute-api:us-east-1:000000000000:" + rest + "/Prod/GET/items"
	keys := map[string][]string{"aws:SourceArn": {src}}
	if !policies.Allows("fn", "apigateway.amazonaws.com", "lambda:InvokeFunction", keys) {
		t.Fatal("the policy does not allow the route")
	}
	if policies.Allows("fn", "apigateway.amazonaws.com", "lambda:InvokeFunction", map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:000000000000:other/Prod/GET/items"}}) {
		t.Fatal("the policy allows another API")
	}
	doc, err := policies.Policy("fn")
	if err != nil || !json.Valid(doc) || !strings.Contains(string(doc), `"ArnLike"`) {
		t.Fatalf("policy document: %s %v", doc, err)
	}
	if err := pp.Delete(ctx, phys); err != nil {
		t.Fatal(err)
	}
	if _, err := pp.Read(ctx, phys); !errors.Is(err, stacks.ErrNotFound) {
		t.Fatalf("read deleted permission: %v", err)
	}
	if err := pp.Delete(ctx, phys); !errors.Is(err, stacks.ErrNotFound) {
		t.Fatalf("delete deleted permission: %v", err)
	}
	if policies.Allows("fn", "apigateway.amazonaws.com", "lambda:InvokeFunction", keys) {
		t.Fatal("allowed after the permission went")
	}
}

// TestPermissionProviderNamesItsCreateBeforehand: the statement id is drawn
// at create time, so the provider says beforehand which physical id a
// create will produce (the engine fixes the random part in ctx and records
// the id), and a create cut short by a crash is adopted on recovery.
func TestPermissionProviderNamesItsCreateBeforehand(t *testing.T) {
	p := NewPermissionProvider(newPolicyStore(t))
	props := stacks.Props{"FunctionName": "fn", "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com"}
	ctx := stacks.WithNameSuffix(stacks.WithResource(context.Background(), "app", "Res"), "AB12CD34EF5C")
	want, ok := p.PhysicalIDFor(ctx, props)
	if !ok || want != "fn|app-Res-AB12CD34EF5C" {
		t.Fatalf("PhysicalIDFor = %q, %v", want, ok)
	}
	got, _, err := p.Create(ctx, props)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("created %q, announced %q", got, want)
	}
	if _, err := p.Read(ctx, want); err != nil {
		t.Fatalf("read the announced id: %v", err)
	}
	if err := p.Delete(ctx, want); err != nil {
		t.Fatal(err)
	}
}

// TestPermissionProviderDecodeError: a property of the wrong shape is
// refused naming the property, before anything is written.
func TestPermissionProviderDecodeError(t *testing.T) {
	policies := newPolicyStore(t)
	p := NewPermissionProvider(policies)
	ctx := stacks.WithResource(context.Background(), "app", "Res")
	_, _, err := p.Create(ctx, stacks.Props{"FunctionName": "fn", "Action": "lambda:InvokeFunction", "Principal": "*",
		"InvokedViaFunctionUrl": "sometimes"})
	if err == nil || !strings.Contains(err.Error(), "property InvokedViaFunctionUrl") {
		t.Fatalf("create with a bad property: %v", err)
	}
	if _, err := policies.Policy("fn"); err == nil {
		t.Fatal("a policy was written")
	}
}
