package iam

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/nubo-run/nubo/internal/iam/awsmanaged"
)

// TestIAM_ListShapes: ListRoles and ListPolicies carry the fields IAM's
// listings carry, and GetRole and GetPolicy the rest (IAM API reference:
// "IAM resource-listing operations return a subset of the available
// attributes": ListRoles leaves out PermissionsBoundary, RoleLastUsed and
// Tags; ListPolicies leaves out Description and Tags). GetRole's
// RoleLastUsed is an empty element until the role is used.
func TestIAM_ListShapes(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	bound, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("bound"), Path: aws.String("/b/"), Description: aws.String("the boundary"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`),
		Tags:           []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("shaped"), AssumeRolePolicyDocument: aws.String(trustRoot),
		Description: aws.String("d"), MaxSessionDuration: aws.Int32(7200), PermissionsBoundary: bound.Policy.Arn,
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("shaped"), PolicyArn: bound.Policy.Arn}); err != nil {
		t.Fatal(err)
	}

	lr, err := c.ListRoles(ctx, &awsiam.ListRolesInput{})
	if err != nil || len(lr.Roles) != 1 {
		t.Fatalf("ListRoles = %+v, %v", lr, err)
	}
	l := lr.Roles[0]
	if l.Tags != nil || l.PermissionsBoundary != nil || l.RoleLastUsed != nil {
		t.Fatalf("ListRoles carries GetRole's fields: tags %v boundary %v last used %v", l.Tags, l.PermissionsBoundary, l.RoleLastUsed)
	}
	if aws.ToInt32(l.MaxSessionDuration) != 7200 || aws.ToString(l.Description) != "d" || aws.ToString(l.AssumeRolePolicyDocument) == "" || l.CreateDate == nil || aws.ToString(l.RoleId) == "" {
		t.Fatalf("ListRoles role %+v", l)
	}

	gr, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("shaped")})
	if err != nil {
		t.Fatal(err)
	}
	g := gr.Role
	if len(g.Tags) != 1 || g.PermissionsBoundary == nil || aws.ToString(g.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(bound.Policy.Arn) ||
		g.PermissionsBoundary.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy || aws.ToInt32(g.MaxSessionDuration) != 7200 {
		t.Fatalf("GetRole %+v", g)
	}
	if g.RoleLastUsed == nil || g.RoleLastUsed.LastUsedDate != nil || g.RoleLastUsed.Region != nil {
		t.Fatalf("GetRole of an unused role: RoleLastUsed %+v, want empty", g.RoleLastUsed)
	}

	if _, err := h.sts(h.root()).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: g.Arn, RoleSessionName: aws.String("shape")}); err != nil {
		t.Fatal(err)
	}
	gr, err = c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("shaped")})
	if err != nil {
		t.Fatal(err)
	}
	if u := gr.Role.RoleLastUsed; u == nil || u.LastUsedDate == nil || aws.ToString(u.Region) != "us-east-1" {
		t.Fatalf("RoleLastUsed after AssumeRole: %+v", u)
	}

	// A session nubo issues (as to a function) that makes a request it is
	// allowed uses the role too: the authorizer's usage record says when.
	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("worker"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.iam(h.session("worker", "fn")).ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		gr, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("worker")})
		if err != nil {
			t.Fatal(err)
		}
		if gr.Role.RoleLastUsed != nil && gr.Role.RoleLastUsed.LastUsedDate != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker's RoleLastUsed after its session's request: %+v", gr.Role.RoleLastUsed)
		}
		time.Sleep(20 * time.Millisecond)
	}

	lp, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil || len(lp.Policies) != 1 {
		t.Fatalf("ListPolicies = %+v, %v", lp, err)
	}
	p := lp.Policies[0]
	if p.Description != nil || p.Tags != nil {
		t.Fatalf("ListPolicies carries GetPolicy's fields: %+v", p)
	}
	if aws.ToInt32(p.AttachmentCount) != 1 || aws.ToInt32(p.PermissionsBoundaryUsageCount) != 1 || !p.IsAttachable || aws.ToString(p.DefaultVersionId) != "v1" || p.UpdateDate == nil {
		t.Fatalf("ListPolicies policy %+v", p)
	}
	gp, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: bound.Policy.Arn})
	if err != nil || aws.ToString(gp.Policy.Description) != "the boundary" || len(gp.Policy.Tags) != 1 {
		t.Fatalf("GetPolicy = %+v, %v", gp, err)
	}
	jobFunctions := 0
	for _, p := range awsmanaged.All() {
		if p.Path == "/job-function/" {
			jobFunctions++
		}
	}
	for _, tc := range []struct {
		in   awsiam.ListPoliciesInput
		want int
	}{
		{awsiam.ListPoliciesInput{OnlyAttached: true}, 1},
		{awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PathPrefix: aws.String("/b/")}, 1},
		{awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PathPrefix: aws.String("/c/")}, 0},
		{awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, PathPrefix: aws.String("/job-function/")}, jobFunctions},
	} {
		out, err := c.ListPolicies(ctx, &tc.in)
		if err != nil || len(out.Policies) != tc.want {
			t.Errorf("ListPolicies(%+v) = %d policies, %v; want %d", tc.in, len(out.Policies), err, tc.want)
		}
	}

	// boto3 sees the same: no Tags key in ListRoles' roles, an empty
	// RoleLastUsed dict for an unused role.
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("python3 with boto3 is not installed")
	}
	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("unused"), AssumeRolePolicyDocument: aws.String(trustRoot)}); err != nil {
		t.Fatal(err)
	}
	root := h.root()
	cmd := exec.Command("python3", "-c", `
import boto3, json, os
iam = boto3.client("iam", endpoint_url=os.environ["NUBO_URL"])
roles = iam.list_roles()["Roles"]
print(json.dumps({"listed": sorted(set(k for r in roles for k in r)), "unused": iam.get_role(RoleName="unused")["Role"]["RoleLastUsed"],
  "policy": sorted(iam.list_policies(Scope="Local")["Policies"][0])}))
`)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+root.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+root.SecretAccessKey, "AWS_DEFAULT_REGION=us-east-1", "NUBO_URL="+h.url,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3: %v", err)
	}
	var got struct {
		Listed []string
		Unused map[string]any
		Policy []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	wantListed := []string{"Arn", "AssumeRolePolicyDocument", "CreateDate", "Description", "MaxSessionDuration", "Path", "RoleId", "RoleName"}
	wantPolicy := []string{"Arn", "AttachmentCount", "CreateDate", "DefaultVersionId", "IsAttachable", "Path", "PermissionsBoundaryUsageCount", "PolicyId", "PolicyName", "UpdateDate"}
	if !equalStrings(got.Listed, wantListed) || got.Unused == nil || len(got.Unused) != 0 || !equalStrings(got.Policy, wantPolicy) {
		t.Fatalf("boto3 sees %+v\nwant list_roles keys %v, an empty RoleLastUsed, list_policies keys %v", got, wantListed, wantPolicy)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
