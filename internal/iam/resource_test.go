package iam

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/stacks/stackstest"
)

func doc(actions ...any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": actions, "Resource": "*"}}}
}

func TestRoleProviderContract(t *testing.T) {
	h := newHarness(t, Enforce)
	trust := parsedDoc(lambdaTrust)
	stackstest.RunProviderContract(t, NewRoleProvider(h.store),
		stacks.Props{"RoleName": "contract-role", "Path": "/app/", "AssumeRolePolicyDocument": trust,
			"Policies":          []any{map[string]any{"PolicyName": "read", "PolicyDocument": doc("ssm:GetParameter")}},
			"ManagedPolicyArns": []any{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}},
		stacks.Props{"RoleName": "contract-role", "Path": "/app/", "AssumeRolePolicyDocument": trust, "Description": "updated",
			"Policies": []any{map[string]any{"PolicyName": "write", "PolicyDocument": doc("ssm:PutParameter")}}})
}

func TestPolicyProviderContract(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	for _, n := range []string{"a", "b"} {
		if _, err := h.store.CreateRole(ctx, RoleInput{Name: n, TrustPolicy: lambdaTrust}); err != nil {
			t.Fatal(err)
		}
	}
	stackstest.RunProviderContract(t, NewPolicyProvider(h.store),
		stacks.Props{"PolicyName": "p", "PolicyDocument": doc("ssm:GetParameter"), "Roles": []any{"a"}},
		stacks.Props{"PolicyName": "p", "PolicyDocument": doc("ssm:PutParameter"), "Roles": []any{"b"}})
	// The update moved the policy from a to b; the delete removed it from b.
	for _, n := range []string{"a", "b"} {
		if _, err := h.store.GetRolePolicy(ctx, n, "p"); err == nil {
			t.Errorf("role %s still holds policy p", n)
		}
	}
}

func TestManagedPolicyProviderContract(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	for _, n := range []string{"a", "b"} {
		if _, err := h.store.CreateRole(ctx, RoleInput{Name: n, TrustPolicy: lambdaTrust}); err != nil {
			t.Fatal(err)
		}
	}
	stackstest.RunProviderContract(t, NewManagedPolicyProvider(h.store),
		stacks.Props{"ManagedPolicyName": "mp", "Path": "/", "PolicyDocument": doc("ssm:GetParameter"), "Roles": []any{"a"}},
		stacks.Props{"ManagedPolicyName": "mp", "Path": "/", "PolicyDocument": doc("ssm:PutParameter"), "Roles": []any{"b"}})
}

// A role's update keeps the inline and managed policies other resources
// (AWS::IAM::Policy, AWS::IAM::ManagedPolicy) put on it.
func TestRoleUpdateKeepsOthersPolicies(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := stacks.WithResource(context.Background(), "s", "Role")
	rp, pp := NewRoleProvider(h.store), NewPolicyProvider(h.store)
	props := stacks.Props{"AssumeRolePolicyDocument": parsedDoc(lambdaTrust)}
	name, attrs, err := rp.Create(ctx, props)
	if err != nil {
		t.Fatal(err)
	}
	if attrs["Arn"] != RoleARN(testAccount, "/", name) || attrs["RoleId"] == "" {
		t.Fatalf("attrs = %v", attrs)
	}
	if _, _, err := pp.Create(ctx, stacks.Props{"PolicyName": "extra", "PolicyDocument": doc("s3:GetObject"), "Roles": []any{name}}); err != nil {
		t.Fatal(err)
	}
	next := stacks.Props{"AssumeRolePolicyDocument": parsedDoc(lambdaTrust), "Description": "d",
		"Policies": []any{map[string]any{"PolicyName": "own", "PolicyDocument": doc("ssm:GetParameter")}}}
	if _, err := rp.Update(ctx, name, props, next); err != nil {
		t.Fatal(err)
	}
	r, err := h.store.GetRole(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.InlineNames(); len(got) != 2 || got[0] != "extra" || got[1] != "own" {
		t.Fatalf("inline policies after update = %v, want [extra own]", got)
	}
}

func TestRoleProviderRefusesBadInput(t *testing.T) {
	h := newHarness(t, Enforce)
	rp := NewRoleProvider(h.store)
	for name, props := range map[string]stacks.Props{
		"no trust":        {"RoleName": "x"},
		"bad policy item": {"RoleName": "x", "AssumeRolePolicyDocument": parsedDoc(lambdaTrust), "Policies": []any{"nope"}},
		"bad session":     {"RoleName": "x", "AssumeRolePolicyDocument": parsedDoc(lambdaTrust), "MaxSessionDuration": "soon"},
	} {
		if _, _, err := rp.Create(context.Background(), props); err == nil {
			t.Errorf("%s: created, want an error", name)
		}
	}
}

// FuzzRoleProps feeds arbitrary property documents to the IAM providers'
// property readers: an error naming the field, never a panic.
func FuzzRoleProps(f *testing.F) {
	f.Add(`{"RoleName":"r","AssumeRolePolicyDocument":{"Statement":[]},"Policies":[{"PolicyName":"p","PolicyDocument":{}}],"MaxSessionDuration":3600}`)
	f.Add(`{"AssumeRolePolicyDocument":"{}","Policies":[1,"x",null],"ManagedPolicyArns":[{"a":1}],"Tags":[{"Key":1}]}`)
	f.Add(`{"AssumeRolePolicyDocument":[],"MaxSessionDuration":"1e99"}`)
	f.Add(`{"PolicyDocument":{"Statement":{}},"Roles":"r"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var props stacks.Props
		if json.Unmarshal([]byte(doc), &props) != nil {
			return
		}
		var role roleModel
		if decode(props, &role) == nil {
			_, _ = role.input("r")
		}
		var mp managedPolicyModel
		if decode(props, &mp) == nil {
			_, _ = docString("PolicyDocument", mp.PolicyDocument)
			_ = roleNames(mp.Roles)
		}
	})
}

// TestRoleProviderDecodeErrorsNameTheProperty: a property of the wrong
// shape is ErrInvalidInput naming it (stacks.Decode's wording); template
// parameters' strings still read as numbers.
func TestRoleProviderDecodeErrorsNameTheProperty(t *testing.T) {
	h := newHarness(t, Enforce)
	rp := NewRoleProvider(h.store)
	ctx := stacks.WithResource(context.Background(), "app", "Role")
	_, _, err := rp.Create(ctx, stacks.Props{"RoleName": "x", "AssumeRolePolicyDocument": parsedDoc(lambdaTrust), "Policies": []any{"nope"}})
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "property Policies[0]: want a Object, got a String") {
		t.Fatalf("bad policy item: %v", err)
	}
	name, _, err := rp.Create(ctx, stacks.Props{"RoleName": "y", "AssumeRolePolicyDocument": parsedDoc(lambdaTrust), "MaxSessionDuration": "7200",
		"Tags": []any{map[string]any{"Key": "team", "Value": float64(7)}}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := h.store.GetRole(ctx, name)
	if err != nil || r.MaxSessionDuration != 7200 || len(r.Tags) != 1 || r.Tags[0] != (Tag{Key: "team", Value: "7"}) {
		t.Fatalf("role %+v %v", r, err)
	}
}
